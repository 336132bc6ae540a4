import { expect, test } from 'vitest';
import {
  chunkOf,
  claim,
  expectStaleLease,
  leasedRepository,
  rpc,
  staleToken,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

test('a heartbeat extends the lease of the current holder only', async () => {
  const { lease } = await leasedRepository(ctx.client);
  const { leaseExpiresAt } = await rpc<{ leaseExpiresAt: string }>(ctx.client, 'backfill_heartbeat', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_lease_seconds: 900,
  });
  expect(new Date(leaseExpiresAt).getTime() - Date.now()).toBeGreaterThan(800_000);
  await expectStaleLease(ctx.client, { ...lease, fencingToken: staleToken(lease) });
});

test('releasing returns the chunk to pending at once, keeping its attempts', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_release_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
  });
  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({
    status: 'pending',
    lease_owner: null,
    lease_expires_at: null,
    attempts: 1,
  });
  expect((await claim(ctx.client, { repositoryId: repository.id }))?.chunkId).toBe(lease.chunkId);
});

test('releasing with a stale token, or twice, is refused (PB001)', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_release_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
  });
  await expectStaleLease(ctx.client, lease);
});
