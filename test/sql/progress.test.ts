import { expect, test } from 'vitest';
import type { ProgressRow } from '../../src/store/types.ts';
import {
  commitPage,
  leasedRepository,
  nextIdBase,
  pullRequests,
  rpc,
  startedRepository,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

test('progress lists every tracked repository with completion, speed and time left', async () => {
  const { repository, lease } = await leasedRepository(ctx.client, { prTotalCount: 400 });
  await commitPage(ctx.client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { a: 1 },
    prs: pullRequests(1, 100, nextIdBase()),
  });
  // the chunk has been going for half an hour: 100 PRs in 0.5 h = 200 PRs/hour, 300 left = 1.5 h
  await ctx.client.query(
    "update progressive_backfill.backfill_chunks set started_at = now() - interval '30 minutes' where id = $1",
    [lease.chunkId],
  );
  const paused = await startedRepository(ctx.client, { prTotalCount: 10 });
  const resumeAt = new Date(Date.now() + 3_600_000);
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: paused.id,
    p_reason: 'rate limit',
    p_resume_at: resumeAt,
  });
  const failed = await startedRepository(ctx.client);
  await rpc(ctx.client, 'backfill_fail_backfill', { p_repository_id: failed.id, p_error: 'gone' });
  const idle = await trackRepository(ctx.client); // never backfilled: listed too, so `status` shows every repository

  const rows = await rpc<ProgressRow[]>(ctx.client, 'backfill_progress');
  expect(rows.map((r) => r.repositoryId).sort()).toEqual(
    [repository.id, paused.id, failed.id, idle.id].sort(),
  );
  expect(rows.find((r) => r.repositoryId === idle.id)).toMatchObject({
    backfillStatus: 'idle',
    prsPerHour: null,
  });
  const running = rows.find((r) => r.repositoryId === repository.id)!;
  expect(running).toMatchObject({
    fullName: repository.fullName,
    backfillStatus: 'active',
    storedPrCount: 100,
    prTotalCount: 400,
    progressPct: 25,
    prsPerHour: 200,
    pausedUntil: null,
    pauseReason: null,
    lastError: null,
  });
  expect(running.etaSeconds).toBeGreaterThanOrEqual(5400);
  expect(running.etaSeconds).toBeLessThan(5410);
  const pausedRow = rows.find((r) => r.repositoryId === paused.id)!;
  expect(pausedRow).toMatchObject({
    backfillStatus: 'paused',
    pauseReason: 'rate limit',
    prsPerHour: null,
    etaSeconds: null,
  });
  expect(new Date(pausedRow.pausedUntil!).getTime()).toBe(resumeAt.getTime());
  expect(rows.find((r) => r.repositoryId === failed.id)).toMatchObject({
    backfillStatus: 'failed',
    lastError: 'gone',
  });
});
