import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const START = Date.parse('2026-03-01T10:00:00Z');
// one connection of 100 with two count-only connections per node: 1 + 100 + 100 requests → 2 points
const PAGE = `query {
  repository(owner: "octo", name: "repo") {
    a: pullRequests(first: 100) { nodes { number reviews { totalCount } comments { totalCount } } }
  }
  rateLimit { cost limit remaining used resetAt nodeCount }
}`;

let sim: Simulator | undefined;
afterEach(() => sim?.stop());

async function start(overrides: Partial<SimulatorOptions> = {}) {
  let clock = START;
  sim = await startSimulator({
    dataset: { seed: 9, repositories: [{ owner: 'octo', name: 'repo', pullRequests: 150 }] },
    tokens: { 'test-token': { limit: 10, userId: 4242, scopes: ['repo', 'read:org'] } },
    now: () => clock,
    ...overrides,
  });
  return { sim, advance: (ms: number) => (clock += ms) };
}

describe('points are charged per query against an hourly budget', () => {
  it('charges the predicted cost and reports it in rateLimit and headers', async () => {
    const { sim } = await start();
    const reply = await graphql(sim, PAGE);
    expect(reply.body.data.rateLimit).toEqual({
      cost: 2,
      limit: 10,
      remaining: 8,
      used: 2,
      resetAt: '2026-03-01T11:00:00Z',
      nodeCount: 100,
    });
    expect(reply.headers).toMatchObject({
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '8',
      'x-ratelimit-used': '2',
      'x-ratelimit-reset': String(Date.parse('2026-03-01T11:00:00Z') / 1000),
      'x-ratelimit-resource': 'graphql',
      'x-oauth-scopes': 'repo, read:org',
    });
    expect(sim.budget('test-token')).toMatchObject({ used: 2, remaining: 8 });
    expect(sim.requests.at(-1)).toMatchObject({ token: 'test-token', cost: 2, remaining: 8, status: 200 });
    const rest = await fetch(`${sim.url}/rate_limit`, { headers: { authorization: 'token test-token' } });
    expect(((await rest.json()) as { resources: { graphql: unknown } }).resources.graphql).toEqual({
      limit: 10,
      used: 2,
      remaining: 8,
      reset: Date.parse('2026-03-01T11:00:00Z') / 1000,
    });
  });

  it('a dry run reports the cost without charging it', async () => {
    const { sim } = await start();
    const reply = await graphql(
      sim,
      'query { repository(owner: "octo", name: "repo") { pullRequests(first: 50) { nodes { number } } } rateLimit(dryRun: true) { cost remaining } }',
    );
    expect(reply.body.data.rateLimit).toEqual({ cost: 1, remaining: 10 });
    expect(sim.budget('test-token').used).toBe(0);
  });

  it('refuses a query the budget cannot cover, without data, until the window resets', async () => {
    const { sim, advance } = await start();
    for (let i = 0; i < 5; i++)
      expect((await graphql(sim, PAGE)).body.data.rateLimit.remaining).toBe(8 - 2 * i);
    const refused = await graphql(sim, PAGE);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      errors: [
        {
          type: 'RATE_LIMITED',
          code: 'graphql_rate_limit',
          message: 'API rate limit already exceeded for user ID 4242.',
        },
      ],
    });
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(sim.budget('test-token').used).toBe(10);

    advance(59 * 60_000);
    expect((await graphql(sim, PAGE)).body.errors[0].type).toBe('RATE_LIMITED');
    advance(60_000);
    const renewed = await graphql(sim, PAGE);
    expect(renewed.body.data.rateLimit).toMatchObject({
      remaining: 8,
      used: 2,
      resetAt: '2026-03-01T12:00:00Z',
    });
  });

  it('a query costing more than what is left is refused even though some points remain', async () => {
    const { sim } = await start({ primaryLimitStatus: 403 });
    for (let i = 0; i < 4; i++) await graphql(sim, PAGE);
    const tight = `query { repository(owner: "octo", name: "repo") {
      pullRequests(first: 100) {
        nodes { reviews(first: 10) { nodes { state } } comments(first: 10) { nodes { body } } labels(first: 5) { nodes { name } } }
      }
    } }`;
    const refused = await graphql(sim, tight);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].message).toBe('API rate limit exceeded for user ID 4242.');
    expect(sim.budget('test-token').remaining).toBe(2);
  });
});
