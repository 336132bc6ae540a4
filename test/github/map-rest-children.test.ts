/**
 * A review or comment from a webhook maps to the row the GraphQL backfill writes for the same review or comment
 * (same ids, author, state, lines), and each delivery to the change it stands for.
 */
import { describe, expect, test } from 'vitest';
import { mapFollowUpPage, mapInlineChildren } from '../../src/github/map-children.ts';
import { RestShapeError } from '../../src/github/map-rest.ts';
import { type ChildChange, childChange } from '../../src/github/map-rest-children.ts';
import {
  issueCommentEvent,
  type RestUser,
  restUser,
  reviewCommentEvent,
  reviewEvent,
  USERS,
} from '../fixtures/webhook-payloads.ts';

const repo = { owner: 'acme', name: 'widgets', id: 9_300_001 };
const pr = { id: 2_100_000_004, number: 4, updatedAt: '2025-01-02T00:00:05Z' };

/** The same account as GraphQL's Actor shows it. */
function graphqlActor(user: RestUser | null) {
  if (user === null || user.login === 'ghost') return null;
  const rest = restUser(user);
  return {
    __typename: user.type,
    login: user.type === 'Bot' ? user.login.replace(/\[bot\]$/, '') : user.login,
    avatarUrl: rest.avatar_url as string,
    url: rest.html_url as string,
    databaseId: user.id,
  };
}

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
/** Timestamps as instants (GraphQL writes `…Z`, the REST mapping `….000Z`: the same timestamptz) */
function normalised(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const key of ['created_at', 'updated_at', 'submitted_at'])
    if (key in out) out[key] = iso(out[key] as string | null);
  delete out.pull_request_github_id;
  return out;
}

function upsert(change: ChildChange) {
  if (change.type !== 'upsert') throw new Error(`expected an upsert, got ${JSON.stringify(change)}`);
  return change;
}

describe('the same rows as the GraphQL backfill', () => {
  test.each([
    ['a user', USERS.mona],
    ['a bot (REST adds [bot] to its login, GraphQL does not)', USERS.dependabot],
    ['a mannequin', USERS.mannequin],
    ['a deleted account (ghost)', USERS.ghost],
    ['no user at all', null],
  ])('a submitted review by %s', (_name, user) => {
    const submittedAt = '2025-01-02T00:00:00Z';
    const change = upsert(
      childChange(
        'pull_request_review',
        reviewEvent('submitted', repo, pr, {
          id: 71,
          state: 'changes_requested',
          body: 'Please 🙏 שלום',
          submittedAt,
          user,
        }),
      ),
    );
    const graphql = mapInlineChildren(
      {
        id: `PR_kwDO${pr.id}`,
        reviews: {
          nodes: [
            {
              id: 'PRR_kwDO71',
              fullDatabaseId: '71',
              state: 'CHANGES_REQUESTED',
              body: 'Please 🙏 שלום',
              submittedAt,
              createdAt: submittedAt,
              updatedAt: submittedAt,
              commit: { oid: 'c'.repeat(40) },
              author: graphqlActor(user),
            },
          ],
        },
      },
      String(pr.id),
    );
    expect(change.pullRequest).toEqual({ githubId: String(pr.id) });
    expect('review' in change.child && normalised(change.child.review)).toEqual(
      normalised(graphql.reviews[0]!),
    );
    expect(change.contributors).toEqual(graphql.contributors);
  });

  test.each([
    ['on a line', 12, 12, undefined],
    ['outdated (its line left the diff), a reply', null, 7, 70],
  ])('a review comment %s', (_name, line, originalLine, inReplyTo) => {
    const fixture = {
      id: 81,
      reviewId: 71,
      body: 'nit: `x` → `y`',
      path: 'src/a.ts',
      line,
      originalLine,
      inReplyTo,
      createdAt: '2025-01-02T00:00:00Z',
      updatedAt: '2025-01-03T00:00:00Z',
      user: USERS.dependabot,
    };
    const change = upsert(
      childChange('pull_request_review_comment', reviewCommentEvent('created', repo, pr, fixture)),
    );
    const graphql = mapFollowUpPage(
      {
        kind: 'review_comments',
        node_id: 'PRR_kwDO71',
        pull_request_github_id: String(pr.id),
        review_github_id: '71',
        cursor: null,
      },
      {
        page: {
          nodes: [
            {
              id: 'PRRC_kwDO81',
              fullDatabaseId: '81',
              body: fixture.body,
              createdAt: fixture.createdAt,
              updatedAt: fixture.updatedAt,
              path: fixture.path,
              line,
              originalLine,
              replyTo: inReplyTo === undefined ? null : { fullDatabaseId: String(inReplyTo) },
              author: graphqlActor(USERS.dependabot),
            },
          ],
        },
      },
    );
    expect('comment' in change.child && normalised(change.child.comment)).toEqual(
      normalised(graphql.comments[0]!),
    );
    expect(change.contributors).toEqual(graphql.contributors);
  });

  test('a conversation comment, found by the pull request’s number (the issue id is not the pull request’s)', () => {
    const fixture = {
      id: 91,
      body: 'Thanks!',
      createdAt: '2025-01-02T00:00:00Z',
      updatedAt: '2025-01-02T00:00:00Z',
    };
    const change = upsert(
      childChange('issue_comment', issueCommentEvent('created', repo, pr.number, fixture)),
    );
    const graphql = mapInlineChildren(
      {
        id: `PR_kwDO${pr.id}`,
        comments: {
          nodes: [
            {
              id: 'IC_kwDO91',
              fullDatabaseId: '91',
              body: fixture.body,
              createdAt: fixture.createdAt,
              updatedAt: fixture.updatedAt,
              author: graphqlActor(USERS.mona),
            },
          ],
        },
      },
      String(pr.id),
    );
    expect(change.pullRequest).toEqual({ number: pr.number });
    expect('comment' in change.child && normalised(change.child.comment)).toEqual(
      normalised(graphql.comments[0]!),
    );
  });
});

describe('reviews: state and times', () => {
  test.each([
    ['approved', 'APPROVED'],
    ['changes_requested', 'CHANGES_REQUESTED'],
    ['commented', 'COMMENTED'],
    ['dismissed', 'DISMISSED'],
  ] as const)('webhook state %s is stored as GraphQL’s %s', (state, stored) => {
    const change = upsert(
      childChange(
        'pull_request_review',
        reviewEvent('submitted', repo, pr, { id: 1, state, body: null, submittedAt: '2025-01-02T00:00:00Z' }),
      ),
    );
    expect(change.child).toMatchObject({ review: { state: stored, body: '' } });
  });

  test('a pending review is never stored', () => {
    const payload = reviewEvent('submitted', repo, pr, {
      id: 1,
      state: 'pending',
      body: '',
      submittedAt: null,
    });
    expect(childChange('pull_request_review', payload)).toEqual({ type: 'ignore', reason: 'pending review' });
  });

  test('an edit or dismissal, whose time REST does not give, is dated by the pull request’s updated_at, never earlier than the submission', () => {
    const review = { id: 1, state: 'dismissed' as const, body: 'x', submittedAt: '2025-01-02T00:00:00Z' };
    for (const action of ['edited', 'dismissed'] as const) {
      const change = upsert(childChange('pull_request_review', reviewEvent(action, repo, pr, review)));
      expect(change.child).toMatchObject({
        review: { created_at: '2025-01-02T00:00:00.000Z', updated_at: '2025-01-02T00:00:05.000Z' },
      });
    }
    const older = { ...pr, updatedAt: '2025-01-01T00:00:00Z' };
    const change = upsert(childChange('pull_request_review', reviewEvent('edited', repo, older, review)));
    expect(change.child).toMatchObject({ review: { updated_at: '2025-01-02T00:00:00.000Z' } });
    const submitted = upsert(childChange('pull_request_review', reviewEvent('submitted', repo, pr, review)));
    expect(submitted.child).toMatchObject({ review: { updated_at: '2025-01-02T00:00:00.000Z' } });
  });
});

describe('which change a delivery stands for', () => {
  const comment = { id: 5, body: 'b', createdAt: '2025-01-02T00:00:00Z', updatedAt: '2025-01-02T00:00:00Z' };
  const reviewComment = { ...comment, reviewId: 3, path: 'a', line: 1, originalLine: 1 };

  test('deleted comments are deletions of their kind', () => {
    expect(childChange('issue_comment', issueCommentEvent('deleted', repo, 4, comment))).toEqual({
      type: 'delete',
      kind: 'issue_comment',
      githubId: '5',
    });
    expect(
      childChange('pull_request_review_comment', reviewCommentEvent('deleted', repo, pr, reviewComment)),
    ).toEqual({ type: 'delete', kind: 'review_comment', githubId: '5' });
  });

  test('comments on plain issues, other actions and review comments without a review change nothing', () => {
    expect(childChange('issue_comment', issueCommentEvent('created', repo, 4, comment, false))).toEqual({
      type: 'ignore',
      reason: 'not a pull request',
    });
    expect(
      childChange('pull_request_review', {
        ...reviewEvent('submitted', repo, pr, { id: 1, state: 'approved', body: '', submittedAt: null }),
        action: 'requested',
      }),
    ).toEqual({ type: 'ignore', reason: 'action requested' });
    expect(
      childChange(
        'pull_request_review_comment',
        reviewCommentEvent('created', repo, pr, { ...reviewComment, reviewId: null }),
      ),
    ).toEqual({ type: 'ignore', reason: 'review comment without a review' });
  });

  test.each<[string, (payload: Record<string, unknown>) => void]>([
    ['a missing action', (p) => delete p.action],
    ['a comment id that is not an id', (p) => ((p.comment as Record<string, unknown>).id = -3)],
    [
      'an impossible timestamp',
      (p) => ((p.comment as Record<string, unknown>).updated_at = '2025-13-45T99:00:00Z'),
    ],
    ['a line past int4', (p) => ((p.comment as Record<string, unknown>).line = 2 ** 31)],
    ['no issue', (p) => delete p.issue],
    ['issue number 0', (p) => ((p.issue as Record<string, unknown>).number = 0)],
  ])('%s is a RestShapeError', (_name, spoil) => {
    const event = _name.startsWith('a line') ? 'pull_request_review_comment' : 'issue_comment';
    const payload =
      event === 'issue_comment'
        ? issueCommentEvent('created', repo, 4, comment)
        : reviewCommentEvent('created', repo, pr, reviewComment);
    spoil(payload);
    expect(() => childChange(event, payload)).toThrow(RestShapeError);
  });
});
