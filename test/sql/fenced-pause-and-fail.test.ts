import { expect, test } from 'vitest';
import {
  claim,
  expectSqlState,
  expireLease,
  leasedRepository,
  rpc,
  staleToken,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

type Lease = { chunkId: number; fencingToken: string };

const inAnHour = () => new Date(Date.now() + 3_600_000);
const pauseAs = (repositoryId: number, lease: Lease | null) =>
  rpc(ctx.client, 'backfill_pause', {
    p_repository_id: repositoryId,
    p_reason: 'secondary rate limit',
    p_resume_at: inAnHour(),
    ...(lease ? { p_chunk_id: lease.chunkId, p_fencing_token: lease.fencingToken } : {}),
  });
const failAs = (repositoryId: number, lease: Lease | null) =>
  rpc(ctx.client, 'backfill_fail_backfill', {
    p_repository_id: repositoryId,
    p_error: 'repository gone',
    ...(lease ? { p_chunk_id: lease.chunkId, p_fencing_token: lease.fencingToken } : {}),
  });

/** A lease that expired, was recovered and was claimed by another worker: the first worker is stale. */
async function takenOver() {
  const { repository, lease: stale } = await leasedRepository(ctx.client, { workerId: 'slow' });
  await expireLease(ctx.client, stale.chunkId);
  await rpc(ctx.client, 'backfill_recover_stuck_chunks', {});
  const current = await claim(ctx.client, { repositoryId: repository.id, workerId: 'fast' });
  if (!current) throw new Error('expected the chunk to be claimable again');
  return { repository, stale, current };
}

test.each([
  ['pause', pauseAs],
  ['fail', failAs],
])(
  'a stale worker cannot %s a backfill another worker holds now (PB001), and nothing changes',
  async (_, act) => {
    const { repository, stale } = await takenOver();
    const before = await stateOf(ctx.client, repository.id);
    await expectSqlState(act(repository.id, stale), 'PB001');
    await expectSqlState(act(repository.id, { ...stale, fencingToken: staleToken(stale) }), 'PB001');
    expect(await stateOf(ctx.client, repository.id)).toEqual(before);
  },
);

test.each([
  ['pause', pauseAs, 'paused'],
  ['fail', failAs, 'failed'],
])('the worker holding the lease may %s the backfill', async (_, act, status) => {
  const { repository, current } = await takenOver();
  await act(repository.id, current);
  expect((await stateOf(ctx.client, repository.id)).status).toBe(status);
});

test('a worker may pause right after failing its own chunk (the token is still the newest)', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_fail_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_error: 'timeout',
    p_retryable: true,
  });
  await pauseAs(repository.id, lease);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('paused');
});

test('an operator names no lease and is not fenced; half a lease or another repository’s chunk is invalid (PB004)', async () => {
  const { repository, current } = await takenOver();
  const other = await leasedRepository(ctx.client);
  await expectSqlState(
    rpc(ctx.client, 'backfill_pause', {
      p_repository_id: repository.id,
      p_reason: 'x',
      p_resume_at: inAnHour(),
      p_chunk_id: current.chunkId,
    }),
    'PB004',
  );
  await expectSqlState(pauseAs(repository.id, other.lease), 'PB004');
  await pauseAs(repository.id, null);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('paused');
});
