/** What the client sends and how it reads GitHub's answers, over real HTTP against the loopback stub. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/client.ts';
import { queryCost } from '../../src/github/cost.ts';
import { GitHubError, type PageRequest } from '../../src/github/types.ts';
import { type GitHubStub, githubHeaders, type StubRequest, startGitHubStub } from '../support/github-stub.ts';

const TOKEN = 'ghp_clientRequestsTestToken0000000000000';
const rateLimit = {
  cost: 1,
  remaining: 4321,
  resetAt: '2026-01-01T00:00:00Z',
  limit: 5000,
  used: 679,
  nodeCount: 20,
};

function prNode(number: number) {
  return {
    id: `PR_node${number}`,
    databaseId: 1000 + number,
    fullDatabaseId: String(1000 + number),
    number,
    title: `PR ${number}`,
    body: '',
    state: 'OPEN',
    isDraft: false,
    createdAt: '2024-01-01T00:00:00Z',
    updatedAt: '2024-01-01T00:00:00Z',
    closedAt: null,
    mergedAt: null,
    additions: 1,
    deletions: 0,
    changedFiles: 1,
    baseRefName: 'main',
    headRefName: `b${number}`,
    url: `https://github.com/octo/repo/pull/${number}`,
    author: { __typename: 'Bot', login: 'dependabot', databaseId: 49699333 },
  };
}

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const client = (apiUrl = stub.url) =>
  createGitHubClient({ token: TOKEN, apiUrl, retry: { retries: 0, minTimeoutMs: 0 } });

describe('pull-request pages', () => {
  it('a two-window page maps both windows, their cursors, skipped nodes and the budget', async () => {
    stub.handle(() => ({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: {
          repository: {
            forward: {
              totalCount: 9,
              pageInfo: { endCursor: 'Y3Vyc29yOjI=', hasNextPage: true },
              nodes: [prNode(1), prNode(2)],
            },
            backward: {
              totalCount: 9,
              pageInfo: { startCursor: 'Y3Vyc29yOjg=', hasPreviousPage: true },
              nodes: [{ ...prNode(8), id: null }, prNode(9)],
            },
          },
          rateLimit,
        },
      },
    }));
    const request: PageRequest = {
      owner: 'octo',
      name: 'repo',
      profile: 'core',
      windows: [
        { key: 'forward', direction: 'forward', size: 2, cursor: null },
        { key: 'backward', direction: 'backward', size: 2, cursor: null },
      ],
    };

    const result = await client().fetchPullRequests(request);

    expect(result.totalCount).toBe(9);
    expect(result.windows.forward).toMatchObject({ cursor: 'Y3Vyc29yOjI=', hasMore: true });
    expect(result.windows.forward?.nodes.map((pr) => pr.number)).toEqual([1, 2]);
    expect(result.windows.backward).toMatchObject({ cursor: 'Y3Vyc29yOjg=', hasMore: true });
    expect(result.windows.backward?.nodes.map((pr) => pr.number)).toEqual([9]);
    expect(result.skippedNodes).toBe(1);
    expect(result.rateLimit).toEqual(rateLimit);
    expect(result.predictedCost).toBe(1);

    const [sent] = stub.requests as [StubRequest];
    expect(sent.path).toBe('/graphql');
    expect(sent.headers.authorization).toBe(`bearer ${TOKEN}`);
    expect(sent.body.variables).toEqual({
      owner: 'octo',
      name: 'repo',
      forwardFirst: 2,
      forwardAfter: null,
      backwardLast: 2,
      backwardBefore: null,
    });
    expect(queryCost(sent.body.query!, sent.body.variables!).cost).toBe(result.predictedCost);
  });

  it('an incremental page orders by UPDATED_AT descending and reads the updated window', async () => {
    stub.handle(() => ({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: {
          repository: {
            updated: {
              totalCount: 3,
              pageInfo: { endCursor: 'dXA=', hasNextPage: false },
              nodes: [prNode(3)],
            },
          },
          rateLimit,
        },
      },
    }));
    const result = await client().fetchUpdatedPullRequests({
      owner: 'octo',
      name: 'repo',
      profile: 'standard',
      first: 50,
      after: null,
    });
    expect(result.windows.updated).toMatchObject({ cursor: 'dXA=', hasMore: false });
    expect(result.windows.updated?.nodes[0]).toMatchObject({
      number: 3,
      field_profile: 'standard',
      labels: [],
    });
    expect(stub.requests[0]!.body.query).toContain('orderBy: {field: UPDATED_AT, direction: DESC}');
  });

  it('state-partition windows each read their own partition; the repository total comes from one count', async () => {
    const window = (totalCount: number, numbers: number[], direction: 'forward' | 'backward') => ({
      totalCount,
      pageInfo:
        direction === 'forward'
          ? { endCursor: `e${numbers.at(-1)}`, hasNextPage: true }
          : { startCursor: `s${numbers[0]}`, hasPreviousPage: false },
      nodes: numbers.map(prNode),
    });
    stub.handle(() => ({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: {
          repository: {
            openForward: window(3, [1, 2], 'forward'),
            mergedForward: window(40, [5], 'forward'),
            mergedBackward: window(40, [90], 'backward'),
            total: { totalCount: 57 },
          },
          rateLimit,
        },
      },
    }));
    const result = await client().fetchPullRequests({
      owner: 'octo',
      name: 'repo',
      profile: 'core',
      windows: [
        { key: 'openForward', direction: 'forward', states: ['OPEN'], size: 2, cursor: null },
        { key: 'mergedForward', direction: 'forward', states: ['MERGED'], size: 1, cursor: 'm1' },
        { key: 'mergedBackward', direction: 'backward', states: ['MERGED'], size: 1, cursor: null },
      ],
    });
    expect(result.totalCount).toBe(57);
    expect(result.windows.openForward).toMatchObject({ cursor: 'e2', hasMore: true, totalCount: 3 });
    expect(result.windows.mergedBackward).toMatchObject({ cursor: 's90', hasMore: false, totalCount: 40 });
    expect(result.windows.mergedForward?.nodes.map((pr) => pr.number)).toEqual([5]);
    const sent = stub.requests[0]!.body;
    expect(sent.query).toContain(
      'openForward: pullRequests(first: $openForwardFirst, after: $openForwardAfter, states: [OPEN]',
    );
    expect(sent.query).toContain('total: pullRequests { totalCount }');
    expect(sent.variables).toMatchObject({
      mergedForwardFirst: 1,
      mergedForwardAfter: 'm1',
      mergedBackwardBefore: null,
    });
  });

  it('predictCost prices a request without sending it', () => {
    const predicted = client().predictCost({
      owner: 'o',
      name: 'n',
      profile: 'full',
      windows: [
        { key: 'forward', direction: 'forward', size: 100, cursor: null },
        { key: 'backward', direction: 'backward', size: 100, cursor: null },
      ],
    });
    expect(predicted).toBe(6);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('GitHub Enterprise Server', () => {
  it('a /api/v3 REST base sends GraphQL to /api/graphql and the budget read to /api/v3/rate_limit', async () => {
    stub.handle((request) =>
      request.path === '/api/v3/rate_limit'
        ? {
            status: 200,
            headers: githubHeaders(),
            body: {
              resources: { graphql: { limit: 5000, used: 12, remaining: 4988, reset: 1_767_225_600 } },
            },
          }
        : {
            status: 200,
            headers: githubHeaders(),
            body: {
              data: { repository: { forward: { totalCount: 0, pageInfo: {}, nodes: [] } }, rateLimit },
            },
          },
    );
    const ghes = client(`${stub.url}/api/v3`);
    const budget = await ghes.rateLimit();
    await ghes.fetchPullRequests({
      owner: 'o',
      name: 'n',
      profile: 'core',
      windows: [{ key: 'forward', direction: 'forward', size: 1, cursor: null }],
    });
    expect(stub.requests.map((request) => request.path)).toEqual(['/api/v3/rate_limit', '/api/graphql']);
    expect(budget).toEqual({
      limit: 5000,
      used: 12,
      remaining: 4988,
      resetAt: '2026-01-01T00:00:00.000Z',
      cost: 0,
      nodeCount: 0,
    });
  });

  it('where /rate_limit answers 404 (rate limiting disabled) the budget comes from a rateLimit query', async () => {
    stub.handle((request) =>
      request.path === '/rate_limit'
        ? {
            status: 404,
            body: {
              message: 'Rate limiting is not enabled.',
              documentation_url: 'https://docs.github.com/rest',
            },
          }
        : { status: 200, headers: githubHeaders(), body: { data: { rateLimit } } },
    );
    expect(await client().rateLimit()).toEqual(rateLimit);
    expect(stub.requests[1]!.body.query).toMatch(/query RateLimit/);
  });
});

describe('repository lookup and owner listing', () => {
  it('looks up 150 repositories in two aliased queries and reports the missing ones', async () => {
    stub.handle((request) => {
      const variables = request.body.variables as Record<string, string>;
      const data: Record<string, unknown> = { rateLimit };
      const errors: unknown[] = [];
      for (const key of Object.keys(variables).filter((k) => k.startsWith('n'))) {
        const alias = `r${key.slice(1)}`;
        const name = variables[key]!;
        if (name.endsWith('7')) {
          data[alias] = null;
          errors.push({
            type: 'NOT_FOUND',
            path: [alias],
            message: `Could not resolve to a Repository with the name 'octo/${name}'.`,
          });
        } else {
          data[alias] = {
            databaseId: 5000 + Number(name.slice(4)),
            id: `R_${name}`,
            name,
            owner: { login: 'octo' },
            isPrivate: false,
            pullRequests: { totalCount: 3 },
          };
        }
      }
      return { status: 200, headers: githubHeaders(), body: { data, errors } };
    });
    const refs = Array.from({ length: 150 }, (_, i) => ({ owner: 'octo', name: `repo${i}` }));

    const { found, missing } = await client().lookupRepositories(refs);

    expect(stub.requests).toHaveLength(2);
    expect(missing.map((ref) => ref.name)).toEqual(
      refs.filter((ref) => ref.name.endsWith('7')).map((ref) => ref.name),
    );
    expect(found).toHaveLength(150 - missing.length);
    expect(found[0]).toEqual({
      owner: 'octo',
      name: 'repo0',
      githubId: '5000',
      nodeId: 'R_repo0',
      prTotalCount: 3,
      isPrivate: false,
    });
  });

  it('a lookup error other than a missing repository fails the lookup', async () => {
    stub.handle(() => ({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: { r0: null, rateLimit },
        errors: [{ type: 'FORBIDDEN', path: ['r0'], message: 'Resource not accessible by integration' }],
      },
    }));
    await expect(client().lookupRepositories([{ owner: 'octo', name: 'secret' }])).rejects.toMatchObject({
      kind: 'permission',
    });
  });

  it('lists every repository of an owner across pages', async () => {
    stub.handle((request) => {
      const after = request.body.variables?.after;
      const names = after ? ['zeta'] : ['alpha', 'beta'];
      return {
        status: 200,
        headers: githubHeaders(),
        body: {
          data: {
            repositoryOwner: {
              login: 'octo',
              repositories: {
                pageInfo: { endCursor: after ? null : 'cGFnZTI=', hasNextPage: !after },
                nodes: names.map((name) => ({ name, owner: { login: 'octo' } })),
              },
            },
            rateLimit,
          },
        },
      };
    });
    expect(await client().listOwnerRepositories('octo')).toEqual([
      { owner: 'octo', name: 'alpha' },
      { owner: 'octo', name: 'beta' },
      { owner: 'octo', name: 'zeta' },
    ]);
    expect(stub.requests[1]!.body.variables).toEqual({ login: 'octo', after: 'cGFnZTI=' });
  });

  it('an owner that does not exist is not_found', async () => {
    stub.handle(() => ({
      status: 200,
      headers: githubHeaders(),
      body: { data: { repositoryOwner: null, rateLimit } },
    }));
    const error = await client()
      .listOwnerRepositories('nobody-here')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ kind: 'not_found' });
  });
});
