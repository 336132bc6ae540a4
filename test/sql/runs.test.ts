import { expect, test } from 'vitest';
import {
  claim,
  commitPage,
  expectInvalidTransition,
  expectSqlState,
  nextIdBase,
  pullRequests,
  rpc,
  startedRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const startRun = async (trigger = 'cli') =>
  Number(
    await rpc<string>(ctx.client, 'backfill_start_run', {
      p_trigger: trigger,
      p_trigger_ref: 'run-42',
      p_worker_id: 'host-1',
      p_dry_run: false,
    }),
  );
const finishRun = (runId: number, outcome: string, summary: unknown = null) =>
  rpc(ctx.client, 'backfill_finish_run', {
    p_run_id: runId,
    p_outcome: outcome,
    p_error_summary: summary === null ? null : JSON.stringify(summary),
  });
const runRow = async (runId: number) =>
  (await ctx.client.query('select * from progressive_backfill.backfill_runs where id = $1', [runId])).rows[0];

test('a run starts running and finishes with its outcome and error summary', async () => {
  const runId = await startRun('workflow');
  expect(await runRow(runId)).toMatchObject({
    trigger: 'workflow',
    trigger_ref: 'run-42',
    outcome: 'running',
    finished_at: null,
  });
  await finishRun(runId, 'partial', { rateLimited: 2 });
  const row = await runRow(runId);
  expect(row).toMatchObject({ outcome: 'partial', error_summary: { rateLimited: 2 } });
  expect(row.finished_at).not.toBeNull();
});

test('pages committed under a run add to its counters and heartbeat', async () => {
  const runId = await startRun();
  await ctx.client.query(
    "update progressive_backfill.backfill_runs set heartbeat_at = now() - interval '1 hour' where id = $1",
    [runId],
  );
  const repository = await startedRepository(ctx.client);
  const lease = await claim(ctx.client, { repositoryId: repository.id, runId });
  await commitPage(ctx.client, {
    chunkId: lease!.chunkId,
    fencingToken: lease!.fencingToken,
    nextCursor: { a: 1 },
    prs: pullRequests(1, 7, nextIdBase()),
    pointsSpent: 3,
    runId,
  });
  const row = await runRow(runId);
  expect(Number(row.prs_written)).toBe(7);
  expect(Number(row.points_spent)).toBe(3);
  expect(Date.now() - row.heartbeat_at.getTime()).toBeLessThan(60_000);
});

test('finishing a finished run is an invalid transition (PB003)', async () => {
  const runId = await startRun();
  await finishRun(runId, 'completed');
  await expectInvalidTransition(finishRun(runId, 'failed'));
});

test('unknown triggers, outcomes and runs are invalid input (PB004)', async () => {
  await expectSqlState(startRun('cron'), 'PB004');
  const runId = await startRun();
  await expectSqlState(finishRun(runId, 'running'), 'PB004');
  await expectSqlState(finishRun(99_999_999, 'completed'), 'PB004');
});

const backDate = (runId: number, minutes: number) =>
  ctx.client.query(
    `update progressive_backfill.backfill_runs set heartbeat_at = now() - make_interval(mins => $2) where id = $1`,
    [runId, minutes],
  );
const recover = () => rpc(ctx.client, 'backfill_recover_stuck_chunks', {});

test('a run heart-beating without a lease is never taken for a vanished one', async () => {
  const runId = await startRun();
  await backDate(runId, 20);
  await rpc(ctx.client, 'backfill_heartbeat_run', { p_run_id: runId });
  await recover();
  expect(await runRow(runId)).toMatchObject({ outcome: 'running' });
  expect(Date.now() - (await runRow(runId)).heartbeat_at.getTime()).toBeLessThan(60_000);
});

test('a finished run is left alone by a late heartbeat', async () => {
  const runId = await startRun();
  await finishRun(runId, 'completed');
  const before = await runRow(runId);
  await backDate(runId, 20);
  await rpc(ctx.client, 'backfill_heartbeat_run', { p_run_id: runId });
  expect((await runRow(runId)).heartbeat_at.getTime()).toBeLessThan(before.heartbeat_at.getTime());
});

test('a run recovery marked interrupted while it was alive still records its own outcome, once', async () => {
  const runId = await startRun();
  await backDate(runId, 20);
  await recover();
  expect(await runRow(runId)).toMatchObject({
    outcome: 'interrupted',
    error_summary: { reason: expect.any(String) },
  });

  await finishRun(runId, 'completed', { totalErrors: 0, critical: [], warnings: [], byRepository: {} });
  expect(await runRow(runId)).toMatchObject({
    outcome: 'completed',
    error_summary: {
      totalErrors: 0,
      interruptedByRecovery: expect.stringContaining('no heartbeat for more than'),
    },
  });
  await expectInvalidTransition(finishRun(runId, 'failed'));
});

test('a run that finished interrupted by itself cannot be finished again', async () => {
  const runId = await startRun();
  await finishRun(runId, 'interrupted', { totalErrors: 0, critical: [], warnings: [], byRepository: {} });
  await expectInvalidTransition(finishRun(runId, 'completed'));
});
