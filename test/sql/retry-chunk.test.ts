import { expect, test } from 'vitest';
import type { RepositoryRow } from '../../src/store/types.ts';
import {
  chunkOf,
  claim,
  expectInvalidTransition,
  expectSqlState,
  expireLease,
  leasedRepository,
  rpc,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const retryChunk = (chunkId: number) =>
  rpc<RepositoryRow>(ctx.client, 'backfill_retry_chunk', { p_chunk_id: chunkId });

const failChunk = (lease: { chunkId: number; fencingToken: string }, error = 'boom') =>
  rpc(ctx.client, 'backfill_fail_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_error: error,
    p_retryable: false,
  });

test('a stalled chunk goes back to the queue by its id, its requeue count reset, and its backfill back to work', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await expireLease(ctx.client, lease.chunkId);
  await rpc(ctx.client, 'backfill_recover_stuck_chunks', { p_requeue_limit: 0, p_grace_seconds: 0 });
  await ctx.client.query('update progressive_backfill.backfill_chunks set requeues = 3 where id = $1', [
    lease.chunkId,
  ]);
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ status: 'stalled' });
  // progress names the chunk by the id retry_chunk takes
  const progress = await rpc<{ repositoryId: number; problemChunk: unknown }[]>(
    ctx.client,
    'backfill_progress',
  );
  expect(progress.find((row) => row.repositoryId === repository.id)?.problemChunk).toMatchObject({
    id: lease.chunkId,
    status: 'stalled',
    requeues: 3,
  });

  expect(await retryChunk(lease.chunkId)).toMatchObject({ id: repository.id, backfillStatus: 'active' });
  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({
    status: 'pending',
    requeues: 0,
    failures: 0,
    last_error: null,
    finished_at: null,
    lease_owner: null,
  });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ last_error: null, consecutive_errors: 0 });
  expect((await claim(ctx.client, { repositoryId: repository.id }))?.chunkId).toBe(lease.chunkId);
});

test('a failed chunk goes back to the queue with its failures reset; its attempts stay as history', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await failChunk(lease);
  const failed = await chunkOf(ctx.client, lease.chunkId);
  expect(failed).toMatchObject({ status: 'failed', failures: 1 });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ status: 'failed', last_error: 'boom' });

  await retryChunk(lease.chunkId);
  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({
    status: 'pending',
    failures: 0,
    attempts: failed.attempts,
  });
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({ status: 'active', consecutive_errors: 0 });
});

test('a chunk that is not failed or stalled, or one its backfill went on past, is refused and nothing changes', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await expectInvalidTransition(retryChunk(lease.chunkId)); // running
  await expect(retryChunk(lease.chunkId)).rejects.toThrow(/is running: only a failed or stalled chunk/);

  // failed, then the backfill carried on from its cursor in a new chunk: the failed one is history
  await failChunk(lease);
  await rpc(ctx.client, 'backfill_start_backfill', { p_repository_id: repository.id });
  const next = await claim(ctx.client, { repositoryId: repository.id });
  expect(next?.chunkId).not.toBe(lease.chunkId);
  const before = {
    old: await chunkOf(ctx.client, lease.chunkId),
    next: await chunkOf(ctx.client, next!.chunkId),
    state: await stateOf(ctx.client, repository.id),
  };
  await expectInvalidTransition(retryChunk(lease.chunkId));
  await expect(retryChunk(lease.chunkId)).rejects.toThrow(
    /is history: the backfill went on past it \(chunk 2 is its last\); retry the backfill instead/,
  );
  expect({
    old: await chunkOf(ctx.client, lease.chunkId),
    next: await chunkOf(ctx.client, next!.chunkId),
    state: await stateOf(ctx.client, repository.id),
  }).toEqual(before);
});

test('an unknown chunk is invalid input (PB004)', async () => {
  await expectSqlState(retryChunk(987_654_321), 'PB004');
});
