import pg from 'pg';
import { expect, test } from 'vitest';
import type { ChunkLease } from '../../src/store/types.ts';
import {
  chunkOf,
  claim,
  commitPage,
  expectSqlState,
  rpc,
  startedRepository,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

test('claiming leases the pending chunk with a fresh fencing token and the backfill’s cursor', async () => {
  const repository = await startedRepository(ctx.client, { fieldProfile: 'standard' });
  const lease = await claim(ctx.client, { repositoryId: repository.id, workerId: 'w-a', leaseSeconds: 120 });
  expect(lease).toMatchObject({
    repositoryId: repository.id,
    owner: repository.owner,
    name: repository.name,
    chunkNumber: 1,
    cursor: null,
    attempts: 1,
    fieldProfile: 'standard',
  });
  expect(lease?.fencingToken).toMatch(/^\d+$/);
  const seconds = (new Date(lease!.leaseExpiresAt).getTime() - Date.now()) / 1000;
  expect(seconds).toBeGreaterThan(100);
  expect(seconds).toBeLessThanOrEqual(121);
  const chunk = await chunkOf(ctx.client, lease!.chunkId);
  expect(chunk).toMatchObject({ status: 'running', lease_owner: 'w-a', fencing_token: lease!.fencingToken });
  expect(chunk.started_at).not.toBeNull();
});

test('a chunk is claimed by one worker only, and a re-claim gets a new token', async () => {
  const repository = await startedRepository(ctx.client);
  const first = await claim(ctx.client, { repositoryId: repository.id });
  expect(await claim(ctx.client, { repositoryId: repository.id })).toBeNull();
  await rpc(ctx.client, 'backfill_release_chunk', {
    p_chunk_id: first!.chunkId,
    p_fencing_token: first!.fencingToken,
  });
  const second = await claim(ctx.client, { repositoryId: repository.id });
  expect(second?.chunkId).toBe(first!.chunkId);
  expect(second?.attempts).toBe(2);
  expect(BigInt(second!.fencingToken)).toBeGreaterThan(BigInt(first!.fencingToken));
});

test('the cursor handed out is the backfill’s current one', async () => {
  const repository = await startedRepository(ctx.client);
  const lease = await claim(ctx.client, { repositoryId: repository.id });
  await commitPage(ctx.client, {
    chunkId: lease!.chunkId,
    fencingToken: lease!.fencingToken,
    nextCursor: { p: 7 },
  });
  await rpc(ctx.client, 'backfill_release_chunk', {
    p_chunk_id: lease!.chunkId,
    p_fencing_token: lease!.fencingToken,
  });
  expect((await claim(ctx.client, { repositoryId: repository.id }))?.cursor).toEqual({ p: 7 });
});

test('nothing is claimable before run_at, for idle backfills, or while paused into the future', async () => {
  const idle = await trackRepository(ctx.client);
  expect(await claim(ctx.client, { repositoryId: idle.id })).toBeNull();

  const later = await startedRepository(ctx.client);
  await ctx.client.query(
    "update progressive_backfill.backfill_chunks set run_at = now() + interval '1 minute' where repository_id = $1",
    [later.id],
  );
  expect(await claim(ctx.client, { repositoryId: later.id })).toBeNull();

  const paused = await startedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: paused.id,
    p_reason: 'rate limit',
    p_resume_at: new Date(Date.now() + 3_600_000),
  });
  expect(await claim(ctx.client, { repositoryId: paused.id })).toBeNull();
});

test('a pause whose time has come is claimable and flips back to active', async () => {
  const repository = await startedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: repository.id,
    p_reason: 'rate limit',
    p_resume_at: new Date(Date.now() + 3_600_000),
  });
  await ctx.client.query(
    "update progressive_backfill.backfill_state set resume_at = now() - interval '1 second' where repository_id = $1",
    [repository.id],
  );
  expect(await claim(ctx.client, { repositoryId: repository.id })).not.toBeNull();
  const state = await stateOf(ctx.client, repository.id);
  expect(state).toMatchObject({ status: 'active', resume_at: null, pause_reason: null });
});

test('without a repository, the highest-priority claimable chunk comes first', async () => {
  const low = await startedRepository(ctx.client, { priority: 5 });
  const high = await startedRepository(ctx.client, { priority: 50 });
  expect((await claim(ctx.client))?.repositoryId).toBe(high.id);
  expect((await claim(ctx.client))?.repositoryId).toBe(low.id);
});

test('invalid worker or lease length is invalid input (PB004)', async () => {
  await expectSqlState(claim(ctx.client, { workerId: ' ' }), 'PB004');
  await expectSqlState(claim(ctx.client, { leaseSeconds: 0 }), 'PB004');
});

test('claims never overlap across 8 connections', async () => {
  // drain anything claimable left by other tests in this file
  while (await claim(ctx.client)) {}
  const repositories = [];
  for (let i = 0; i < 8; i += 1) repositories.push(await startedRepository(ctx.client));
  const clients = Array.from({ length: 8 }, () => new pg.Client(ctx.db.url));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    for (let round = 0; round < 5; round += 1) {
      // each worker grabs as many chunks as it can; all 8 race at once
      const leases = await Promise.all(
        clients.map(async (client, i) => {
          const mine: ChunkLease[] = [];
          for (;;) {
            const lease = await claim(client, { workerId: `worker-${i}` });
            if (!lease) return mine;
            mine.push(lease);
          }
        }),
      );
      const all = leases.flat();
      expect(all.map((l) => l.repositoryId).sort()).toEqual(repositories.map((r) => r.id).sort());
      expect(new Set(all.map((l) => l.chunkId)).size).toBe(8);
      expect(new Set(all.map((l) => l.fencingToken)).size).toBe(8);
      for (const l of all) {
        await rpc(ctx.client, 'backfill_release_chunk', {
          p_chunk_id: l.chunkId,
          p_fencing_token: l.fencingToken,
        });
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
});
