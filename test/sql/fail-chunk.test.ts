import { expect, test } from 'vitest';
import type { FailChunkResult } from '../../src/store/types.ts';
import {
  chunkOf,
  claim,
  expectStaleLease,
  leasedRepository,
  rpc,
  staleToken,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const fail = (chunkId: number, fencingToken: string, retryable: boolean, error = 'boom', maxFailures = 5) =>
  rpc<FailChunkResult>(ctx.client, 'backfill_fail_chunk', {
    p_chunk_id: chunkId,
    p_fencing_token: fencingToken,
    p_error: error,
    p_retryable: retryable,
    p_max_failures: maxFailures,
  });

test('a retryable failure retries later with exponential backoff and jitter', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  const first = await fail(lease.chunkId, lease.fencingToken, true);
  expect(first).toMatchObject({ chunkStatus: 'pending', consecutiveErrors: 1 });
  const delay = (new Date(first.retryAt!).getTime() - Date.now()) / 1000;
  expect(delay).toBeGreaterThan(2 * 0.75 - 1);
  expect(delay).toBeLessThanOrEqual(2 * 1.25);
  expect(await claim(ctx.client, { repositoryId: repository.id })).toBeNull(); // not before run_at

  await ctx.client.query('update progressive_backfill.backfill_chunks set run_at = now() where id = $1', [
    lease.chunkId,
  ]);
  const again = await claim(ctx.client, { repositoryId: repository.id });
  const second = await fail(again!.chunkId, again!.fencingToken, true);
  const secondDelay = (new Date(second.retryAt!).getTime() - Date.now()) / 1000;
  expect(secondDelay).toBeGreaterThan(4 * 0.75 - 1);
  expect(secondDelay).toBeLessThanOrEqual(4 * 1.25);
  expect(second.consecutiveErrors).toBe(2);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('active');
});

test('backoff is capped at an hour', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await ctx.client.query('update progressive_backfill.backfill_chunks set failures = 40 where id = $1', [
    lease.chunkId,
  ]);
  const result = await fail(lease.chunkId, lease.fencingToken, true, 'again', 100);
  const delay = (new Date(result.retryAt!).getTime() - Date.now()) / 1000;
  expect(delay).toBeLessThanOrEqual(3600 * 1.25);
  expect(delay).toBeGreaterThan(3600 * 0.75 - 5);
});

test('a fatal failure, or the last allowed one, fails the chunk and the backfill', async () => {
  const fatal = await leasedRepository(ctx.client);
  expect(await fail(fatal.lease.chunkId, fatal.lease.fencingToken, false, 'Bad credentials')).toMatchObject({
    chunkStatus: 'failed',
    retryAt: null,
  });
  expect(await stateOf(ctx.client, fatal.repository.id)).toMatchObject({
    status: 'failed',
    last_error: 'Bad credentials',
  });

  const exhausted = await leasedRepository(ctx.client);
  await ctx.client.query('update progressive_backfill.backfill_chunks set failures = 4 where id = $1', [
    exhausted.lease.chunkId,
  ]);
  const result = await fail(exhausted.lease.chunkId, exhausted.lease.fencingToken, true, 'timeout', 5);
  expect(result.chunkStatus).toBe('failed');
  const { rows } = await ctx.client.query(
    'select chunk_id from progressive_backfill.backfill_problem_chunks where repository_id = $1',
    [exhausted.repository.id],
  );
  expect(rows.map((r) => Number(r.chunk_id))).toEqual([exhausted.lease.chunkId]);
});

test('the error is truncated to 2000 characters on the chunk and the backfill', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await fail(lease.chunkId, lease.fencingToken, true, 'e'.repeat(5000));
  expect((await chunkOf(ctx.client, lease.chunkId)).last_error).toHaveLength(2000);
  expect((await stateOf(ctx.client, repository.id)).last_error).toHaveLength(2000);
});

test('failing with a stale token is refused (PB001)', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await expectStaleLease(ctx.client, { ...lease, fencingToken: staleToken(lease) });
});
