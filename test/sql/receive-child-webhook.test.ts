/**
 * backfill_receive_child and backfill_receive_comment_deletion: webhook deliveries about reviews and comments write
 * the rows a backfill page would, once per delivery; an older version never replaces a newer one; a deleted comment
 * stays deleted whatever arrives late; and a delivery that has nowhere to land changes and records nothing.
 */
import { expect, test } from 'vitest';
import type {
  CommentRecord,
  ReviewRecord,
  WebhookComment,
  WebhookContributor,
  WebhookReview,
} from '../../src/domain/children.ts';
import type { ChildWebhookReceipt } from '../../src/store/types.ts';
import { expectSqlState, jsonb, nextIdBase, pullRequest, rpc, uniqueName, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

let ids = 8_000_000_000;

interface Target {
  owner: string;
  name: string;
  githubId: string;
  pr: { github_id: string; number: number };
}

/** A repository tracked through a pull_request delivery, with one stored pull request. */
async function storedPullRequest(): Promise<Target> {
  const idBase = nextIdBase();
  const repo = { owner: 'octo', name: uniqueName('child'), githubId: String(++ids) };
  const pr = { ...pullRequest(4), github_id: String(idBase + 4) };
  await rpc(ctx.client, 'backfill_receive_webhook', {
    p_delivery_id: crypto.randomUUID(),
    p_event: 'pull_request',
    p_owner: repo.owner,
    p_name: repo.name,
    p_github_id: repo.githubId,
    p_node_id: null,
    p_observed_at: '2025-01-01T00:00:00Z',
    p_prs: jsonb([pr]),
  });
  return { ...repo, pr };
}

const mona: WebhookContributor = {
  github_id: '583231',
  login: 'mona',
  type: 'User',
  avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
  html_url: 'https://github.com/mona',
};

function review(overrides: Partial<WebhookReview> = {}): WebhookReview {
  const id = String(++ids);
  return {
    github_id: id,
    node_id: `PRR_${id}`,
    author_github_id: mona.github_id,
    author_login: mona.login,
    author_type: 'User',
    state: 'APPROVED',
    body: 'ship it 🚀 שלום',
    submitted_at: '2025-01-02T00:00:00.000Z',
    created_at: '2025-01-02T00:00:00.000Z',
    updated_at: '2025-01-02T00:00:00.000Z',
    commit_oid: 'c'.repeat(40),
    ...overrides,
  };
}

function comment(overrides: Partial<WebhookComment> = {}): WebhookComment {
  const id = String(++ids);
  return {
    kind: 'issue_comment',
    github_id: id,
    node_id: `IC_${id}`,
    author_github_id: mona.github_id,
    author_login: mona.login,
    author_type: 'User',
    body: 'first version',
    created_at: '2025-01-03T00:00:00.000Z',
    updated_at: '2025-01-03T00:00:00.000Z',
    review_github_id: null,
    path: null,
    line: null,
    original_line: null,
    in_reply_to_github_id: null,
    ...overrides,
  };
}

interface ChildDelivery {
  id?: string;
  target: Target;
  byNumber?: boolean;
  review?: unknown;
  comment?: unknown;
  contributors?: unknown[];
}

function receive(delivery: ChildDelivery): Promise<ChildWebhookReceipt> {
  const { target } = delivery;
  return rpc<ChildWebhookReceipt>(ctx.client, 'backfill_receive_child', {
    p_delivery_id: delivery.id ?? crypto.randomUUID(),
    p_event: delivery.review ? 'pull_request_review' : 'issue_comment',
    p_repository_github_id: target.githubId,
    p_owner: target.owner,
    p_name: target.name,
    p_pull_request_github_id: delivery.byNumber ? null : target.pr.github_id,
    p_pull_request_number: delivery.byNumber ? target.pr.number : null,
    p_contributors: jsonb(delivery.contributors ?? [mona]),
    p_review: delivery.review === undefined ? null : jsonb(delivery.review),
    p_comment: delivery.comment === undefined ? null : jsonb(delivery.comment),
  });
}

function deleteComment(target: Target, kind: string, githubId: string, id: string = crypto.randomUUID()) {
  return rpc<ChildWebhookReceipt>(ctx.client, 'backfill_receive_comment_deletion', {
    p_delivery_id: id,
    p_event: kind === 'review_comment' ? 'pull_request_review_comment' : 'issue_comment',
    p_repository_github_id: target.githubId,
    p_owner: target.owner,
    p_name: target.name,
    p_kind: kind,
    p_github_id: githubId,
  });
}

async function reviewRow(githubId: string) {
  const { rows } = await ctx.client.query<ReviewRecord & { sync: string; pr_sync: string }>(
    `select v.github_id::text, v.state, v.body, v.author_login, v.submitted_at, v.created_at, v.updated_at,
            v.sync::text, p.children_sync::text as pr_sync
       from progressive_backfill.reviews v join progressive_backfill.pull_requests p on p.id = v.pull_request_id
      where v.github_id = $1`,
    [githubId],
  );
  return rows[0];
}

async function commentRow(kind: string, githubId: string) {
  const { rows } = await ctx.client.query<CommentRecord>(
    `select c.kind, c.github_id::text, c.body, c.review_github_id::text, c.path, c.line, c.original_line,
            c.in_reply_to_github_id::text, p.github_id::text as pull_request_github_id
       from progressive_backfill.comments c join progressive_backfill.pull_requests p on p.id = c.pull_request_id
      where c.kind = $1 and c.github_id = $2`,
    [kind, githubId],
  );
  return rows[0];
}

async function deliveryRecorded(id: string): Promise<boolean> {
  const { rows } = await ctx.client.query(
    'select 1 from progressive_backfill.webhook_deliveries where delivery_id = $1',
    [id],
  );
  return rows.length === 1;
}

const APPLIED = { duplicate: false, applied: true, ignored: null };

test('a submitted review is stored with its author, stamped with the pull request’s sync; its redelivery changes nothing', async () => {
  const target = await storedPullRequest();
  const r = review();
  const id = crypto.randomUUID();
  expect(await receive({ id, target, review: r })).toEqual(APPLIED);
  expect(await reviewRow(r.github_id)).toMatchObject({
    state: 'APPROVED',
    body: r.body,
    author_login: 'mona',
  });
  const row = await reviewRow(r.github_id);
  expect(row?.sync).toBe(row?.pr_sync);
  const { rows } = await ctx.client.query(
    'select login, type, avatar_url, html_url from progressive_backfill.contributors where github_id = $1',
    [mona.github_id],
  );
  expect(rows).toEqual([
    { login: 'mona', type: 'User', avatar_url: mona.avatar_url, html_url: mona.html_url },
  ]);

  const again = await receive({
    id,
    target,
    review: { ...r, state: 'DISMISSED', updated_at: '2025-02-01T00:00:00Z' },
  });
  expect(again).toEqual({ duplicate: true, applied: false, ignored: null });
  expect((await reviewRow(r.github_id))?.state).toBe('APPROVED');
});

test('a late delivery of an older edit does not undo a newer one; an edit keeps the stored creation time', async () => {
  const target = await storedPullRequest();
  const c = comment();
  await receive({ target, comment: { ...c, body: 'newest', updated_at: '2025-01-05T00:00:00Z' } });
  expect(
    await receive({ target, comment: { ...c, body: 'older', updated_at: '2025-01-04T00:00:00Z' } }),
  ).toEqual({
    duplicate: false,
    applied: false,
    ignored: null,
  });
  expect((await commentRow('issue_comment', c.github_id))?.body).toBe('newest');

  const r = review({ created_at: '2025-01-01T12:00:00Z' });
  await receive({ target, review: r });
  // a webhook's edit knows no creation time: it sends submitted_at, and the stored one stays
  await receive({
    target,
    review: { ...r, body: 'edited', created_at: r.submitted_at!, updated_at: '2025-01-06T00:00:00Z' },
  });
  const row = await reviewRow(r.github_id);
  expect(row?.body).toBe('edited');
  expect(new Date(row!.created_at).toISOString()).toBe('2025-01-01T12:00:00.000Z');
});

test('an issue comment finds its pull request by number; a review comment is stored under its review', async () => {
  const target = await storedPullRequest();
  const c = comment();
  expect(await receive({ target, byNumber: true, comment: c })).toEqual(APPLIED);
  expect((await commentRow('issue_comment', c.github_id))?.pull_request_github_id).toBe(target.pr.github_id);

  const r = review({ state: 'COMMENTED' });
  await receive({ target, review: r });
  const rc = comment({
    kind: 'review_comment',
    node_id: `PRRC_${ids}`,
    review_github_id: r.github_id,
    path: 'src/a.ts',
    line: null,
    original_line: 12,
    in_reply_to_github_id: '77',
  });
  expect(await receive({ target, comment: rc })).toEqual(APPLIED);
  expect(await commentRow('review_comment', rc.github_id)).toMatchObject({
    review_github_id: r.github_id,
    path: 'src/a.ts',
    line: null,
    original_line: 12,
    in_reply_to_github_id: '77',
  });
});

test('a deleted comment goes, and no late creation or edit brings it back', async () => {
  const target = await storedPullRequest();
  const c = comment();
  await receive({ target, comment: c });
  const id = crypto.randomUUID();
  expect(await deleteComment(target, 'issue_comment', c.github_id, id)).toEqual(APPLIED);
  expect(await commentRow('issue_comment', c.github_id)).toBeUndefined();
  expect(await deleteComment(target, 'issue_comment', c.github_id, id)).toEqual({
    duplicate: true,
    applied: false,
    ignored: null,
  });

  const late = crypto.randomUUID();
  expect(
    await receive({
      id: late,
      target,
      comment: { ...c, body: 'edited', updated_at: '2025-03-01T00:00:00Z' },
    }),
  ).toEqual({
    duplicate: false,
    applied: false,
    ignored: 'comment deleted',
  });
  expect(await commentRow('issue_comment', c.github_id)).toBeUndefined();
  expect(await deliveryRecorded(late)).toBe(false);

  // deleted before its creation arrived: the creation is just as late
  const early = comment();
  expect(await deleteComment(target, 'issue_comment', early.github_id)).toMatchObject({ applied: false });
  expect((await receive({ target, comment: early })).ignored).toBe('comment deleted');
});

test('a backfill page read before the deletion does not bring the comment back either', async () => {
  const target = await storedPullRequest();
  const c = comment();
  await receive({ target, comment: c });
  await deleteComment(target, 'issue_comment', c.github_id);
  const { rows } = await ctx.client.query<{ written: number }>(
    `select progressive_backfill.upsert_children(r.id, null, $2::jsonb) as written
       from progressive_backfill.repositories r where r.github_id = $1`,
    [target.githubId, JSON.stringify([{ ...c, pull_request_github_id: target.pr.github_id }])],
  );
  expect(rows).toEqual([{ written: 0 }]);
  expect(await commentRow('issue_comment', c.github_id)).toBeUndefined();
});

test('remembered deletions are forgotten after a week', async () => {
  const target = await storedPullRequest();
  const old = comment();
  await deleteComment(target, 'issue_comment', old.github_id);
  await ctx.client.query(
    "update progressive_backfill.deleted_comments set deleted_at = now() - interval '8 days' where github_id = $1",
    [old.github_id],
  );
  await deleteComment(target, 'issue_comment', comment().github_id);
  const { rows } = await ctx.client.query(
    'select 1 from progressive_backfill.deleted_comments where github_id = $1',
    [old.github_id],
  );
  expect(rows).toEqual([]);
});

test('a delivery with nowhere to land is ignored and not recorded, so its redelivery applies once it can', async () => {
  const target = await storedPullRequest();
  const untracked = { ...target, githubId: String(++ids), name: uniqueName('untracked') };
  expect((await receive({ target: untracked, comment: comment() })).ignored).toBe('repository not tracked');
  expect((await deleteComment(untracked, 'issue_comment', '1')).ignored).toBe('repository not tracked');
  const otherPr = { ...target, pr: { github_id: String(++ids), number: 999 } };
  expect((await receive({ target: otherPr, review: review() })).ignored).toBe('pull request not stored');
  expect((await receive({ target: otherPr, byNumber: true, comment: comment() })).ignored).toBe(
    'pull request not stored',
  );
  expect((await receive({ target, review: review({ state: 'PENDING' as never }) })).ignored).toBe(
    'pending review',
  );

  // a review comment that arrives before its review
  const r = review({ state: 'COMMENTED' });
  const rc = comment({
    kind: 'review_comment',
    review_github_id: r.github_id,
    path: 'a',
    node_id: `PRRC_${ids}`,
  });
  const id = crypto.randomUUID();
  expect(await receive({ id, target, comment: rc })).toEqual({
    duplicate: false,
    applied: false,
    ignored: 'review not stored',
  });
  expect(await deliveryRecorded(id)).toBe(false);
  await receive({ target, review: r });
  expect(await receive({ id, target, comment: rc })).toEqual(APPLIED);
  expect(await deliveryRecorded(id)).toBe(true);
});

test('malformed rows are refused with PB004 and record nothing', async () => {
  const target = await storedPullRequest();
  const id = crypto.randomUUID();
  const cases: ChildDelivery[] = [
    { id, target, review: review(), comment: comment() },
    { id, target },
    { id, target, review: [review()] },
    { id, target, comment: { ...comment(), github_id: 'x' } },
    { id, target, comment: { ...comment(), kind: 'note' } },
    { id, target, comment: { ...comment(), review_github_id: '1.5' } },
    { id, target, review: review({ state: 'LOVED' as never }) },
    { id, target, review: review({ created_at: 'not a time' }) },
    { id, target, comment: comment(), contributors: [{ ...mona, type: 'Robot' }] },
  ];
  for (const delivery of cases) await expectSqlState(receive(delivery), 'PB004');
  await expectSqlState(deleteComment(target, 'note', '1', id), 'PB004');
  await expectSqlState(deleteComment(target, 'issue_comment', null as never, id), 'PB004');
  await expectSqlState(deleteComment(target, 'issue_comment', '1', 'not a guid!'), 'PB004');
  expect(await deliveryRecorded(id)).toBe(false);
});
