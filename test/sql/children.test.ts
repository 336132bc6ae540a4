/**
 * The children transitions: a `full` page commit stores reviews, comments and contributors and queues follow-ups;
 * each follow-up page commits with its own cursor (compare-and-set, so a replay is skipped); a backfill completes
 * only when the last follow-up is done; a re-sync removes children GitHub no longer has, but only once the pull
 * request's whole child walk is over; an older copy never overwrites a newer one.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import type {
  CommentRecord,
  ContributorRecord,
  FollowUpTask,
  ReviewRecord,
} from '../../src/domain/children.ts';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import type { CommitFollowUpsResult } from '../../src/store/types.ts';
import {
  chunkOf,
  commitPage,
  expectSqlState,
  jsonb,
  leasedRepository,
  nextIdBase,
  prRows,
  pullRequests,
  rpc,
  staleToken,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

function fullPr(pr: PullRequestRecord, author: ContributorRecord): PullRequestRecord {
  return {
    ...pr,
    field_profile: 'full',
    labels: ['bug'],
    author_github_id: author.github_id,
    author_login: author.login,
    author_type: 'User',
  };
}

let ids = 5_000_000_000;
const contributor = (login: string): ContributorRecord => ({
  github_id: String(++ids),
  login,
  type: 'User',
  avatar_url: `https://avatars.example/${login}`,
  html_url: `https://github.com/${login}`,
});

function review(
  pr: PullRequestRecord,
  author: ContributorRecord,
  overrides: Partial<ReviewRecord> = {},
): ReviewRecord {
  const id = String(++ids);
  return {
    github_id: id,
    node_id: `PRR_${id}`,
    pull_request_github_id: pr.github_id,
    author_github_id: author.github_id,
    author_login: author.login,
    author_type: 'User',
    state: 'APPROVED',
    body: 'looks good 👍 מעולה',
    submitted_at: '2025-01-02T00:00:00Z',
    created_at: '2025-01-02T00:00:00Z',
    updated_at: '2025-01-02T00:00:00Z',
    commit_oid: 'a'.repeat(40),
    ...overrides,
  };
}

function comment(pr: PullRequestRecord, overrides: Partial<CommentRecord> = {}): CommentRecord {
  const id = String(++ids);
  return {
    kind: 'issue_comment',
    github_id: id,
    node_id: `IC_${id}`,
    pull_request_github_id: pr.github_id,
    author_github_id: null,
    author_login: null,
    author_type: null,
    body: 'a ghost wrote this',
    created_at: '2025-01-03T00:00:00Z',
    updated_at: '2025-01-03T00:00:00Z',
    review_github_id: null,
    path: null,
    line: null,
    original_line: null,
    in_reply_to_github_id: null,
    ...overrides,
  };
}

const task = (
  kind: FollowUpTask['kind'],
  nodeId: string,
  pr: PullRequestRecord,
  extra: Partial<FollowUpTask> = {},
): FollowUpTask => ({
  kind,
  node_id: nodeId,
  pull_request_github_id: pr.github_id,
  review_github_id: null,
  cursor: null,
  ...extra,
});

function followUps(
  lease: { repositoryId: number; chunkId: number | null; fencingToken: string | null },
  pages: unknown[],
  walkDone = false,
) {
  return rpc<CommitFollowUpsResult>(ctx.client, 'backfill_commit_follow_ups', {
    p_repository_id: lease.repositoryId,
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_pages: jsonb(pages),
    p_points_spent: 1,
    p_walk_done: walkDone,
    p_lease_seconds: 60,
  });
}

const page = (t: FollowUpTask, next: string | null, rows: Record<string, unknown> = {}) => ({
  kind: t.kind,
  node_id: t.node_id,
  expected_cursor: t.cursor,
  next_cursor: next,
  contributors: [],
  reviews: [],
  comments: [],
  follow_ups: [],
  labels: null,
  ...rows,
});

async function count(table: string, prGithubId: string): Promise<number> {
  const { rows } = await ctx.client.query(
    `select count(*)::int as n from progressive_backfill.${table} x
       join progressive_backfill.pull_requests p on p.id = x.pull_request_id where p.github_id = $1`,
    [prGithubId],
  );
  return rows[0].n;
}

async function setup() {
  const { repository, lease } = await leasedRepository(ctx.client);
  const alice = contributor('alice');
  const [pr] = pullRequests(1, 1, nextIdBase()).map((p) => fullPr(p, alice));
  return { repository, lease, alice, pr: pr! };
}

test('a full page stores children and contributors, queues follow-ups, and the backfill completes only with the last follow-up', async () => {
  const { repository, lease, alice, pr } = await setup();
  const bob = contributor('bob');
  const r = review(pr, bob);
  const t = task('review_comments', r.node_id, pr, { review_github_id: r.github_id });
  const result = await commitPage(ctx.client, {
    ...lease,
    prs: [pr],
    nextCursor: { v: 1, end: true },
    done: true,
    children: { contributors: [alice, bob], reviews: [r], comments: [comment(pr)], follow_ups: [t] },
  } as never);
  expect(result.completed).toBe(false);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('active');
  expect(await count('reviews', pr.github_id)).toBe(1);
  expect(await count('comments', pr.github_id)).toBe(1);
  const listed = await rpc<FollowUpTask[]>(ctx.client, 'backfill_list_follow_ups', {
    p_repository_id: repository.id,
    p_limit: 10,
  });
  expect(listed).toEqual([t]);

  const reviewComment = comment(pr, {
    kind: 'review_comment',
    review_github_id: r.github_id,
    path: 'src/a.ts',
    line: null,
    original_line: 12,
    author_github_id: bob.github_id,
    author_login: 'bob',
    author_type: 'User',
  });
  const done = await followUps(lease, [page(t, null, { comments: [reviewComment] })], true);
  expect(done).toEqual({ applied: 1, skipped: 0, written: 1, remaining: 0, completed: true });
  expect((await stateOf(ctx.client, repository.id)).status).toBe('completed');
  expect((await chunkOf(ctx.client, lease.chunkId)).status).toBe('completed');
  expect(await count('comments', pr.github_id)).toBe(2);
});

test('each follow-up page moves its own cursor; a replay is skipped and writes nothing twice', async () => {
  const { repository, lease, pr } = await setup();
  const t = task('labels', pr.node_id, pr, { cursor: 'c1' });
  await commitPage(ctx.client, {
    ...lease,
    prs: [pr],
    nextCursor: { v: 1 },
    children: { contributors: [], reviews: [], comments: [], follow_ups: [t] },
  } as never);
  const first = page(t, 'c2', { labels: ['bug', 'area/ui'] });
  expect(await followUps(lease, [first])).toMatchObject({ applied: 1, skipped: 0, remaining: 1 });
  expect(await followUps(lease, [first])).toMatchObject({ applied: 0, skipped: 1, remaining: 1 });
  expect(await followUps(lease, [page({ ...t, cursor: 'c2' }, null, { labels: ['area/db'] })])).toMatchObject(
    {
      applied: 1,
      remaining: 0,
    },
  );
  const { rows } = await ctx.client.query(
    'select labels from progressive_backfill.pull_requests where github_id = $1',
    [pr.github_id],
  );
  expect(rows[0].labels).toEqual(['bug', 'area/ui', 'area/db']);
  expect((await stateOf(ctx.client, repository.id)).status).toBe('active');
});

test('a worker whose lease is gone cannot commit follow-ups (PB001)', async () => {
  const { lease, pr } = await setup();
  const t = task('comments', pr.node_id, pr, { cursor: 'x' });
  await commitPage(ctx.client, {
    ...lease,
    prs: [pr],
    nextCursor: { v: 1 },
    children: { contributors: [], reviews: [], comments: [], follow_ups: [t] },
  } as never);
  await expectSqlState(followUps({ ...lease, fencingToken: staleToken(lease) }, [page(t, null)]), 'PB001');
  await expectSqlState(followUps({ ...lease, chunkId: lease.chunkId }, 'nope' as never), 'PB004');
});

test('a re-sync removes children GitHub no longer has, only once the pull request’s follow-ups are done', async () => {
  const { lease, alice, pr } = await setup();
  const keep = comment(pr);
  const gone = comment(pr);
  await commitPage(ctx.client, {
    ...lease,
    prs: [pr],
    nextCursor: { v: 1 },
    children: { contributors: [alice], reviews: [], comments: [keep, gone], follow_ups: [] },
  } as never);
  expect(await count('comments', pr.github_id)).toBe(2);

  // The pull request changed: the new page lists `keep` only, and more comments wait behind a cursor.
  const changed = { ...pr, updated_at: '2025-02-01T00:00:00Z' };
  const more = task('comments', pr.node_id, pr, { cursor: 'p2' });
  await commitPage(ctx.client, {
    ...lease,
    expectedCursor: { v: 1 },
    nextCursor: { v: 2 },
    prs: [changed],
    children: { contributors: [], reviews: [], comments: [keep], follow_ups: [more] },
  } as never);
  expect(await count('comments', pr.github_id)).toBe(2); // `gone` may still be on a later page
  await followUps(lease, [page(more, null, { comments: [comment(pr)] })]);
  expect(await count('comments', pr.github_id)).toBe(2); // keep + the new one; gone is gone
  const { rows } = await ctx.client.query(
    'select github_id::text from progressive_backfill.comments where github_id = $1',
    [gone.github_id],
  );
  expect(rows).toEqual([]);
});

test('an older copy of a child never overwrites a newer one; a login change keeps the avatar', async () => {
  const { lease, alice, pr } = await setup();
  const newer = comment(pr, { body: 'edited', updated_at: '2025-03-01T00:00:00Z' });
  await commitPage(ctx.client, {
    ...lease,
    prs: [pr],
    nextCursor: { v: 1 },
    children: { contributors: [alice], reviews: [], comments: [newer], follow_ups: [] },
  } as never);
  const older = { ...newer, body: 'original', updated_at: '2025-01-03T00:00:00Z' };
  const renamed = { ...alice, login: 'alice-renamed', avatar_url: null };
  await rpc(ctx.client, 'backfill_commit_refresh', {
    p_repository_id: lease.repositoryId,
    p_expected_cursor: null,
    p_next_cursor: null,
    p_target_watermark: pr.updated_at,
    p_holder: 'refresher',
    p_prs: prRows([pr]),
    p_points_spent: 0,
    p_children: jsonb({ contributors: [renamed], reviews: [], comments: [older], follow_ups: [] }),
  });
  const { rows } = await ctx.client.query(
    'select body from progressive_backfill.comments where github_id = $1',
    [newer.github_id],
  );
  expect(rows[0].body).toBe('edited');
  const who = await ctx.client.query(
    'select login, avatar_url from progressive_backfill.contributors where github_id = $1',
    [alice.github_id],
  );
  expect(who.rows[0]).toEqual({ login: 'alice-renamed', avatar_url: alice.avatar_url });
});

test('a list limit outside 1..1000 is invalid input (PB004)', async () => {
  const { repository } = await setup();
  await expectSqlState(
    rpc(ctx.client, 'backfill_list_follow_ups', { p_repository_id: repository.id, p_limit: 0 }),
    'PB004',
  );
});

// The set-based commit must do what applying its pages one after another did: the loop it replaced, taken from the
// migration that defined it, runs on the same state and both outcomes are compared.
const LOOP = 'progressive_backfill.loop_commit_follow_ups';

async function createLoop(): Promise<void> {
  const history = await readFile(
    new URL('../../supabase/migrations/20261202100001_complete_history.sql', import.meta.url),
    'utf8',
  );
  const start = history.indexOf('-- ===== 41_backfill_commit_follow_ups.sql =====');
  const body = history.slice(start, history.indexOf('-- =====', start + 10));
  await ctx.client.query(body.replace('progressive_backfill.backfill_commit_follow_ups(', `${LOOP}(`));
}

/** What a follow-up commit can change, without ids and clocks. */
async function snapshot(repositoryId: number) {
  const q = async (sql: string) => (await ctx.client.query(sql, [repositoryId])).rows;
  return {
    tasks: await q(`select p.github_id::text as pr, f.kind, f.node_id, f.review_github_id::text, f.cursor
      from progressive_backfill.child_follow_ups f join progressive_backfill.pull_requests p on p.id = f.pull_request_id
      where f.repository_id = $1 order by f.kind, f.node_id`),
    prs: await q(`select github_id::text, labels, children_sync from progressive_backfill.pull_requests
      where repository_id = $1 order by github_id`),
    reviews:
      await q(`select v.github_id::text, v.body, v.state, v.updated_at, v.sync from progressive_backfill.reviews v
      join progressive_backfill.pull_requests p on p.id = v.pull_request_id where p.repository_id = $1 order by 1`),
    comments:
      await q(`select c.kind, c.github_id::text, c.body, c.updated_at, c.sync from progressive_backfill.comments c
      join progressive_backfill.pull_requests p on p.id = c.pull_request_id where p.repository_id = $1 order by 1, 2`),
    contributors:
      await q(`select github_id::text, login, type, avatar_url, html_url from progressive_backfill.contributors
      where $1::bigint is not null and github_id >= 5000000000 order by 1`),
    chunks: await q(
      `select status, points_spent from progressive_backfill.backfill_chunks where repository_id = $1`,
    ),
    state: await q(
      `select status, points_spent from progressive_backfill.backfill_state where repository_id = $1`,
    ),
  };
}

/** Runs `pages` through the loop and through the function, each in a transaction rolled back, and compares. */
async function expectAsLoop(
  lease: { repositoryId: number; chunkId: number; fencingToken: string },
  pages: unknown[],
  walkDone = false,
) {
  const outcome = async (fn: string) => {
    await ctx.client.query('begin');
    try {
      const { rows } = await ctx.client.query(`select ${fn}($1, $2, $3, $4::jsonb, 1, $5, 60) as result`, [
        lease.repositoryId,
        lease.chunkId,
        lease.fencingToken,
        JSON.stringify(pages),
        walkDone,
      ]);
      return { result: rows[0].result as CommitFollowUpsResult, state: await snapshot(lease.repositoryId) };
    } finally {
      await ctx.client.query('rollback');
    }
  };
  const loop = await outcome(LOOP);
  const set = await outcome('progressive_backfill.backfill_commit_follow_ups');
  expect(set).toEqual(loop);
  return set;
}

async function twoPullRequests() {
  const { repository, lease } = await leasedRepository(ctx.client);
  const alice = contributor('alice');
  const [one, two] = pullRequests(1, 2, nextIdBase()).map((p) => fullPr(p, alice)) as [
    PullRequestRecord,
    PullRequestRecord,
  ];
  const r1 = review(one, alice);
  const tasks = {
    labels1: task('labels', one.node_id, one, { cursor: 'l1' }),
    labels2: task('labels', two.node_id, two, { cursor: 'l2' }),
    reviews1: task('reviews', one.node_id, one, { cursor: 'r1' }),
    comments2: task('comments', two.node_id, two, { cursor: 'c2' }),
    reviewComments1: task('review_comments', r1.node_id, one, {
      review_github_id: r1.github_id,
      cursor: 'rc1',
    }),
  };
  await commitPage(ctx.client, {
    ...lease,
    prs: [one, two],
    nextCursor: { v: 1 },
    children: { contributors: [alice], reviews: [r1], comments: [], follow_ups: Object.values(tasks) },
  } as never);
  if (!loopCreated) await createLoop();
  loopCreated = true;
  return { repository, lease, alice, one, two, r1, tasks };
}
let loopCreated = false;

test('a task twice in one call: a replayed page is skipped, a page continuing where the first ended applies', async () => {
  const { lease, alice, one, tasks } = await twoPullRequests();
  const c = comment(one, { author_github_id: alice.github_id, author_login: 'alice', author_type: 'User' });
  const first = page(tasks.labels1, 'l1b', { labels: ['x'], contributors: [alice], comments: [c] });
  const replayed = await expectAsLoop(lease, [first, first]);
  expect(replayed.result).toMatchObject({ applied: 1, skipped: 1, written: 1, remaining: 5 });
  expect(replayed.state.tasks.find((t) => t.kind === 'labels' && t.pr === one.github_id)?.cursor).toBe('l1b');

  // The chain writes the same comment twice (the loop counted it twice), and ends the task.
  const chained = await expectAsLoop(lease, [
    first,
    page({ ...tasks.labels1, cursor: 'l1b' }, null, { labels: ['x', 'y'], comments: [c] }),
  ]);
  expect(chained.result).toMatchObject({ applied: 2, skipped: 0, written: 2, remaining: 4 });
  expect(chained.state.prs.find((p) => p.github_id === one.github_id)?.labels).toEqual(['bug', 'x', 'y']);
});

test('applied and skipped pages mix in one call: a skipped page writes nothing and keeps its cursor', async () => {
  const { lease, one, two, tasks } = await twoPullRequests();
  const stale = comment(two);
  const fresh = comment(two);
  const { result, state } = await expectAsLoop(lease, [
    page(tasks.reviews1, 'r1b', { reviews: [review(one, contributor('carol'), { author_github_id: null })] }),
    page({ ...tasks.comments2, cursor: 'not-this-one' }, null, { comments: [stale] }),
    page(task('comments', 'PR_unknown', one), null, { comments: [comment(one)] }),
    page(tasks.reviewComments1, null, { comments: [] }),
    page({ ...tasks.comments2, cursor: 'c2' }, 'c2b', { comments: [fresh] }),
  ]);
  expect(result).toMatchObject({ applied: 3, skipped: 2, written: 2, remaining: 4 });
  expect(state.comments.map((c) => c.github_id)).toEqual([fresh.github_id]);
  expect(state.tasks.map((t) => [t.kind, t.cursor])).toEqual([
    ['comments', 'c2b'],
    ['labels', 'l1'],
    ['labels', 'l2'],
    ['reviews', 'r1b'],
  ]);
});

test('labels of two pull requests in one call: each gets its own, appended in page order and once', async () => {
  const { lease, one, two, tasks } = await twoPullRequests();
  const { state } = await expectAsLoop(lease, [
    page(tasks.labels1, null, { labels: ['area/ui', 'bug', 'area/ui', 'p1'] }),
    page(tasks.labels2, null, { labels: ['p1', 'bug'] }),
    page(tasks.reviews1, null, { labels: [] }),
  ]);
  const labels = Object.fromEntries(state.prs.map((p) => [p.github_id, p.labels]));
  expect(labels).toEqual({
    [one.github_id]: ['bug', 'area/ui', 'area/ui', 'p1'],
    [two.github_id]: ['bug', 'p1'],
  });
});

test('follow-ups a page reveals are queued for its own pull request only; a task they reveal starts a new batch', async () => {
  const { lease, one, two, tasks } = await twoPullRequests();
  const dave = contributor('dave');
  const r2 = review(two, dave);
  const own = task('review_comments', 'PRR_revealed', one, { review_github_id: '77', cursor: 'o1' });
  const leaked = task('comments', 'PR_other', two, { cursor: 'x' });
  const { result, state } = await expectAsLoop(lease, [
    page(tasks.reviews1, null, { follow_ups: [own, leaked, tasks.reviews1] }),
    page(tasks.comments2, null, { contributors: [dave], reviews: [r2] }),
    // revealed by the first page, so it exists by now: the loop applied it, and so must the batches
    page(own, 'o2'),
    // an ended task revealed again comes back
    page(tasks.labels2, null, { follow_ups: [{ ...tasks.comments2, cursor: 'again' }] }),
  ]);
  expect(result).toMatchObject({ applied: 4, skipped: 0 });
  expect(state.tasks.map((t) => [t.pr, t.kind, t.node_id, t.cursor])).toEqual([
    [two.github_id, 'comments', two.node_id, 'again'],
    [one.github_id, 'labels', one.node_id, 'l1'],
    [one.github_id, 'review_comments', tasks.reviewComments1.node_id, 'rc1'],
    [one.github_id, 'review_comments', own.node_id, 'o2'],
  ]);

  // a page revealing a task an earlier page of its batch ended: the task comes back
  const back = await expectAsLoop(lease, [
    page(tasks.comments2, null),
    page(tasks.labels2, null, { follow_ups: [{ ...tasks.comments2, cursor: 'again' }] }),
  ]);
  expect(back.state.tasks.find((t) => t.kind === 'comments')?.cursor).toBe('again');
});

test('an invalid row in any applied page of a set-based commit is PB004 and nothing of the call stays', async () => {
  const { lease, repository, one, tasks } = await twoPullRequests();
  const before = await snapshot(repository.id);
  const bad = review(one, contributor('erin'), { author_github_id: null, state: 'LOVED' as never });
  await expectSqlState(
    followUps(lease, [
      page(tasks.labels1, null, { labels: ['z'] }),
      page(tasks.reviews1, null, { reviews: [bad] }),
    ]),
    'PB004',
  );
  await expectSqlState(
    followUps(lease, [
      page(tasks.labels1, null),
      page(tasks.comments2, null, { follow_ups: [{ ...tasks.comments2, kind: 'nope', node_id: 'n' }] }),
    ]),
    'PB004',
  );
  expect(await snapshot(repository.id)).toEqual(before);
});
