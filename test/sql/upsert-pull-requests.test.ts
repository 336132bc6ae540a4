import { expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import {
  countPullRequests,
  expectSqlState,
  jsonb,
  nextIdBase,
  pullRequest,
  pullRequests,
  rpc,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const COLUMNS = `github_id::text, node_id, number, title, body, state, is_draft, created_at, updated_at, closed_at,
  merged_at, author_login, author_github_id::text, author_type, additions, deletions, changed_files, base_ref, head_ref,
  url, labels, review_decision, review_count, comment_count, field_profile`;

async function upsert(repositoryId: number, prs: unknown) {
  return rpc<{ inserted: number; updated: number }>(ctx.client, 'backfill_upsert_pull_requests', {
    p_repository_id: repositoryId,
    p_prs: jsonb(prs),
  });
}

async function stored(githubId: string) {
  const { rows } = await ctx.client.query(
    `select ${COLUMNS} from progressive_backfill.pull_requests where github_id = $1`,
    [githubId],
  );
  const row = rows[0];
  if (!row) return undefined;
  // compare timestamps as ISO strings, like the records
  for (const key of ['created_at', 'updated_at', 'closed_at', 'merged_at']) {
    if (row[key] instanceof Date) row[key] = row[key].toISOString();
  }
  return row;
}

function withId(pr: PullRequestRecord, base: number): PullRequestRecord {
  return { ...pr, github_id: String(BigInt(pr.github_id) + BigInt(base)) };
}

test('a 60,000-character body, emoji and right-to-left titles and a ghost author round-trip unchanged', async () => {
  const repository = await trackRepository(ctx.client);
  const base = nextIdBase();
  const long = withId(
    pullRequest(1, { body: 'x'.repeat(30_000) + '🦀'.repeat(10_000) + 'y'.repeat(20_000) }),
    base,
  );
  const emoji = withId(pullRequest(2, { title: '🚀 Ship it 👩🏽‍💻 — ünïcödé ✓', body: '' }), base);
  const rtl = withId(
    pullRequest(3, { title: 'إصلاح الخطأ في المحلل', body: 'שלום עולם \u202e mixed' }),
    base,
  );
  const ghost = withId(
    pullRequest(4, { author_login: null, author_github_id: null, author_type: null, body: null }),
    base,
  );
  const bigIds = withId(
    pullRequest(5, { author_github_id: '9007199254740993' }),
    base + 9_007_199_000_000_000,
  );
  const records = [long, emoji, rtl, ghost, bigIds];
  expect(await upsert(repository.id, records)).toEqual({ inserted: 5, updated: 0 });

  for (const record of records) {
    const row = await stored(record.github_id);
    expect(row).toEqual({
      ...record,
      labels: null,
      review_decision: null,
      review_count: null,
      comment_count: null,
    });
  }
  const length = await ctx.client.query(
    'select char_length(body) as n from progressive_backfill.pull_requests where github_id = $1',
    [long.github_id],
  );
  expect(length.rows[0].n).toBe(60_000);
});

test('an older version never overwrites a newer one', async () => {
  const repository = await trackRepository(ctx.client);
  const newer = withId(
    pullRequest(1, { title: 'newer', updated_at: '2024-05-02T00:00:00.000Z' }),
    nextIdBase(),
  );
  await upsert(repository.id, [newer]);
  const older = { ...newer, title: 'older', updated_at: '2024-05-01T00:00:00.000Z' };
  expect(await upsert(repository.id, [older])).toEqual({ inserted: 0, updated: 0 });
  expect((await stored(newer.github_id))?.title).toBe('newer');

  const same = { ...newer, title: 'same time, fetched again' };
  expect(await upsert(repository.id, [same])).toEqual({ inserted: 0, updated: 1 });
  expect((await stored(newer.github_id))?.title).toBe('same time, fetched again');
});

test('a page repeating a PR keeps its newest version', async () => {
  const repository = await trackRepository(ctx.client);
  const pr = withId(pullRequest(1), nextIdBase());
  const result = await upsert(repository.id, [
    { ...pr, title: 'old', updated_at: '2024-03-01T00:00:00.000Z' },
    { ...pr, title: 'new', updated_at: '2024-03-02T00:00:00.000Z' },
  ]);
  expect(result).toEqual({ inserted: 1, updated: 0 });
  expect((await stored(pr.github_id))?.title).toBe('new');
});

test('a poorer field profile keeps what a richer one stored', async () => {
  const repository = await trackRepository(ctx.client);
  const full = withId(
    pullRequest(1, {
      field_profile: 'full',
      labels: ['bug', 'p1'],
      review_decision: 'APPROVED',
      review_count: 2,
      comment_count: 5,
    }),
    nextIdBase(),
  );
  await upsert(repository.id, [full]);
  const core = withId(pullRequest(1, { title: 'renamed', updated_at: '2024-06-01T00:00:00.000Z' }), 0);
  await upsert(repository.id, [{ ...core, github_id: full.github_id }]);
  const row = await stored(full.github_id);
  expect(row).toMatchObject({
    title: 'renamed',
    field_profile: 'full',
    labels: ['bug', 'p1'],
    review_decision: 'APPROVED',
    review_count: 2,
    comment_count: 5,
  });

  const standard = {
    ...core,
    github_id: full.github_id,
    updated_at: '2024-07-01T00:00:00.000Z',
    field_profile: 'standard' as const,
    labels: [],
    review_decision: null,
    review_count: 3,
    comment_count: 6,
  };
  await upsert(repository.id, [standard]);
  expect(await stored(full.github_id)).toMatchObject({
    field_profile: 'full',
    labels: [],
    review_decision: null,
    review_count: 3,
    comment_count: 6,
  });
});

test('inserts add to stored_pr_count, updates do not', async () => {
  const repository = await trackRepository(ctx.client);
  const base = nextIdBase();
  expect(await upsert(repository.id, pullRequests(1, 10, base))).toEqual({ inserted: 10, updated: 0 });
  expect(await upsert(repository.id, pullRequests(6, 10, base))).toEqual({ inserted: 5, updated: 5 });
  const row = await rpc<{ storedPrCount: number }>(ctx.client, 'backfill_get_repository', {
    p_repository_id: repository.id,
  });
  expect(row.storedPrCount).toBe(15);
  expect(await countPullRequests(ctx.client, repository.id)).toBe(15);
});

test('an unknown repository or a malformed row is invalid input (PB004)', async () => {
  await expectSqlState(upsert(999_999, pullRequests(1, 1, nextIdBase())), 'PB004');
  const repository = await trackRepository(ctx.client);
  await expectSqlState(upsert(repository.id, [{ ...pullRequest(1), author_type: 'Robot' }]), 'PB004');
  await expectSqlState(upsert(repository.id, [{ ...pullRequest(1), additions: -3 }]), 'PB004');
  await expectSqlState(
    upsert(repository.id, [{ ...pullRequest(1), author_github_id: '12ab', author_login: 'x' }]),
    'PB004',
  );
  await expectSqlState(upsert(repository.id, 'not json rows'), 'PB004');
  expect(await countPullRequests(ctx.client, repository.id)).toBe(0);
});

test('an author is stored once, a renamed login replaces the old one, and a missing type never erases one', async () => {
  const repository = await trackRepository(ctx.client);
  const base = nextIdBase();
  const author = {
    author_github_id: String(base + 900),
    author_login: 'octocat',
    author_type: 'User' as const,
  };
  const account = async () =>
    (
      await ctx.client.query(
        'select login, type, updated_at from progressive_backfill.contributors where github_id = $1',
        [author.author_github_id],
      )
    ).rows[0];
  await upsert(
    repository.id,
    pullRequests(1, 3, base).map((pr) => ({ ...pr, ...author })),
  );
  const first = await account();
  expect(first).toMatchObject({ login: 'octocat', type: 'User' });

  // the same author again, and once with no type: nothing changes
  await upsert(
    repository.id,
    pullRequests(4, 2, base).map((pr) => ({ ...pr, ...author })),
  );
  await upsert(
    repository.id,
    pullRequests(6, 1, base).map((pr) => ({ ...pr, ...author, author_type: null })),
  );
  expect(await account()).toEqual(first);

  await upsert(
    repository.id,
    pullRequests(7, 1, base).map((pr) => ({ ...pr, ...author, author_login: 'renamed' })),
  );
  expect(await account()).toMatchObject({ login: 'renamed', type: 'User' });
});
