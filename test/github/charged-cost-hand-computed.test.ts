/**
 * What every query the product sends costs, computed by hand from GitHub's documented formula ("Rate limits and
 * query limits for the GraphQL API": add up the requests each connection needs, assuming every one hits its
 * first/last, divide by 100, round to the nearest whole number, at least 1), and checked against both the cost the
 * client predicts before sending and the points the simulator charges over HTTP. The expected figures are written
 * out here, never derived from `queryCost`, so a wrong model fails this test instead of agreeing with itself.
 *
 * Per window of n pull requests, by profile:
 * - core: the window is 1 request (no connection inside a pull request);
 * - standard: 1 + n × 3 (labels, and the count-only reviews and comments, once per pull request);
 * - full: 1 + n × 3 (labels, reviews and conversation comments inline; review comments are follow-ups).
 * A walk page whose windows are all state partitions adds `total: pullRequests { totalCount }`: 1 request.
 * Count-only connections (no first/last) are charged one request per parent: the docs do not price them, and
 * charging them can only over-predict.
 *
 * A number walk's request of K lookups (`issueOrPullRequest(number:)`, no connection) is 4 requests (the newest
 * pull request, `last: 1`, and three count-only state counts) plus what each pull request's fields need: core 0,
 * standard and full 3 per lookup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullRequestState } from '../../src/domain/pull-request.ts';
import { followUpQuery, followUpVariables } from '../../src/github/children-queries.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import {
  OWNER_REPOSITORIES_QUERY,
  pageRequestQuery,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  repositoryLookupVariables,
} from '../../src/github/queries.ts';
import type { PageRequest, UpdatedPageRequest, WalkWindowRequest } from '../../src/github/types.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';

const TOKEN = 'ghp_costcheck000000000000000000000000000';
let sim: Simulator;
const client = createGitHubClient({ token: TOKEN, apiUrl: 'http://127.0.0.1:1' });

beforeAll(async () => {
  sim = await startSimulator({
    // cost depends on the query, never on the data
    dataset: { seed: 1, repositories: [{ owner: 'octo', name: 'costs', pullRequests: 3 }] },
    tokens: { [TOKEN]: { limit: 10_000_000 } },
  });
});
afterAll(() => sim.stop());

async function charged(query: string, variables: Record<string, unknown> = {}): Promise<number> {
  const response = await fetch(`${sim.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: { rateLimit?: { cost: number } };
    errors?: { type?: string }[];
  };
  // numbers past the newest pull request answer NOT_FOUND beside their null, as on GitHub: no other error
  expect((body.errors ?? []).filter((error) => error.type !== 'NOT_FOUND')).toEqual([]);
  const cost = body.data?.rateLimit?.cost;
  if (cost === undefined) throw new Error('no rateLimit in the response');
  return cost;
}

/** The six windows of a partitioned walk, in the order the walk fills them. */
const PARTITIONED: Omit<WalkWindowRequest, 'size'>[] = (['forward', 'backward'] as const).flatMap(
  (direction) =>
    (['OPEN', 'CLOSED', 'MERGED'] as PullRequestState[]).map((state) => ({
      key: `${state.toLowerCase()}${direction === 'forward' ? 'Forward' : 'Backward'}`,
      direction,
      states: [state],
      cursor: null,
    })),
);

const walkPage = (profile: PageRequest['profile'], windows: number, size: number): PageRequest => ({
  owner: 'octo',
  name: 'costs',
  profile,
  windows: PARTITIONED.slice(0, windows).map((window) => ({ ...window, size })),
});

// [profile, windows, PRs per window, hand-computed requests, points]
const WALK_PAGES: [PageRequest['profile'], number, number, number, number][] = [
  ['core', 1, 100, 1 + 1, 1],
  ['core', 2, 100, 2 + 1, 1],
  ['core', 6, 100, 6 + 1, 1], // 600 pull requests for one point
  ['core', 6, 1, 6 + 1, 1],
  ['standard', 1, 49, 1 + 49 * 3 + 1, 1], // 149: just under the rounding step
  ['standard', 1, 50, 1 + 50 * 3 + 1, 2], // 152
  ['standard', 1, 100, 1 + 100 * 3 + 1, 3], // 302
  ['standard', 2, 24, 2 * (1 + 24 * 3) + 1, 1], // 147
  ['standard', 3, 16, 3 * (1 + 16 * 3) + 1, 1], // 148
  ['standard', 6, 8, 6 * (1 + 8 * 3) + 1, 2], // 151
  ['standard', 6, 100, 6 * (1 + 100 * 3) + 1, 18], // 1,807
  ['full', 1, 49, 1 + 49 * 3 + 1, 1],
  ['full', 1, 100, 1 + 100 * 3 + 1, 3],
  ['full', 4, 12, 4 * (1 + 12 * 3) + 1, 1], // 149
  ['full', 5, 100, 5 * (1 + 100 * 3) + 1, 15], // 1,506
  ['full', 6, 100, 6 * (1 + 100 * 3) + 1, 18],
];

describe('walk pages: profiles × 1-6 state-partition windows', () => {
  it.each(WALK_PAGES)(
    '%s, %i window(s) of %i: %i requests, %i point(s)',
    async (profile, windows, size, requests, points) => {
      expect(Math.max(1, Math.round(requests / 100))).toBe(points); // the formula, by hand
      const request = walkPage(profile, windows, size);
      const { query, variables } = pageRequestQuery(request);
      expect(client.predictCost(request)).toBe(points);
      expect(await charged(query, variables)).toBe(points);
    },
  );
});

// [profile, lookups, hand-computed requests, points]
const NUMBER_PAGES: [PageRequest['profile'], number, number, number][] = [
  ['core', 1, 4, 1],
  ['core', 250, 4, 1],
  ['core', 1_000, 4, 1], // 1,000 numbers for one point
  ['standard', 48, 4 + 48 * 3, 1], // 148
  ['standard', 49, 4 + 49 * 3, 2], // 151
  ['standard', 1_000, 4 + 1_000 * 3, 30],
  ['full', 100, 4 + 100 * 3, 3],
];

describe('number walk pages: aliased lookups by number', () => {
  it.each(NUMBER_PAGES)(
    '%s, %i lookup(s): %i requests, %i point(s)',
    async (profile, count, requests, points) => {
      expect(Math.max(1, Math.round(requests / 100))).toBe(points);
      const request: PageRequest = {
        owner: 'octo',
        name: 'costs',
        profile,
        windows: [],
        numbers: { from: 1, count },
      };
      const { query, variables } = pageRequestQuery(request);
      expect(client.predictCost(request)).toBe(points);
      expect(await charged(query, variables)).toBe(points);
    },
  );
});

describe('pages without partitions', () => {
  const unpartitioned = (profile: PageRequest['profile'], size: number): PageRequest => ({
    owner: 'octo',
    name: 'costs',
    profile,
    windows: [
      { key: 'forward', direction: 'forward', size, cursor: null },
      { key: 'backward', direction: 'backward', size, cursor: null },
    ],
  });
  it.each([
    ['core', 100, 1], // 2 requests
    ['standard', 24, 1], // 2 × 73 = 146
    ['full', 100, 6], // 2 × 301 = 602
  ] as const)(
    'a two-ended walk begun before partitions, %s, 2 windows of %i: %i point(s)',
    async (profile, size, points) => {
      const request = unpartitioned(profile, size);
      const { query, variables } = pageRequestQuery(request);
      expect(client.predictCost(request)).toBe(points);
      expect(await charged(query, variables)).toBe(points);
    },
  );

  it.each([
    ['core', 100, 1], // 1 request
    ['standard', 49, 1], // 148
    ['standard', 100, 3], // 301
    ['full', 100, 3], // 301
  ] as const)('a refresh page, %s, %i PRs: %i point(s)', async (profile, first, points) => {
    const request: UpdatedPageRequest = { owner: 'octo', name: 'costs', profile, first, after: null };
    const { query, variables } = pageRequestQuery(request);
    expect(client.predictCost(request)).toBe(points);
    expect(await charged(query, variables)).toBe(points);
  });
});

describe('bookkeeping queries', () => {
  it.each([
    [1, 1], // 1 count-only connection
    [50, 1], // 50 → 0.5 rounds to 1 (and at least 1 anyway)
    [100, 1],
  ])('a lookup of %i repositories: %i point', async (count, points) => {
    const refs = Array.from({ length: count }, () => ({ owner: 'octo', name: 'costs' }));
    expect(await charged(repositoryLookupQuery(count), repositoryLookupVariables(refs))).toBe(points);
  });

  it('an owner listing (one connection of 100) and a rate-limit read (none) cost 1 point each', async () => {
    expect(await charged(OWNER_REPOSITORIES_QUERY, { login: 'octo', after: null })).toBe(1);
    expect(await charged(RATE_LIMIT_QUERY)).toBe(1);
  });
});

describe('children follow-ups: one connection per aliased node', () => {
  it.each([
    [1, 1],
    [149, 1], // 149 requests round down to 1
  ])('%i follow-up connection(s): %i point(s)', async (count, points) => {
    const pages = Array.from({ length: count }, () => ({ nodeId: 'PR_none', cursor: null }));
    const query = followUpQuery(Array.from({ length: count }, () => 'labels' as const));
    const response = await fetch(`${sim.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: followUpVariables(pages) }),
    });
    const body = (await response.json()) as { data?: { rateLimit?: { cost: number } } };
    expect(body.data?.rateLimit?.cost).toBe(points);
  });
});

describe("GitHub's documented worked example, charged by the simulator", () => {
  it('repositories(100) > issues(50) > labels(60): 1 + 100 + 5,000 = 5,101 requests, 51 points', async () => {
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
      rateLimit { cost }
    }`;
    expect(await charged(query)).toBe(51);
  });
});
