import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_PROFILES, type FieldProfile } from '../../src/domain/pull-request.ts';
import { CHILD_PAGE_SIZE } from '../../src/github/children-queries.ts';
import { queryCost } from '../../src/github/cost.ts';
import { LABELS_PER_PULL_REQUEST } from '../../src/github/pull-request-fields.ts';
import {
  pageRequestQuery,
  repositoryLookupQuery,
  repositoryLookupVariables,
} from '../../src/github/queries.ts';
import type { PageRequest, UpdatedPageRequest } from '../../src/github/types.ts';

const priced = (request: PageRequest | UpdatedPageRequest) => {
  const { query, variables } = pageRequestQuery(request);
  return queryCost(query, variables);
};

// The worked examples of GitHub's "Rate limits and query limits for the GraphQL API" page.
describe("GitHub's documented examples", () => {
  it('the score example needs 5,101 requests and costs 51 points', () => {
    const query = `query {
      viewer {
        login
        repositories(first: 100) {
          edges { node { id
            issues(first: 50) {
              edges { node { id
                labels(first: 60) { edges { node { id name } } }
              } }
            }
          } }
        }
      }
    }`;
    expect(queryCost(query, {})).toEqual({ requests: 5101, cost: 51, nodeCount: 100 + 5000 + 300_000 });
  });

  it('the simple node-limit example counts 550 nodes', () => {
    const query = `query {
      viewer {
        repositories(first: 50) {
          edges { repository: node { name
            issues(first: 10) { totalCount edges { node { title bodyHTML } } }
          } }
        }
      }
    }`;
    expect(queryCost(query, {})).toEqual({ requests: 51, cost: 1, nodeCount: 550 });
  });

  it('the complex node-limit example counts 22,060 nodes', () => {
    const query = `query {
      viewer {
        repositories(first: 50) {
          edges { repository: node { name
            pullRequests(first: 20) {
              edges { pullRequest: node { title
                comments(first: 10) { edges { comment: node { bodyHTML } } }
              } }
            }
            issues(first: 20) {
              totalCount
              edges { issue: node { title bodyHTML
                comments(first: 10) { edges { comment: node { bodyHTML } } }
              } }
            }
          } }
        }
        followers(first: 10) { edges { follower: node { login } } }
      }
    }`;
    const { nodeCount, requests } = queryCost(query, {});
    expect(nodeCount).toBe(22_060);
    expect(requests).toBe(1 + 50 + 1000 + 50 + 1000 + 1);
  });

  it('a query without connections costs the minimum of 1 point', () => {
    expect(queryCost('query { viewer { login } rateLimit { cost } }', {})).toEqual({
      cost: 1,
      requests: 0,
      nodeCount: 0,
    });
  });
});

describe('how the document is read', () => {
  it('page sizes come from variables, and from variable defaults when a variable is absent', () => {
    const query =
      'query($n: Int = 30) { viewer { repositories(first: $n) { nodes { issues(last: 40) { totalCount } } } } }';
    expect(queryCost(query, { n: 10 }).nodeCount).toBe(10 + 400);
    expect(queryCost(query, {}).nodeCount).toBe(30 + 1200);
  });

  it('aliases of the same connection are separate connections', () => {
    const query =
      'query { viewer { a: repositories(first: 100) { totalCount } b: repositories(first: 100) { totalCount } } }';
    expect(queryCost(query, {}).requests).toBe(2);
  });

  it('the same connection reached through two fragments is fetched once', () => {
    const query = `query { viewer { repositories(first: 100) { nodes { ...A ...B } } } }
      fragment A on Repository { issues(first: 10) { nodes { title } } }
      fragment B on Repository { issues(first: 10) { nodes { number } } }`;
    expect(queryCost(query, {}).requests).toBe(1 + 100);
  });

  it('connections inside inline fragments count, and @skip/@include are honoured', () => {
    const query = `query($withLabels: Boolean!) { search(query: "x", type: ISSUE, first: 100) { nodes {
      ... on PullRequest { labels(first: 5) @include(if: $withLabels) { nodes { name } } }
    } } }`;
    expect(queryCost(query, { withLabels: true }).requests).toBe(101);
    expect(queryCost(query, { withLabels: false }).requests).toBe(1);
  });

  it('a count-only connection (no first/last) is charged one request per parent', () => {
    const query = 'query { viewer { repositories(first: 100) { nodes { stargazers { totalCount } } } } }';
    expect(queryCost(query, {})).toEqual({ requests: 101, cost: 1, nodeCount: 100 });
  });
});

/** Requests per window of n pull requests: the window itself plus one per PR for each per-PR connection. */
function expectedRequests(profile: FieldProfile, n: number): number {
  return profile === 'core' ? 1 : 1 + 3 * n;
}

function expectedNodes(profile: FieldProfile, n: number): number {
  if (profile === 'core') return n;
  if (profile === 'standard') return n + n * LABELS_PER_PULL_REQUEST;
  return n + 3 * n * CHILD_PAGE_SIZE;
}

const points = (requests: number) => Math.max(1, Math.round(requests / 100));
const pageSize = fc.integer({ min: 1, max: 100 });
const profile = fc.constantFrom(...FIELD_PROFILES);
const cursor = fc.option(fc.base64String({ minLength: 4, maxLength: 24 }), { nil: null });

describe('the product’s own queries, for every page size 1–100', () => {
  it('a forward-only page', () => {
    fc.assert(
      fc.property(profile, pageSize, cursor, (p, first, after) => {
        const cost = priced({
          owner: 'o',
          name: 'n',
          profile: p,
          windows: [{ key: 'forward', direction: 'forward', size: first, cursor: after }],
        });
        expect(cost).toEqual({
          requests: expectedRequests(p, first),
          nodeCount: expectedNodes(p, first),
          cost: points(expectedRequests(p, first)),
        });
      }),
    );
  });

  it('a backward-only page', () => {
    fc.assert(
      fc.property(profile, pageSize, cursor, (p, last, before) => {
        const cost = priced({
          owner: 'o',
          name: 'n',
          profile: p,
          windows: [{ key: 'backward', direction: 'backward', size: last, cursor: before }],
        });
        expect(cost.requests).toBe(expectedRequests(p, last));
        expect(cost.nodeCount).toBe(expectedNodes(p, last));
        expect(cost.cost).toBe(points(expectedRequests(p, last)));
      }),
    );
  });

  it('a two-window page costs the sum of its windows’ requests', () => {
    fc.assert(
      fc.property(profile, pageSize, pageSize, cursor, cursor, (p, first, last, after, before) => {
        const requests = expectedRequests(p, first) + expectedRequests(p, last);
        expect(
          priced({
            owner: 'o',
            name: 'n',
            profile: p,
            windows: [
              { key: 'forward', direction: 'forward', size: first, cursor: after },
              { key: 'backward', direction: 'backward', size: last, cursor: before },
            ],
          }),
        ).toEqual({
          requests,
          nodeCount: expectedNodes(p, first) + expectedNodes(p, last),
          cost: points(requests),
        });
      }),
    );
  });

  it('two windows cost at most the two pages sent apart, give or take one point of rounding', () => {
    fc.assert(
      fc.property(profile, pageSize, pageSize, (p, first, last) => {
        const two = priced({
          owner: 'o',
          name: 'n',
          profile: p,
          windows: [
            { key: 'forward', direction: 'forward', size: first, cursor: null },
            { key: 'backward', direction: 'backward', size: last, cursor: null },
          ],
        }).cost;
        const forward = priced({
          owner: 'o',
          name: 'n',
          profile: p,
          windows: [{ key: 'forward', direction: 'forward', size: first, cursor: null }],
        }).cost;
        const backward = priced({
          owner: 'o',
          name: 'n',
          profile: p,
          windows: [{ key: 'backward', direction: 'backward', size: last, cursor: null }],
        }).cost;
        expect(two).toBeLessThanOrEqual(forward + backward + 1);
        if (p === 'core') expect(two).toBe(1);
      }),
    );
  });

  it('an incremental page costs what a forward window of the same size does', () => {
    fc.assert(
      fc.property(profile, pageSize, cursor, (p, first, after) => {
        const incremental = priced({ owner: 'o', name: 'n', profile: p, first, after });
        expect(incremental.requests).toBe(expectedRequests(p, first));
        expect(incremental.cost).toBe(points(expectedRequests(p, first)));
      }),
    );
  });

  it('the cost never falls as the page grows', () => {
    fc.assert(
      fc.property(profile, pageSize, pageSize, (p, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const cost = (first: number) =>
          priced({
            owner: 'o',
            name: 'n',
            profile: p,
            windows: [{ key: 'forward', direction: 'forward', size: first, cursor: null }],
          }).cost;
        expect(cost(small)).toBeLessThanOrEqual(cost(large));
      }),
    );
  });

  it('a lookup of up to 100 repositories costs 1 point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), (count) => {
        const refs = Array.from({ length: count }, (_, i) => ({ owner: 'o', name: `r${i}` }));
        const cost = queryCost(repositoryLookupQuery(count), repositoryLookupVariables(refs));
        expect(cost).toEqual({ requests: count, nodeCount: 0, cost: 1 });
      }),
    );
  });
});
