/**
 * backfill_commit_refresh and backfill_refresh_position: a refresh's pages commit with its position, compare-and-set,
 * so it resumes where it stopped and two workers (or a replay) cannot move it wrongly; the watermark moves to the
 * target the refresh began with, only when it is done; stored pull requests that left the scope are deleted.
 */
import { expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import {
  commitPage,
  countPullRequests,
  expectSqlState,
  jsonb,
  leasedRepository,
  nextIdBase,
  prRows,
  pullRequests,
  rpc,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const TARGET = '2030-01-01T00:00:00.000Z';

interface RefreshArgs {
  expected?: string | null;
  next?: string | null;
  target?: string | null;
  holder?: string;
  prs?: PullRequestRecord[];
  removed?: unknown;
  points?: number;
}

const refresh = (repositoryId: number, args: RefreshArgs = {}) =>
  rpc<{ applied: boolean; inserted: number; updated: number; removed: number }>(
    ctx.client,
    'backfill_commit_refresh',
    {
      p_repository_id: repositoryId,
      p_expected_cursor: args.expected ?? null,
      p_next_cursor: args.next ?? null,
      p_target_watermark: args.target === undefined ? TARGET : args.target,
      p_holder: args.holder ?? 'worker-a#1',
      p_prs: prRows(args.prs ?? []),
      p_points_spent: args.points ?? 1,
      p_removed: jsonb(args.removed ?? []),
    },
  );

const position = (repositoryId: number) =>
  rpc<{
    watermark: string | null;
    cursor: string | null;
    targetWatermark: string | null;
    holder: string | null;
  }>(ctx.client, 'backfill_refresh_position', { p_repository_id: repositoryId });

/** A backfill whose walk completed with `stored` pull requests, its watermark back-dated a day. */
async function completedBackfill(stored: PullRequestRecord[] = []) {
  const { repository, lease } = await leasedRepository(ctx.client);
  await commitPage(ctx.client, { ...lease, nextCursor: { done: true }, prs: stored, done: true });
  await ctx.client.query(
    `update progressive_backfill.backfill_state
        set watermark = '2029-01-01T00:00:00Z', started_at = now() - interval '1 day',
            completed_at = now() - interval '1 hour'
      where repository_id = $1`,
    [repository.id],
  );
  expect((await stateOf(ctx.client, repository.id)).status).toBe('completed');
  return repository;
}

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

test('a refresh stores its position with each page and moves the watermark to its first target only when done', async () => {
  const repository = await completedBackfill();
  const base = nextIdBase();
  expect(await position(repository.id)).toMatchObject({ cursor: null, targetWatermark: null });

  expect(await refresh(repository.id, { next: 'c1', prs: pullRequests(1, 3, base) })).toEqual({
    applied: true,
    inserted: 3,
    updated: 0,
    removed: 0,
  });
  const during = await position(repository.id);
  expect(during).toMatchObject({ cursor: 'c1', holder: 'worker-a#1' });
  expect(iso(during.targetWatermark)).toBe(TARGET);
  expect(iso(during.watermark)).toBe('2029-01-01T00:00:00.000Z'); // not yet: the pages below c1 are still to come

  // a later page's own target is ignored: the refresh keeps the one it began with
  await refresh(repository.id, { expected: 'c1', next: 'c2', target: '2031-01-01T00:00:00Z', prs: [] });
  await refresh(repository.id, { expected: 'c2', next: null, target: '2031-01-01T00:00:00Z', prs: [] });
  const after = await stateOf(ctx.client, repository.id);
  expect(iso(after.watermark)).toBe(TARGET);
  expect(after.refreshed_at).not.toBeNull();
  expect(after).toMatchObject({ refresh_cursor: null, refresh_target_watermark: null, refresh_holder: null });
  expect(Number(after.points_spent)).toBeGreaterThanOrEqual(3);
});

test('another position than the stored one is refused (PB002) and writes nothing: the second worker stops', async () => {
  const repository = await completedBackfill();
  const base = nextIdBase();
  await refresh(repository.id, { next: 'c1', holder: 'worker-a#1' });
  // worker b began at the same moment: its first page finds a refresh under way
  await expectSqlState(
    refresh(repository.id, { next: 'c1b', holder: 'worker-b#2', prs: pullRequests(1, 2, base) }),
    'PB002',
  );
  // worker b resumed from c1 and moved on; worker a, still paging from c1, loses
  await refresh(repository.id, { expected: 'c1', next: 'c2', holder: 'worker-b#2' });
  await expectSqlState(
    refresh(repository.id, {
      expected: 'c1',
      next: 'c2',
      holder: 'worker-a#1',
      prs: pullRequests(3, 2, base),
    }),
    'PB002',
  );
  expect(await countPullRequests(ctx.client, repository.id)).toBe(0);
  expect(await position(repository.id)).toMatchObject({ cursor: 'c2', holder: 'worker-b#2' });
  // once b is done, a late page of a's is refused too
  await refresh(repository.id, { expected: 'c2', next: null, holder: 'worker-b#2' });
  await expectSqlState(refresh(repository.id, { expected: 'c2', next: 'c3', holder: 'worker-a#1' }), 'PB002');
});

test("a replay of the holder's last page changes nothing", async () => {
  const repository = await completedBackfill();
  const base = nextIdBase();
  const page = { expected: null, next: 'c1', prs: pullRequests(1, 2, base), points: 5 };
  await refresh(repository.id, page);
  const before = await stateOf(ctx.client, repository.id);
  expect(await refresh(repository.id, page)).toEqual({ applied: false, inserted: 0, updated: 0, removed: 0 });
  expect(await stateOf(ctx.client, repository.id)).toEqual(before);
});

test('a position older than the walk’s completion belongs to an earlier walk and counts as none', async () => {
  const repository = await completedBackfill();
  await refresh(repository.id, { next: 'old' });
  // the backfill walked again and completed after that refresh began
  await ctx.client.query(
    `update progressive_backfill.backfill_state
        set refresh_started_at = now() - interval '2 hours', completed_at = now() - interval '1 hour'
      where repository_id = $1`,
    [repository.id],
  );
  expect(await position(repository.id)).toMatchObject({ cursor: null, targetWatermark: null, holder: null });
  await expectSqlState(refresh(repository.id, { expected: 'old', next: 'next' }), 'PB002');
  await refresh(repository.id, { next: 'new', target: '2030-02-01T00:00:00Z', holder: 'worker-c#3' });
  const now = await position(repository.id);
  expect(now).toMatchObject({ cursor: 'new', holder: 'worker-c#3' });
  expect(iso(now.targetWatermark)).toBe('2030-02-01T00:00:00.000Z');
});

test('a one-page refresh never moves the watermark back', async () => {
  const repository = await completedBackfill();
  await refresh(repository.id, { target: '2030-06-01T00:00:00Z' });
  await refresh(repository.id, { target: '2030-01-01T00:00:00Z' });
  expect(iso((await stateOf(ctx.client, repository.id)).watermark)).toBe('2030-06-01T00:00:00.000Z');
});

test('stored pull requests that left the scope are deleted with their children, unless stored newer', async () => {
  const base = nextIdBase();
  const [merged, retargeted, newer, stays] = pullRequests(1, 4, base) as [
    PullRequestRecord,
    PullRequestRecord,
    PullRequestRecord,
    PullRequestRecord,
  ];
  const repository = await completedBackfill([merged, retargeted, newer, stays]);
  const prId = async (pr: PullRequestRecord) =>
    (
      await ctx.client.query('select id from progressive_backfill.pull_requests where github_id = $1', [
        pr.github_id,
      ])
    ).rows[0]?.id as string | undefined;
  await ctx.client.query(
    `insert into progressive_backfill.comments (kind, github_id, node_id, pull_request_id, body, created_at, updated_at, sync)
     values ('issue_comment', $1, 'IC_gone', $2, 'goes with its pull request', now(), now(), 0)`,
    [base + 900, await prId(merged)],
  );
  const storedBefore = (
    await ctx.client.query('select stored_pr_count from progressive_backfill.repositories where id = $1', [
      repository.id,
    ])
  ).rows[0].stored_pr_count;

  const later = (pr: PullRequestRecord) => ({ github_id: pr.github_id, updated_at: '2029-06-01T00:00:00Z' });
  const result = await refresh(repository.id, {
    removed: [
      later(merged),
      later(retargeted),
      { github_id: newer.github_id, updated_at: '2000-01-01T00:00:00Z' },
    ],
  });
  expect(result).toMatchObject({ applied: true, removed: 2 });
  expect(await prId(merged)).toBeUndefined();
  expect(await prId(retargeted)).toBeUndefined();
  expect(await prId(newer)).toBeDefined(); // the stored version is newer than the one that left the scope
  expect(await prId(stays)).toBeDefined();
  const comments = await ctx.client.query(
    'select 1 from progressive_backfill.comments where github_id = $1',
    [base + 900],
  );
  expect(comments.rows).toEqual([]);
  const { rows } = await ctx.client.query(
    'select stored_pr_count from progressive_backfill.repositories where id = $1',
    [repository.id],
  );
  expect(rows[0].stored_pr_count).toBe(storedBefore - 2);
  expect(await countPullRequests(ctx.client, repository.id)).toBe(2);
});

test('bad input is refused (PB004): negative points, unknown repository, no holder, no target, bad removed', async () => {
  const repository = await completedBackfill();
  await expectSqlState(refresh(repository.id, { points: -1 }), 'PB004');
  await expectSqlState(refresh(99_999_999), 'PB004');
  await expectSqlState(refresh(repository.id, { holder: '' }), 'PB004');
  await expectSqlState(refresh(repository.id, { target: null }), 'PB004');
  await expectSqlState(refresh(repository.id, { removed: { github_id: 1 } }), 'PB004');
  await expectSqlState(refresh(repository.id, { removed: [{ github_id: 'x', updated_at: 'y' }] }), 'PB004');
  await expectSqlState(position(99_999_999), 'PB004');
});
