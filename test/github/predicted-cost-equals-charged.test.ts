/**
 * The engine plans its budget with the cost the client predicts. This checks, over real HTTP, that the simulator —
 * which enforces GitHub's rules — charges exactly that for every query shape and page size the product sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_PROFILES } from '../../src/domain/pull-request.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { queryCost } from '../../src/github/cost.ts';
import {
  LOOKUP_BATCH_SIZE,
  MAX_PAGE_SIZE,
  OWNER_REPOSITORIES_QUERY,
  pageRequestQuery,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  repositoryLookupVariables,
} from '../../src/github/queries.ts';
import type { PageRequest, UpdatedPageRequest } from '../../src/github/types.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';

const TOKEN = 'ghp_costcheck000000000000000000000000000';
const SIZES = Array.from({ length: MAX_PAGE_SIZE }, (_, i) => i + 1);
let sim: Simulator;
const client = createGitHubClient({ token: TOKEN, apiUrl: 'http://127.0.0.1:1' });

async function charged(query: string, variables: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${sim.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: { rateLimit?: { cost: number } }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const cost = body.data?.rateLimit?.cost;
  if (cost === undefined) throw new Error('no rateLimit in the response');
  return cost;
}

/** Runs `check` for every size, a few requests at a time; returns [size, predicted, charged] triples. */
async function overSizes(
  sizes: number[],
  check: (size: number) => Promise<[number, number]>,
): Promise<[number, number, number][]> {
  const results: [number, number, number][] = [];
  for (let i = 0; i < sizes.length; i += 20) {
    const batch = sizes.slice(i, i + 20);
    const pairs = await Promise.all(batch.map(check));
    for (const [j, [predicted, actual]] of pairs.entries()) results.push([batch[j] ?? 0, predicted, actual]);
  }
  return results;
}

function mismatches(results: [number, number, number][]) {
  return results.filter(([, predicted, actual]) => predicted !== actual);
}

beforeAll(async () => {
  sim = await startSimulator({
    // cost depends on the query, never on the data: a tiny repository keeps 1,300 requests fast
    dataset: { seed: 1, repositories: [{ owner: 'octo', name: 'costs', pullRequests: 3 }] },
    tokens: { [TOKEN]: { limit: 10_000_000 } },
  });
});
afterAll(() => sim.stop());

describe('predicted cost equals the points charged', () => {
  for (const profile of FIELD_PROFILES) {
    for (const shape of ['forward', 'backward', 'both'] as const) {
      it(`${profile} page, ${shape === 'both' ? 'two windows' : `one ${shape} window`}, sizes 1-100`, async () => {
        const results = await overSizes(SIZES, async (size) => {
          const request: PageRequest = { owner: 'octo', name: 'costs', profile, windows: [] };
          if (shape !== 'backward')
            request.windows.push({ key: 'forward', direction: 'forward', size, cursor: null });
          if (shape !== 'forward')
            request.windows.push({ key: 'backward', direction: 'backward', size, cursor: null });
          const { query, variables } = pageRequestQuery(request);
          const predicted = client.predictCost(request);
          expect(predicted).toBe(queryCost(query, variables).cost);
          return [predicted, await charged(query, variables)];
        });
        expect(mismatches(results)).toEqual([]);
      });
    }

    it(`${profile} incremental page, sizes 1-100`, async () => {
      const results = await overSizes(SIZES, async (size) => {
        const request: UpdatedPageRequest = {
          owner: 'octo',
          name: 'costs',
          profile,
          first: size,
          after: null,
        };
        const { query, variables } = pageRequestQuery(request);
        return [client.predictCost(request), await charged(query, variables)];
      });
      expect(mismatches(results)).toEqual([]);
    });
  }

  it('repository lookups of 1 to 100 repositories', async () => {
    // every alias adds one count-only connection: the cost only moves around multiples of 50 and 100
    const counts = [1, 2, 49, 50, 51, 99, LOOKUP_BATCH_SIZE];
    const results = await overSizes(counts, async (count) => {
      const refs = Array.from({ length: count }, (_, i) => ({
        owner: 'octo',
        name: i === 0 ? 'costs' : `missing-${i}`,
      }));
      const query = repositoryLookupQuery(count);
      const variables = repositoryLookupVariables(refs);
      const response = await fetch(`${sim.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `bearer ${TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
      // missing repositories come back as NOT_FOUND errors beside the data, as on GitHub
      const body = (await response.json()) as { data: { rateLimit: { cost: number } } };
      return [queryCost(query, variables).cost, body.data.rateLimit.cost];
    });
    expect(mismatches(results)).toEqual([]);
  });

  it('the owner listing and the rate-limit read', async () => {
    const listing = { login: 'octo', after: null };
    expect(await charged(OWNER_REPOSITORIES_QUERY, listing)).toBe(
      queryCost(OWNER_REPOSITORIES_QUERY, listing).cost,
    );
    expect(await charged(RATE_LIMIT_QUERY, {})).toBe(queryCost(RATE_LIMIT_QUERY, {}).cost);
  });
});
