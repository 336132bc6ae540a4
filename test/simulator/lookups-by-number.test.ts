import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

let sim: Simulator;

const LOOKUPS = `query($a: Int!, $b: Int!, $c: Int!) {
  repository(owner: "octo", name: "numbers") {
    a: issueOrPullRequest(number: $a) { __typename ... on PullRequest { number state } ... on Issue { number } }
    b: issueOrPullRequest(number: $b) { __typename ... on PullRequest { number } }
    c: pullRequest(number: $c) { number }
  }
  rateLimit { cost nodeCount }
}`;

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 3,
      repositories: [
        { owner: 'octo', name: 'numbers', pullRequests: 400, issueShare: 0.4 },
        { owner: 'octo', name: 'classic', pullRequests: 50 },
      ],
    },
    tokens: { 'test-token': {} },
  });
});
afterAll(() => sim.stop());

/** Every number's answer, 1 to `to`, one request each. */
async function owners(to: number): Promise<Map<number, string>> {
  const answers = new Map<number, string>();
  const query = `query($n: Int!) { repository(owner: "octo", name: "numbers") { x: issueOrPullRequest(number: $n) { __typename } } }`;
  for (let n = 1; n <= to; n++) {
    const reply = await graphql(sim, query, { n });
    answers.set(n, reply.body.data.repository.x?.__typename ?? 'missing');
  }
  return answers;
}

describe('lookups by number, as GitHub answers them', () => {
  it('every pull request has exactly one number, issues fill the rest at the configured share, a few are gone', async () => {
    const truth = sim.groundTruth('octo', 'numbers', 'core');
    const newest = Math.max(...truth.map((pr) => pr.number));
    const answers = await owners(newest + 3);
    const pullRequests = [...answers].filter(([, kind]) => kind === 'PullRequest').map(([n]) => n);
    expect(pullRequests).toEqual(truth.map((pr) => pr.number).sort((a, b) => a - b));
    const issues = [...answers.values()].filter((kind) => kind === 'Issue').length;
    const missing = [...answers].filter(([n, kind]) => kind === 'missing' && n <= newest).length;
    // 400 pull requests at 60% density: about 267 other numbers, one in 40 of them gone
    expect(issues + missing).toBe(newest - 400);
    expect(newest / 400).toBeGreaterThan(1.6);
    expect(newest / 400).toBeLessThan(1.75);
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(issues / 10);
    // past the newest there is nothing yet
    expect(answers.get(newest + 1)).toBe('missing');
  }, 60_000);

  it('a number that is nothing is null beside a NOT_FOUND error at its alias; the rest of the data stands', async () => {
    const truth = sim.groundTruth('octo', 'numbers', 'core');
    const first = truth[0]!;
    const reply = await graphql(sim, LOOKUPS, { a: first.number, b: 99_999, c: 99_998 });
    expect(reply.body.data.repository.a).toEqual({
      __typename: 'PullRequest',
      number: first.number,
      state: first.state,
    });
    expect(reply.body.data.repository.b).toBeNull();
    expect(reply.body.data.repository.c).toBeNull();
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        type: 'NOT_FOUND',
        path: ['repository', 'b'],
        message: 'Could not resolve to an issue or pull request with the number of 99999.',
      }),
      expect.objectContaining({
        type: 'NOT_FOUND',
        path: ['repository', 'c'],
        message: 'Could not resolve to a PullRequest with the number of 99998.',
      }),
    ]);
    // lookups are no connections: 1 point; each counts as a node requested (GitHub's own figure is not documented)
    expect(reply.body.data.rateLimit).toEqual({ cost: 1, nodeCount: 3 });
  });

  it('an issue answers as an Issue to issueOrPullRequest and NOT_FOUND to pullRequest', async () => {
    const answers = await owners(12);
    const issue = [...answers].find(([, kind]) => kind === 'Issue')![0];
    const reply = await graphql(sim, LOOKUPS, { a: issue, b: issue, c: issue });
    expect(reply.body.data.repository.a).toEqual({ __typename: 'Issue', number: issue });
    expect(reply.body.data.repository.c).toBeNull();
    expect(reply.body.errors.map((e: { type: string }) => e.type)).toEqual(['NOT_FOUND']);
  });

  it('a repository without an issue share keeps its numbers (gaps of 1 to 5)', () => {
    const numbers = sim.groundTruth('octo', 'classic', 'core').map((pr) => pr.number);
    numbers.sort((a, b) => a - b);
    numbers.forEach((n, i) => {
      expect(n).toBeGreaterThanOrEqual(3 * i + 1);
      expect(n).toBeLessThanOrEqual(3 * i + 3);
    });
  });
});
