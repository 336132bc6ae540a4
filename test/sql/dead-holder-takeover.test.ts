/**
 * backfill_claim_chunk, backfill_select_repositories and backfill_leases judge a lease by its holder's session: a
 * worker keeps a session-level advisory lock on its key, and a lease whose key nobody holds is taken over at once.
 */
import pg from 'pg';
import { afterEach, expect, test } from 'vitest';
import type { ChunkLease, RepositoryCandidate } from '../../src/store/types.ts';
import { chunkOf, expectStaleLease, expireLease, rpc, startedRepository, useDatabase } from './fixtures.ts';

const ctx = useDatabase();
const sessions: pg.Client[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.end().catch(() => {});
});

/** A worker's liveness session: its own connection, holding `key` until it ends. */
async function holderSession(key: bigint): Promise<pg.Client> {
  const session = new pg.Client(ctx.db.url);
  await session.connect();
  sessions.push(session);
  await session.query('select pg_advisory_lock($1::bigint)', [key.toString()]);
  return session;
}

function claimAs(workerId: string, repositoryId: number, key: bigint | null): Promise<ChunkLease | null> {
  return rpc<ChunkLease | null>(ctx.client, 'backfill_claim_chunk', {
    p_worker_id: workerId,
    p_lease_seconds: 120,
    p_repository_id: repositoryId,
    p_holder_key: key === null ? null : key.toString(),
  });
}

interface LeaseRow {
  repositoryId: number;
  leaseOwner: string;
  holderAlive: boolean | null;
  secondsLeft: number;
}

async function leaseOf(repositoryId: number): Promise<LeaseRow | undefined> {
  const rows = await rpc<LeaseRow[]>(ctx.client, 'backfill_leases', { p_repository_ids: [repositoryId] });
  return rows[0];
}

async function selected(repositoryId: number): Promise<boolean> {
  const rows = await rpc<RepositoryCandidate[]>(ctx.client, 'backfill_select_repositories', {
    p_repository_ids: [repositoryId],
  });
  return rows.some((r) => r.repositoryId === repositoryId);
}

// Keys with the high bit set, with either half zero, and an ordinary one: the two 32-bit halves pg_locks shows
// must be matched exactly, or a live holder would look dead (or a dead one alive).
const KEYS = [
  -1n,
  -(2n ** 63n),
  2n ** 32n,
  4_294_967_295n,
  BigInt.asIntN(64, 0x8000_0001_ffff_fffen),
  7_355_608_123_456_789n,
];

test.each(KEYS)(
  'a live holder (key %s) keeps its lease: no takeover, not selected, reported alive',
  async (key) => {
    const repository = await startedRepository(ctx.client);
    await holderSession(key);
    const lease = await claimAs('w-alive', repository.id, key);
    expect(lease).not.toBeNull();

    expect(await claimAs('w-other', repository.id, 42n)).toBeNull();
    expect(await selected(repository.id)).toBe(false);
    expect(await leaseOf(repository.id)).toMatchObject({ leaseOwner: 'w-alive', holderAlive: true });
    expect(await chunkOf(ctx.client, lease!.chunkId)).toMatchObject({
      lease_owner: 'w-alive',
      fencing_token: lease!.fencingToken,
    });
  },
);

test.each(KEYS)('a dead holder’s lease (key %s) is taken over at once with a new token', async (key) => {
  const repository = await startedRepository(ctx.client);
  const session = await holderSession(key);
  const dead = await claimAs('w-dead', repository.id, key);
  await session.end();

  expect(await leaseOf(repository.id)).toMatchObject({ leaseOwner: 'w-dead', holderAlive: false });
  expect(await selected(repository.id)).toBe(true);
  await holderSession(99n);
  const taken = await claimAs('w-next', repository.id, 99n);
  expect(taken).toMatchObject({ chunkId: dead!.chunkId, attempts: 2, takenOverFrom: 'w-dead' });
  expect(BigInt(taken!.fencingToken)).toBeGreaterThan(BigInt(dead!.fencingToken));
  expect(await leaseOf(repository.id)).toMatchObject({ leaseOwner: 'w-next', holderAlive: true });
  // Whatever the dead holder's process still had in flight is refused.
  await expectStaleLease(ctx.client, dead!);
});

test('the same key locked in another database does not keep a holder alive', async () => {
  const repository = await startedRepository(ctx.client);
  const key = 123_456_789n;
  const elsewhere = new pg.Client({ connectionString: ctx.db.url.replace(/\/[^/]*$/, '/postgres') });
  await elsewhere.connect();
  sessions.push(elsewhere);
  await elsewhere.query('select pg_advisory_lock($1::bigint)', [key.toString()]);
  const dead = await claimAs('w-dead', repository.id, key);

  expect(await claimAs('w-next', repository.id, null)).toMatchObject({
    chunkId: dead!.chunkId,
    takenOverFrom: 'w-dead',
  });
});

test('a lease that named no session is never taken over before it expires, and is reported unknown', async () => {
  const repository = await startedRepository(ctx.client);
  const lease = await claimAs('w-rest', repository.id, null);

  expect(await claimAs('w-other', repository.id, 7n)).toBeNull();
  expect(await selected(repository.id)).toBe(false);
  const row = await leaseOf(repository.id);
  expect(row).toMatchObject({ leaseOwner: 'w-rest', holderAlive: null });
  expect(row!.secondsLeft).toBeGreaterThan(100);
  expect(await chunkOf(ctx.client, lease!.chunkId)).toMatchObject({ lease_owner: 'w-rest' });
});

test('a live but slow holder loses its lease only by expiry, through recovery, never to a claim', async () => {
  const repository = await startedRepository(ctx.client);
  await holderSession(5n);
  const slow = await claimAs('w-slow', repository.id, 5n);
  await expireLease(ctx.client, slow!.chunkId);

  expect(await claimAs('w-other', repository.id, 6n)).toBeNull();
  await rpc(ctx.client, 'backfill_recover_stuck_chunks', {});
  const next = await claimAs('w-other', repository.id, 6n);
  expect(next).toMatchObject({ chunkId: slow!.chunkId, takenOverFrom: null });
  await expectStaleLease(ctx.client, slow!);
});

test('leases lists only running chunks, with how long each has left', async () => {
  const repository = await startedRepository(ctx.client);
  expect(await leaseOf(repository.id)).toBeUndefined();
  const lease = await claimAs('w-1', repository.id, null);
  await expireLease(ctx.client, lease!.chunkId, 30);
  expect(await leaseOf(repository.id)).toMatchObject({ leaseOwner: 'w-1', secondsLeft: 0 });
});
