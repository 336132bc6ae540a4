import { beforeEach, expect, test } from 'vitest';
import type { RecoverResult } from '../../src/store/types.ts';
import {
  chunkOf,
  claim,
  commitPage,
  expectSqlState,
  expectStaleLease,
  expireLease,
  leasedRepository,
  rpc,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

function recover(requeueLimit = 3, graceSeconds = 60) {
  return rpc<RecoverResult>(ctx.client, 'backfill_recover_stuck_chunks', {
    p_requeue_limit: requeueLimit,
    p_grace_seconds: graceSeconds,
  });
}

beforeEach(async () => {
  // every test starts without leftovers from the others: end all open leases
  await ctx.client.query(
    "update progressive_backfill.backfill_chunks set status = 'cancelled', finished_at = now(), lease_owner = null, lease_expires_at = null where status in ('running', 'pending')",
  );
  await ctx.client.query(
    "update progressive_backfill.backfill_runs set outcome = 'completed', finished_at = now() where outcome = 'running'",
  );
});

test('a lease that expired beyond the grace period goes back to pending; a live or merely late one stays', async () => {
  const dead = await leasedRepository(ctx.client);
  const late = await leasedRepository(ctx.client);
  const live = await leasedRepository(ctx.client);
  await expireLease(ctx.client, dead.lease.chunkId, 120);
  await expireLease(ctx.client, late.lease.chunkId, 30);

  expect(await recover(3, 60)).toEqual({ requeued: 1, stalled: 0, runsInterrupted: 0 });
  expect(await chunkOf(ctx.client, dead.lease.chunkId)).toMatchObject({
    status: 'pending',
    requeues: 1,
    lease_owner: null,
    lease_expires_at: null,
  });
  expect((await chunkOf(ctx.client, late.lease.chunkId)).status).toBe('running');
  expect((await chunkOf(ctx.client, live.lease.chunkId)).status).toBe('running');
});

test('after the requeue limit the chunk and its backfill are stalled and visible as a problem', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  for (let requeue = 1; requeue <= 2; requeue += 1) {
    await expireLease(ctx.client, lease.chunkId);
    expect(await recover(2)).toMatchObject({ requeued: 1, stalled: 0 });
    expect(await claim(ctx.client, { repositoryId: repository.id })).not.toBeNull();
  }
  await expireLease(ctx.client, lease.chunkId);
  expect(await recover(2)).toMatchObject({ requeued: 0, stalled: 1 });

  const chunk = await chunkOf(ctx.client, lease.chunkId);
  expect(chunk.status).toBe('stalled');
  expect(chunk.finished_at).not.toBeNull();
  expect(chunk.last_error).toMatch(/expired 3 times/);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('stalled');
  const { rows } = await ctx.client.query(
    'select * from progressive_backfill.backfill_problem_chunks where repository_id = $1',
    [repository.id],
  );
  expect(rows).toHaveLength(1);
  expect(Number(rows[0].chunk_id)).toBe(lease.chunkId);
  expect(rows[0]).toMatchObject({ status: 'stalled', backfill_status: 'stalled', requeues: 2 });
  expect(await claim(ctx.client, { repositoryId: repository.id })).toBeNull();
});

test('a worker whose lease was recovered and re-claimed by another gets PB001 on commit', async () => {
  const { repository, lease: old } = await leasedRepository(ctx.client, { workerId: 'slow' });
  await expireLease(ctx.client, old.chunkId);
  await recover();
  const fresh = await claim(ctx.client, { repositoryId: repository.id, workerId: 'fast' });
  expect(fresh?.chunkId).toBe(old.chunkId);

  await expectStaleLease(ctx.client, old);
  const result = await commitPage(ctx.client, {
    chunkId: fresh!.chunkId,
    fencingToken: fresh!.fencingToken,
    nextCursor: { a: 1 },
  });
  expect(result.applied).toBe(true);
});

test('a recovered lease that nobody re-claimed is stale too', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await expireLease(ctx.client, lease.chunkId);
  await recover();
  await expectStaleLease(ctx.client, lease);
});

test('runs that stopped heart-beating are marked interrupted', async () => {
  const start = () =>
    rpc<string>(ctx.client, 'backfill_start_run', {
      p_trigger: 'test',
      p_trigger_ref: null,
      p_worker_id: 'w',
      p_dry_run: false,
    });
  const silent = Number(await start());
  const alive = Number(await start());
  await ctx.client.query(
    "update progressive_backfill.backfill_runs set heartbeat_at = now() - interval '2 hours' where id = $1",
    [silent],
  );

  const result = await rpc<RecoverResult>(ctx.client, 'backfill_recover_stuck_chunks', {
    p_run_stale_seconds: 900,
  });
  expect(result.runsInterrupted).toBe(1);
  const { rows } = await ctx.client.query(
    'select id, outcome, finished_at from progressive_backfill.backfill_runs where id = any($1)',
    [[silent, alive]],
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  expect(byId.get(silent)).toMatchObject({ outcome: 'interrupted' });
  expect(byId.get(silent)?.finished_at).not.toBeNull();
  expect(byId.get(alive)).toMatchObject({ outcome: 'running', finished_at: null });
});

test('negative limits are invalid input (PB004)', async () => {
  await expectSqlState(recover(-1), 'PB004');
});
