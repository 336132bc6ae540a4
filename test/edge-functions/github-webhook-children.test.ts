/**
 * The webhook's review and comment events end to end — signed requests in, rows out — against a real Postgres
 * database through the real store: each stores what the backfill would, once, never older over newer, deletions
 * stay deleted, and whatever has nowhere to land (or is malformed) is answered without a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleGitHubWebhook } from '../../src/edge-functions/github-webhook.ts';
import { signWebhookBody } from '../../src/edge-functions/webhook-signature.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import {
  issueCommentEvent,
  type PrFixture,
  pullRequestEvent,
  type RepoFixture,
  type ReviewCommentFixture,
  reviewCommentEvent,
  reviewEvent,
  USERS,
} from '../fixtures/webhook-payloads.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SECRET = 'vitest-webhook-children-secret';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresStore(database.url);
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

async function deliver(event: string, payload: unknown, deliveryId: string = crypto.randomUUID()) {
  const body = JSON.stringify(payload) ?? 'null';
  const response = await handleGitHubWebhook(
    new Request('http://localhost/functions/v1/github-webhook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': await signWebhookBody(SECRET, body),
      },
      body,
    }),
    { store, secret: SECRET },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const pg = await import('pg');
  const client = new pg.default.Client(database.url);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

let repoIds = 9_400_000;
/** A repository with pull request 4 stored through a pull_request delivery, as GitHub would send it. */
async function trackedPullRequest() {
  const repo: RepoFixture = { owner: 'acme', name: `kids-${++repoIds}`, id: repoIds };
  const pr = { id: 2_200_000_000 + repoIds, number: 4, updatedAt: '2025-01-02T00:00:00Z' };
  expect((await deliver('pull_request', pullRequestEvent(repo, pr))).status).toBe(200);
  return { repo, pr };
}

let childIds = 40_000;
const nextId = () => ++childIds;

/** A COMMENTED review, the one GitHub creates for review comments. */
async function submitReview(repo: RepoFixture, pr: PrFixture, id: number) {
  const review = { id, state: 'commented' as const, body: '', submittedAt: '2025-01-02T00:00:00Z' };
  expect((await deliver('pull_request_review', reviewEvent('submitted', repo, pr, review))).status).toBe(200);
}

/** A review comment of that review, on line 1 of `a`. */
function reviewComment(
  reviewId: number,
  overrides: Partial<ReviewCommentFixture> = {},
): ReviewCommentFixture {
  return {
    id: nextId(),
    reviewId,
    body: 'b',
    path: 'a',
    line: 1,
    originalLine: 1,
    createdAt: '2025-01-02T00:00:00Z',
    updatedAt: '2025-01-02T00:00:00Z',
    ...overrides,
  };
}

describe('reviews', () => {
  test('submitted, edited and dismissed: stored in GraphQL’s terms, each delivery once', async () => {
    const { repo, pr } = await trackedPullRequest();
    const id = nextId();
    const review = { id, state: 'approved' as const, body: 'LGTM', submittedAt: '2025-01-02T00:00:00Z' };
    const delivery = crypto.randomUUID();
    const submitted = await deliver(
      'pull_request_review',
      reviewEvent('submitted', repo, pr, review),
      delivery,
    );
    expect(submitted).toEqual({
      status: 200,
      body: {
        event: 'pull_request_review',
        action: 'submitted',
        delivery,
        duplicate: false,
        applied: true,
      },
    });
    const again = await deliver('pull_request_review', reviewEvent('submitted', repo, pr, review), delivery);
    expect(again.body.duplicate).toBe(true);

    const later = { ...pr, updatedAt: '2025-01-03T00:00:00Z' };
    await deliver(
      'pull_request_review',
      reviewEvent('edited', repo, later, { ...review, body: 'LGTM, really' }),
    );
    // a late delivery of the submission does not undo the edit
    await deliver('pull_request_review', reviewEvent('submitted', repo, pr, review));
    expect(
      await sql(
        `select v.state, v.body, v.author_login, v.author_github_id::text, v.commit_oid, v.submitted_at, v.updated_at
           from progressive_backfill.reviews v where v.github_id = $1`,
        [id],
      ),
    ).toEqual([
      {
        state: 'APPROVED',
        body: 'LGTM, really',
        author_login: 'mona',
        author_github_id: String(USERS.mona.id),
        commit_oid: 'c'.repeat(40),
        submitted_at: new Date('2025-01-02T00:00:00Z'),
        updated_at: new Date('2025-01-03T00:00:00Z'),
      },
    ]);

    const dismissedAt = { ...pr, updatedAt: '2025-01-04T00:00:00Z' };
    await deliver(
      'pull_request_review',
      reviewEvent('dismissed', repo, dismissedAt, { ...review, state: 'dismissed' }),
    );
    expect(await sql('select state from progressive_backfill.reviews where github_id = $1', [id])).toEqual([
      { state: 'DISMISSED' },
    ]);
  });

  test('a bot’s review is written under GraphQL’s login for it; a ghost’s under a null author', async () => {
    const { repo, pr } = await trackedPullRequest();
    const [bot, ghost] = [nextId(), nextId()];
    for (const [id, user] of [
      [bot, USERS.dependabot],
      [ghost, USERS.ghost],
    ] as const) {
      const review = {
        id,
        state: 'commented' as const,
        body: null,
        submittedAt: '2025-01-02T00:00:00Z',
        user,
      };
      expect((await deliver('pull_request_review', reviewEvent('submitted', repo, pr, review))).status).toBe(
        200,
      );
    }
    expect(
      await sql(
        `select github_id::text, author_login, author_type, body from progressive_backfill.reviews
          where github_id = any($1) order by github_id`,
        [[bot, ghost]],
      ),
    ).toEqual([
      { github_id: String(bot), author_login: 'dependabot', author_type: 'Bot', body: '' },
      { github_id: String(ghost), author_login: null, author_type: null, body: '' },
    ]);
    expect(
      await sql('select login, type, html_url from progressive_backfill.contributors where github_id = $1', [
        USERS.dependabot.id,
      ]),
    ).toEqual([{ login: 'dependabot', type: 'Bot', html_url: 'https://github.com/apps/dependabot' }]);
  });

  test('a pending review is acknowledged and never stored', async () => {
    const { repo, pr } = await trackedPullRequest();
    const id = nextId();
    const answer = await deliver(
      'pull_request_review',
      reviewEvent('submitted', repo, pr, { id, state: 'pending', body: '', submittedAt: null }),
    );
    expect(answer).toMatchObject({ status: 202, body: { ignored: true, reason: 'pending review' } });
    expect(await sql('select 1 from progressive_backfill.reviews where github_id = $1', [id])).toEqual([]);
  });
});

describe('comments', () => {
  test('a review comment is created, edited, and deleted for good', async () => {
    const { repo, pr } = await trackedPullRequest();
    const reviewId = nextId();
    await submitReview(repo, pr, reviewId);
    const comment = reviewComment(reviewId, {
      body: 'rename this',
      path: 'src/a.ts',
      line: null,
      originalLine: 9,
      inReplyTo: 12345,
    });
    expect(
      (await deliver('pull_request_review_comment', reviewCommentEvent('created', repo, pr, comment))).body,
    ).toMatchObject({ applied: true });
    const edited = { ...comment, body: 'rename this, please', updatedAt: '2025-01-03T00:00:00Z' };
    await deliver('pull_request_review_comment', reviewCommentEvent('edited', repo, pr, edited));
    const select = `select body, review_github_id::text, path, line, original_line, in_reply_to_github_id::text
                      from progressive_backfill.comments where kind = 'review_comment' and github_id = $1`;
    expect(await sql(select, [comment.id])).toEqual([
      {
        body: 'rename this, please',
        review_github_id: String(reviewId),
        path: 'src/a.ts',
        line: null,
        original_line: 9,
        in_reply_to_github_id: '12345',
      },
    ]);
    const deleted = await deliver(
      'pull_request_review_comment',
      reviewCommentEvent('deleted', repo, pr, edited),
    );
    expect(deleted).toMatchObject({ status: 200, body: { action: 'deleted', applied: true } });
    // GitHub does not order deliveries: the edit arriving after the deletion is late
    const late = await deliver('pull_request_review_comment', reviewCommentEvent('edited', repo, pr, edited));
    expect(late).toMatchObject({ status: 202, body: { reason: 'comment deleted' } });
    expect(await sql(select, [comment.id])).toEqual([]);
  });

  test('a review comment that arrives before its review is acknowledged, and its redelivery applies later', async () => {
    const { repo, pr } = await trackedPullRequest();
    const reviewId = nextId();
    const comment = reviewComment(reviewId);
    const delivery = crypto.randomUUID();
    const early = await deliver(
      'pull_request_review_comment',
      reviewCommentEvent('created', repo, pr, comment),
      delivery,
    );
    expect(early).toMatchObject({ status: 202, body: { reason: 'review not stored' } });
    await submitReview(repo, pr, reviewId);
    const redelivered = await deliver(
      'pull_request_review_comment',
      reviewCommentEvent('created', repo, pr, comment),
      delivery,
    );
    expect(redelivered).toMatchObject({ status: 200, body: { applied: true } });
  });

  test('a conversation comment on a pull request is stored; one on a plain issue is not', async () => {
    const { repo, pr } = await trackedPullRequest();
    const comment = {
      id: nextId(),
      body: 'Thanks — תודה 🎉',
      createdAt: '2025-01-02T00:00:00Z',
      updatedAt: '2025-01-02T00:00:00Z',
      user: USERS.mannequin,
    };
    expect(
      (await deliver('issue_comment', issueCommentEvent('created', repo, pr.number, comment))).status,
    ).toBe(200);
    const onIssue = { ...comment, id: nextId() };
    expect(
      await deliver('issue_comment', issueCommentEvent('created', repo, 5, onIssue, false)),
    ).toMatchObject({
      status: 202,
      body: { reason: 'not a pull request' },
    });
    const rows = await sql<{ github_id: string; body: string; author_type: string; pr: string }>(
      `select c.github_id::text, c.body, c.author_type, p.github_id::text as pr from progressive_backfill.comments c
         join progressive_backfill.pull_requests p on p.id = c.pull_request_id
        where c.kind = 'issue_comment' and c.github_id = any($1)`,
      [[comment.id, onIssue.id]],
    );
    expect(rows).toEqual([
      { github_id: String(comment.id), body: comment.body, author_type: 'Mannequin', pr: String(pr.id) },
    ]);

    await deliver('issue_comment', issueCommentEvent('deleted', repo, pr.number, comment));
    expect(
      await sql('select 1 from progressive_backfill.comments where github_id = $1', [comment.id]),
    ).toEqual([]);
  });

  test('events for a repository or pull request not stored are acknowledged and write nothing', async () => {
    const repo = { owner: 'acme', name: `untracked-${++repoIds}`, id: repoIds };
    const pr = { id: 2_300_000_000 + repoIds, number: 8, updatedAt: '2025-01-02T00:00:00Z' };
    const comment = {
      id: nextId(),
      body: 'x',
      createdAt: '2025-01-02T00:00:00Z',
      updatedAt: '2025-01-02T00:00:00Z',
    };
    expect(await deliver('issue_comment', issueCommentEvent('created', repo, 8, comment))).toMatchObject({
      status: 202,
      body: { reason: 'repository not tracked' },
    });
    expect(
      await sql('select 1 from progressive_backfill.repositories where github_id = $1', [repo.id]),
    ).toEqual([]);
    const { repo: tracked } = await trackedPullRequest();
    const review = {
      id: nextId(),
      state: 'approved' as const,
      body: '',
      submittedAt: '2025-01-02T00:00:00Z',
    };
    expect(await deliver('pull_request_review', reviewEvent('submitted', tracked, pr, review))).toMatchObject(
      {
        status: 202,
        body: { reason: 'pull request not stored' },
      },
    );
  });
});

describe('invalid input is answered 4xx, never 5xx', () => {
  const PATHS: string[][] = [
    [],
    ['action'],
    ['review'],
    ...['id', 'node_id', 'user', 'body', 'state', 'submitted_at', 'commit_id'].map((key) => ['review', key]),
    ['review', 'user', 'login'],
    ['review', 'user', 'id'],
    ['review', 'user', 'type'],
    ['review', 'user', 'avatar_url'],
    ['comment'],
    ...['id', 'node_id', 'user', 'body', 'created_at', 'updated_at', 'pull_request_review_id', 'path', 'line']
      .concat(['original_line', 'in_reply_to_id'])
      .map((key) => ['comment', key]),
    ['pull_request'],
    ['pull_request', 'id'],
    ['pull_request', 'updated_at'],
    ['issue'],
    ['issue', 'number'],
    ['issue', 'pull_request'],
    ['repository'],
    ['repository', 'id'],
    ['repository', 'name'],
  ];
  const NUL = String.fromCharCode(0);
  const nasty = fc.constantFrom<unknown>(
    undefined,
    null,
    NUL,
    `x${NUL}y`,
    '\ud800',
    '',
    '9'.repeat(30),
    -1,
    0,
    2 ** 31,
    2 ** 63,
    1.5,
    '2025-13-45T99:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    'PENDING',
    'x'.repeat(70_000),
    [],
    {},
    true,
  );
  const value = fc.oneof(nasty, fc.jsonValue({ maxDepth: 2 }));

  test('a signed review or comment delivery with any field replaced by anything is answered 2xx or 4xx', async () => {
    const { repo, pr } = await trackedPullRequest();
    const reviewId = nextId();
    await submitReview(repo, pr, reviewId);
    const comment = reviewComment(reviewId);
    const payloads: Record<string, () => Record<string, unknown>> = {
      pull_request_review: () =>
        reviewEvent('edited', repo, pr, {
          id: reviewId,
          state: 'commented',
          body: 'e',
          submittedAt: '2025-01-02T00:00:00Z',
        }),
      pull_request_review_comment: () => reviewCommentEvent('edited', repo, pr, comment),
      issue_comment: () => issueCommentEvent('edited', repo, pr.number, comment),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(payloads)),
        fc.constantFrom(...PATHS),
        value,
        async (event, path, replacement) => {
          const payload = payloads[event]!();
          let target: unknown = payload;
          if (path.length === 0) target = replacement;
          else {
            let node = payload as Record<string, unknown>;
            for (const key of path.slice(0, -1)) node = (node[key] ?? {}) as Record<string, unknown>;
            if (replacement === undefined) delete node[path.at(-1)!];
            else node[path.at(-1)!] = replacement;
          }
          const answer = await deliver(event, target);
          expect(
            answer.status,
            `${event} ${path.join('.')} = ${JSON.stringify(replacement)?.slice(0, 80)}: ${JSON.stringify(answer.body)}`,
          ).toBeLessThan(500);
        },
      ),
      { seed: 20261203, numRuns: 300 },
    );
  });
});
