import { expect, test } from 'vitest';
import {
  chunkOf,
  commitPage,
  expectInvalidTransition,
  expectSqlState,
  expectStaleLease,
  leasedRepository,
  rpc,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const cancel = (repositoryId: number, reason = 'not needed') =>
  rpc(ctx.client, 'backfill_cancel', { p_repository_id: repositoryId, p_reason: reason });

test('cancelling ends the backfill and its open chunk; the worker’s lease is then stale', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await cancel(repository.id, 'operator request');
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({
    status: 'cancelled',
    last_error: 'operator request',
  });
  const chunk = await chunkOf(ctx.client, lease.chunkId);
  expect(chunk).toMatchObject({ status: 'cancelled', lease_owner: null });
  expect(chunk.finished_at).not.toBeNull();
  await expectStaleLease(ctx.client, lease);
});

test('an idle or completed backfill can be cancelled; a cancelled one cannot (PB003)', async () => {
  const idle = await trackRepository(ctx.client);
  await cancel(idle.id);
  await expectInvalidTransition(cancel(idle.id));

  const { repository, lease } = await leasedRepository(ctx.client);
  await commitPage(ctx.client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { end: 1 },
    done: true,
  });
  // a completed backfill is cancelled to stop its refreshes, or to give it a new scope
  await cancel(repository.id);
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ status: 'cancelled' });
  await expectInvalidTransition(cancel(repository.id));
  // started again it walks afresh: a completed walk has nothing to carry on
  const restarted = await rpc<{ status: string; cursor: unknown }>(ctx.client, 'backfill_start_backfill', {
    p_repository_id: repository.id,
  });
  expect(restarted).toMatchObject({ status: 'active', cursor: null });
});

test('a fatal error fails the backfill and its open chunk, keeping the cursor for a later restart', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await commitPage(ctx.client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { page: 2 },
  });
  await rpc(ctx.client, 'backfill_fail_backfill', {
    p_repository_id: repository.id,
    p_error: 'Could not resolve to a Repository',
  });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({
    status: 'failed',
    last_error: 'Could not resolve to a Repository',
    cursor: { page: 2 },
  });
  expect((await chunkOf(ctx.client, lease.chunkId)).status).toBe('failed');
  await expectSqlState(
    rpc(ctx.client, 'backfill_fail_backfill', { p_repository_id: 99_999_999, p_error: 'x' }),
    'PB004',
  );
});
