import { expect, test } from 'vitest';
import type { RepositoryRow } from '../../src/store/types.ts';
import {
  chunkOf,
  claim,
  expectInvalidTransition,
  expectSqlState,
  expectStaleLease,
  expireLease,
  leasedRepository,
  rpc,
  startedRepository,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const retry = (repositoryId: number) =>
  rpc<RepositoryRow>(ctx.client, 'backfill_retry', { p_repository_id: repositoryId });
const untrack = (repositoryId: number) =>
  rpc<RepositoryRow>(ctx.client, 'backfill_untrack', { p_repository_id: repositoryId });

test('retry puts a stalled backfill’s chunk back in the queue with its requeue count reset', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await expireLease(ctx.client, lease.chunkId);
  await rpc(ctx.client, 'backfill_recover_stuck_chunks', { p_requeue_limit: 0, p_grace_seconds: 0 });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ status: 'stalled' });
  await ctx.client.query('update progressive_backfill.backfill_chunks set requeues = 3 where id = $1', [
    lease.chunkId,
  ]);

  expect(await retry(repository.id)).toMatchObject({ id: repository.id, backfillStatus: 'active' });
  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({
    status: 'pending',
    requeues: 0,
    failures: 0,
    last_error: null,
    finished_at: null,
  });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ last_error: null, consecutive_errors: 0 });
  expect((await claim(ctx.client, { repositoryId: repository.id }))?.chunkId).toBe(lease.chunkId);
});

test('retry brings a failed backfill back from its cursor, and a cancelled one', async () => {
  const failed = await leasedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_fail_backfill', { p_repository_id: failed.repository.id, p_error: 'gone' });
  await retry(failed.repository.id);
  expect(await stateOf(ctx.client, failed.repository.id)).toMatchObject({
    status: 'active',
    last_error: null,
  });
  expect(await claim(ctx.client, { repositoryId: failed.repository.id })).not.toBeNull();

  const cancelled = await startedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: cancelled.id, p_reason: 'by hand' });
  await retry(cancelled.id);
  expect(await claim(ctx.client, { repositoryId: cancelled.id })).not.toBeNull();
});

test('retry opens a new chunk when the last one ended well', async () => {
  const idle = await trackRepository(ctx.client);
  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: idle.id, p_reason: 'never mind' });
  await retry(idle.id);
  const lease = await claim(ctx.client, { repositoryId: idle.id });
  expect(lease).toMatchObject({ chunkNumber: 1, cursor: null });
});

test('retry refuses a backfill that is not failed, stalled or cancelled, and an unknown repository', async () => {
  const active = await startedRepository(ctx.client);
  await expectInvalidTransition(retry(active.id));
  await expectSqlState(retry(987_654_321), 'PB004');
  expect(await stateOf(ctx.client, active.id)).toMatchObject({ status: 'active' });
});

test('untrack takes a repository out of selection and claims, and turns its worker away; tracking resumes it', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  expect(await untrack(repository.id)).toMatchObject({ tracked: false, backfillStatus: 'active' });

  await expectStaleLease(ctx.client, lease);
  expect(await claim(ctx.client, { repositoryId: repository.id })).toBeNull();
  const selected = await rpc<{ repositoryId: number }[]>(ctx.client, 'backfill_select_repositories', {
    p_repository_ids: [repository.id],
  });
  expect(selected).toEqual([]);

  await trackRepository(ctx.client, { owner: repository.owner, name: repository.name });
  expect((await claim(ctx.client, { repositoryId: repository.id }))?.chunkId).toBe(lease.chunkId);
});

test('untrack of an unknown repository is refused', async () => {
  await expectSqlState(untrack(987_654_321), 'PB004');
});
