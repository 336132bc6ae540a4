import { describe, expect, it } from 'vitest';
import { ACTOR_TYPES } from '../../src/domain/pull-request.ts';
import { mapPullRequestNode, mapPullRequestNodes } from '../../src/github/map.ts';

function prNode(overrides: Record<string, unknown> = {}) {
  return {
    id: 'PR_kwDOAbc123',
    databaseId: 1_901_234_567,
    fullDatabaseId: '1901234567',
    number: 42,
    title: 'Fix the flux capacitor',
    body: 'Details',
    state: 'MERGED',
    isDraft: false,
    createdAt: '2024-01-02T03:04:05Z',
    updatedAt: '2024-01-03T03:04:05Z',
    closedAt: '2024-01-03T03:04:05Z',
    mergedAt: '2024-01-03T03:04:05Z',
    additions: 10,
    deletions: 2,
    changedFiles: 3,
    baseRefName: 'main',
    headRefName: 'fix/flux',
    url: 'https://github.com/octo/repo/pull/42',
    author: { __typename: 'User', login: 'octocat', databaseId: 583231 },
    labels: { nodes: [{ name: 'bug' }, { name: 'p1' }] },
    reviewDecision: 'APPROVED',
    reviews: {
      totalCount: 2,
      nodes: [
        { author: { login: 'hubot' }, state: 'APPROVED', submittedAt: '2024-01-02T05:00:00Z' },
        { author: null, state: 'COMMENTED', submittedAt: null },
      ],
    },
    comments: {
      totalCount: 1,
      nodes: [{ author: { login: 'monalisa' }, createdAt: '2024-01-02T06:00:00Z', body: 'héllo' }],
    },
    ...overrides,
  };
}

describe('author', () => {
  it.each(ACTOR_TYPES.filter((type) => type !== 'EnterpriseUserAccount'))(
    'a %s keeps its type and database id',
    (type) => {
      const record = mapPullRequestNode(
        prNode({ author: { __typename: type, login: 'someone', databaseId: 77 } }),
        'core',
      );
      expect(record).toMatchObject({ author_login: 'someone', author_github_id: '77', author_type: type });
    },
  );

  it('an EnterpriseUserAccount has a type and login but no database id', () => {
    const record = mapPullRequestNode(
      prNode({ author: { __typename: 'EnterpriseUserAccount', login: 'emu_user' } }),
      'core',
    );
    expect(record).toMatchObject({
      author_login: 'emu_user',
      author_github_id: null,
      author_type: 'EnterpriseUserAccount',
    });
  });

  it('a deleted account (ghost, author null) leaves login, id and type null', () => {
    const record = mapPullRequestNode(prNode({ author: null }), 'core');
    expect(record).toMatchObject({ author_login: null, author_github_id: null, author_type: null });
  });
});

describe('ids', () => {
  it('github_id prefers fullDatabaseId, as a decimal string beyond 2^53', () => {
    const record = mapPullRequestNode(
      prNode({ fullDatabaseId: '9007199254740993', databaseId: null }),
      'core',
    );
    expect(record?.github_id).toBe('9007199254740993');
  });

  it('github_id falls back to databaseId when fullDatabaseId is missing', () => {
    expect(mapPullRequestNode(prNode({ fullDatabaseId: null }), 'core')?.github_id).toBe('1901234567');
  });

  it('nodes without a node id, a number or both database ids are skipped and counted, never failing the page', () => {
    const nodes = [
      prNode({ number: 1 }),
      prNode({ id: null }),
      prNode({ number: null }),
      prNode({ fullDatabaseId: null, databaseId: null }),
      null,
      prNode({ number: 2 }),
    ];
    const { records, skipped } = mapPullRequestNodes(nodes, 'core');
    expect(records.map((record) => record.number)).toEqual([1, 2]);
    expect(skipped).toBe(4);
  });
});

describe('profiles', () => {
  it('core records carry no richer keys at all', () => {
    const record = mapPullRequestNode(prNode(), 'core')!;
    expect(record.field_profile).toBe('core');
    for (const key of ['labels', 'review_decision', 'review_count', 'comment_count', 'reviews', 'comments']) {
      expect(record).not.toHaveProperty(key);
    }
  });

  it('standard records add labels, decision and counts but no review or comment lists', () => {
    const record = mapPullRequestNode(prNode(), 'standard')!;
    expect(record).toMatchObject({
      field_profile: 'standard',
      labels: ['bug', 'p1'],
      review_decision: 'APPROVED',
      review_count: 2,
      comment_count: 1,
    });
    expect(record).not.toHaveProperty('reviews');
    expect(record).not.toHaveProperty('comments');
  });

  it('full records carry the columns of standard ones: reviews and comments go to their own tables', () => {
    const record = mapPullRequestNode(prNode(), 'full')!;
    expect(record).toEqual({ ...mapPullRequestNode(prNode(), 'standard'), field_profile: 'full' });
  });

  it('the scalar fields map to their columns', () => {
    expect(mapPullRequestNode(prNode(), 'core')).toEqual({
      github_id: '1901234567',
      node_id: 'PR_kwDOAbc123',
      number: 42,
      title: 'Fix the flux capacitor',
      body: 'Details',
      state: 'MERGED',
      is_draft: false,
      created_at: '2024-01-02T03:04:05Z',
      updated_at: '2024-01-03T03:04:05Z',
      closed_at: '2024-01-03T03:04:05Z',
      merged_at: '2024-01-03T03:04:05Z',
      author_login: 'octocat',
      author_github_id: '583231',
      author_type: 'User',
      additions: 10,
      deletions: 2,
      changed_files: 3,
      base_ref: 'main',
      head_ref: 'fix/flux',
      url: 'https://github.com/octo/repo/pull/42',
      field_profile: 'core',
    });
  });
});
