/**
 * The children transitions: a `full` page commit stores reviews, comments and contributors and queues follow-ups;
 * each follow-up page commits with its own cursor (compare-and-set, so a replay is skipped); a backfill completes
 * only when the last follow-up is done; a re-sync removes children GitHub no longer has, but only once the pull
 * request's whole child walk is over; an older copy never overwrites a newer one.
 */
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
    p_prs: jsonb([pr]),
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
