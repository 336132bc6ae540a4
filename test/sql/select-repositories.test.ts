import { beforeEach, expect, test } from 'vitest';
import type { RepositoryCandidate } from '../../src/store/types.ts';
import { claim, expectSqlState, rpc, startedRepository, trackRepository, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

// Every test looks at the whole table: start each from an empty one.
beforeEach(async () => {
  await ctx.client.query('truncate progressive_backfill.repositories cascade');
});

function select(args: Record<string, unknown> = {}) {
  return rpc<RepositoryCandidate[]>(ctx.client, 'backfill_select_repositories', args);
}

async function withStored(repositoryId: number, stored: number) {
  await ctx.client.query('update progressive_backfill.repositories set stored_pr_count = $2 where id = $1', [
    repositoryId,
    stored,
  ]);
}

test('idle repositories below the threshold and above min-prs need a start', async () => {
  const below = await trackRepository(ctx.client, { name: 'below', prTotalCount: 1000 });
  await withStored(below.id, 500);
  const above = await trackRepository(ctx.client, { name: 'above', prTotalCount: 1000 });
  await withStored(above.id, 900);
  await trackRepository(ctx.client, { name: 'small', prTotalCount: 50 });
  await trackRepository(ctx.client, { name: 'unknown' });

  const candidates = await select({ p_threshold: 0.8, p_min_prs: 100 });
  expect(candidates).toEqual([
    {
      repositoryId: below.id,
      owner: 'octo',
      name: 'below',
      fullName: 'octo/below',
      priority: 0,
      storedPrCount: 500,
      prTotalCount: 1000,
      completeness: 0.5,
      backfillStatus: 'idle',
      needsStart: true,
      needsRefresh: false,
      watermark: null,
      scope: {},
    },
  ]);
});

test('named repositories bypass min-prs (but not the threshold)', async () => {
  const small = await trackRepository(ctx.client, { name: 'small', prTotalCount: 5 });
  const unknown = await trackRepository(ctx.client, { name: 'unknown' });
  const full = await trackRepository(ctx.client, { name: 'full', prTotalCount: 5 });
  await withStored(full.id, 5);
  await trackRepository(ctx.client, { name: 'not-named', prTotalCount: 5 });

  const candidates = await select({ p_min_prs: 100, p_repository_ids: [small.id, unknown.id, full.id] });
  expect(candidates.map((c) => c.name).sort()).toEqual(['small', 'unknown']);
  expect(candidates.every((c) => c.needsStart)).toBe(true);
});

test('in-progress backfills continue; paused into the future and leased ones are excluded', async () => {
  const active = await startedRepository(ctx.client, { prTotalCount: 10 });
  const leased = await startedRepository(ctx.client, { prTotalCount: 10 });
  await claim(ctx.client, { repositoryId: leased.id });
  const pausedLater = await startedRepository(ctx.client, { prTotalCount: 10 });
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: pausedLater.id,
    p_reason: 'rate limit',
    p_resume_at: new Date(Date.now() + 3_600_000),
  });
  const pausedDue = await startedRepository(ctx.client, { prTotalCount: 10 });
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: pausedDue.id,
    p_reason: 'rate limit',
    p_resume_at: new Date(Date.now() + 3_600_000),
  });
  await ctx.client.query(
    "update progressive_backfill.backfill_state set resume_at = now() - interval '1 second' where repository_id = $1",
    [pausedDue.id],
  );
  const expired = await startedRepository(ctx.client, { prTotalCount: 10 });
  const expiredLease = await claim(ctx.client, { repositoryId: expired.id });
  await ctx.client.query(
    "update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 minute' where id = $1",
    [expiredLease!.chunkId],
  );

  const candidates = await select({ p_min_prs: 1000 });
  expect(candidates.map((c) => c.repositoryId).sort()).toEqual([active.id, pausedDue.id, expired.id].sort());
  expect(candidates.every((c) => !c.needsStart && !c.needsRefresh)).toBe(true);
});

test('failed, cancelled and stalled backfills are left for a human', async () => {
  for (const status of ['failed', 'cancelled', 'stalled']) {
    const repository = await trackRepository(ctx.client, { name: status, prTotalCount: 1000 });
    await ctx.client.query(
      'update progressive_backfill.backfill_state set status = $2, started_at = now() where repository_id = $1',
      [repository.id, status],
    );
  }
  expect(await select({ p_min_prs: 0 })).toEqual([]);
});

test('a named cancelled backfill needs a start (how it changes scope); failed and stalled ones still wait', async () => {
  const ids: Record<string, number> = {};
  for (const status of ['failed', 'cancelled', 'stalled']) {
    const repository = await trackRepository(ctx.client, { name: status, prTotalCount: 1000 });
    ids[status] = repository.id;
    await ctx.client.query(
      'update progressive_backfill.backfill_state set status = $2, started_at = now() where repository_id = $1',
      [repository.id, status],
    );
  }
  const candidates = await select({ p_min_prs: 0, p_repository_ids: Object.values(ids) });
  expect(candidates.map((c) => [c.name, c.needsStart])).toEqual([['cancelled', true]]);
});

test("each candidate carries its backfill's stored scope", async () => {
  const scoped = await trackRepository(ctx.client, { name: 'scoped', prTotalCount: 1000 });
  const scope = { since: '2024-01-01T00:00:00Z', states: ['MERGED'] };
  await rpc(ctx.client, 'backfill_start_backfill', {
    p_repository_id: scoped.id,
    p_scope: JSON.stringify(scope),
  });
  const whole = await trackRepository(ctx.client, { name: 'whole', prTotalCount: 1000 });
  const candidates = await select({ p_min_prs: 0 });
  const byId = new Map(candidates.map((c) => [c.repositoryId, c]));
  expect(byId.get(scoped.id)).toMatchObject({ needsStart: false, scope });
  expect(byId.get(whole.id)).toMatchObject({ needsStart: true, scope: {} });
});

test('completed backfills are refreshed once stale, and restarted when they fell below the threshold', async () => {
  const complete = async (name: string, total: number, stored: number, completedSecondsAgo: number) => {
    const repository = await trackRepository(ctx.client, { name, prTotalCount: total });
    await withStored(repository.id, stored);
    await ctx.client.query(
      `update progressive_backfill.backfill_state set status = 'completed', started_at = now() - interval '1 day', watermark = now() - interval '1 day',
         completed_at = now() - make_interval(secs => $2) where repository_id = $1`,
      [repository.id, completedSecondsAgo],
    );
    return repository;
  };
  const fresh = await complete('fresh', 100, 100, 60);
  const stale = await complete('stale', 100, 100, 7200);
  const grown = await complete('grown', 1000, 100, 60);
  const refreshedRecently = await complete('refreshed', 100, 100, 7200);
  await ctx.client.query(
    "update progressive_backfill.backfill_state set refreshed_at = now() - interval '1 minute' where repository_id = $1",
    [refreshedRecently.id],
  );
  // refreshed right after its walk completed a minute ago
  await ctx.client.query(
    "update progressive_backfill.backfill_state set refreshed_at = now() - interval '50 seconds' where repository_id = $1",
    [fresh.id],
  );

  const candidates = await select({ p_min_prs: 10, p_refresh_after_seconds: 3600 });
  const byId = new Map(candidates.map((c) => [c.repositoryId, c]));
  expect(byId.has(fresh.id)).toBe(false);
  expect(byId.has(refreshedRecently.id)).toBe(false);
  expect(byId.get(stale.id)).toMatchObject({
    needsStart: false,
    needsRefresh: true,
    backfillStatus: 'completed',
  });
  expect(byId.get(grown.id)).toMatchObject({ needsStart: true, needsRefresh: false });
});

test('a completed walk never refreshed since, a refresh in progress, or follow-ups queued: due at once', async () => {
  const complete = async (name: string, refreshedSecondsAgo: number | null) => {
    const repository = await trackRepository(ctx.client, { name, prTotalCount: 100 });
    await withStored(repository.id, 100);
    await ctx.client.query(
      `update progressive_backfill.backfill_state set status = 'completed', started_at = now() - interval '1 day',
         watermark = now() - interval '1 day', completed_at = now() - interval '2 minutes',
         refreshed_at = now() - make_interval(secs => $2) where repository_id = $1`,
      [repository.id, refreshedSecondsAgo],
    );
    return repository;
  };
  // its walk ended with the run's time, before any refresh: waiting an hour would leave it an hour behind
  const neverRefreshed = await complete('never', null);
  // refreshed before this walk (which began again and completed since), not after it
  const refreshedBeforeWalk = await complete('before-walk', 600);
  const refreshedAfterWalk = await complete('after-walk', 60);
  const inProgress = await complete('in-progress', 60);
  await ctx.client.query(
    `update progressive_backfill.backfill_state set refresh_cursor = 'c1', refresh_target_watermark = now(),
       refresh_started_at = now() - interval '30 seconds', refresh_holder = 'w#1' where repository_id = $1`,
    [inProgress.id],
  );
  const withFollowUps = await complete('follow-ups', 60);
  await ctx.client.query(
    `insert into progressive_backfill.pull_requests (repository_id, github_id, node_id, number, title, state,
       created_at, updated_at, url, field_profile)
     values ($1, 77000000001, 'PR_fu', 1, 't', 'OPEN', now(), now(), 'https://github.com/o/r/pull/1', 'full')`,
    [withFollowUps.id],
  );
  await ctx.client.query(
    `insert into progressive_backfill.child_follow_ups (repository_id, pull_request_id, kind, node_id, cursor)
     select $1, id, 'comments', 'PR_fu', 'cc' from progressive_backfill.pull_requests where github_id = 77000000001`,
    [withFollowUps.id],
  );

  const due = new Map(
    (await select({ p_min_prs: 10, p_refresh_after_seconds: 3600 })).map((c) => [c.repositoryId, c]),
  );
  for (const repository of [neverRefreshed, refreshedBeforeWalk, inProgress, withFollowUps]) {
    expect(due.get(repository.id), repository.name).toMatchObject({ needsStart: false, needsRefresh: true });
  }
  expect(due.has(refreshedAfterWalk.id)).toBe(false);
});

test('order: priority, then in progress, then least complete, then most remaining, then id', async () => {
  const newBig = await trackRepository(ctx.client, { name: 'new-big', prTotalCount: 5000 });
  const newSmall = await trackRepository(ctx.client, { name: 'new-small', prTotalCount: 500 });
  const newHalf = await trackRepository(ctx.client, { name: 'new-half', prTotalCount: 5000 });
  await withStored(newHalf.id, 2500);
  const running = await startedRepository(ctx.client, { prTotalCount: 200 });
  await withStored(running.id, 150);
  const urgent = await trackRepository(ctx.client, { name: 'urgent', prTotalCount: 200, priority: 10 });
  await withStored(urgent.id, 150);
  const twinA = await trackRepository(ctx.client, { name: 'twin-a', prTotalCount: 500 });
  const twinB = await trackRepository(ctx.client, { name: 'twin-b', prTotalCount: 500 });

  const order = (await select({ p_min_prs: 100 })).map((c) => c.repositoryId);
  expect(order).toEqual([urgent.id, running.id, newBig.id, newSmall.id, twinA.id, twinB.id, newHalf.id]);
  expect((await select({ p_min_prs: 100, p_limit: 2 })).map((c) => c.repositoryId)).toEqual([
    urgent.id,
    running.id,
  ]);
});

test('untracked repositories are never selected', async () => {
  const repository = await trackRepository(ctx.client, { prTotalCount: 1000 });
  await ctx.client.query('update progressive_backfill.repositories set tracked = false where id = $1', [
    repository.id,
  ]);
  expect(await select({ p_min_prs: 0 })).toEqual([]);
});

test('out-of-range arguments are invalid input (PB004)', async () => {
  await expectSqlState(select({ p_threshold: 1.5 }), 'PB004');
  await expectSqlState(select({ p_threshold: -0.1 }), 'PB004');
  await expectSqlState(select({ p_min_prs: -1 }), 'PB004');
  await expectSqlState(select({ p_limit: 0 }), 'PB004');
});
