import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSchema } from '../../src/simulator/schema.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const TOTAL = 200_000;
const QUERY = `query($last: Int, $before: String, $first: Int, $after: String) {
  repository(owner: "octo", name: "huge") {
    pullRequests(last: $last, before: $before, first: $first, after: $after) {
      totalCount
      pageInfo { startCursor endCursor hasPreviousPage hasNextPage }
      nodes { number title body labels(first: 20) { nodes { name } } comments(first: 20) { nodes { body } } }
    }
  }
}`;

let sim: Simulator;
let heapBefore = 0;

beforeAll(async () => {
  githubSchema(); // built once per process whatever the dataset size: keep it out of the measurement
  globalThis.gc?.();
  heapBefore = process.memoryUsage().heapUsed;
  sim = await startSimulator({
    dataset: { seed: 8, repositories: [{ owner: 'octo', name: 'huge', pullRequests: TOTAL }] },
    tokens: { 'test-token': { limit: 1_000_000 } },
  });
});
afterAll(() => sim.stop());

describe('a 200,000-PR repository is served without materialising it', () => {
  it('pages at the end come from a few hundred generated rows in little memory', async () => {
    const last = await graphql(sim, QUERY, { last: 100 });
    const connection = last.body.data.repository.pullRequests;
    expect(connection.totalCount).toBe(TOTAL);
    expect(connection.nodes).toHaveLength(100);
    expect(connection.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const previous = await graphql(sim, QUERY, { last: 100, before: connection.pageInfo.startCursor });
    const earlier = previous.body.data.repository.pullRequests.nodes;
    expect(earlier.at(-1).number).toBeLessThan(connection.nodes[0].number);
    const fromCursor = await graphql(sim, QUERY, {
      first: 100,
      after: previous.body.data.repository.pullRequests.pageInfo.endCursor,
    });
    expect(fromCursor.body.data.repository.pullRequests.nodes).toEqual(connection.nodes);

    globalThis.gc?.();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    // materialising 200,000 pull requests takes hundreds of megabytes; a few pages take a few
    expect(growth).toBeLessThan(48 * 1024 * 1024);
  });
});

describe('a long run in the same process', () => {
  it('keeps no request log when asked not to, and serves the same answers', async () => {
    const quiet = await startSimulator({
      dataset: { seed: 8, repositories: [{ owner: 'octo', name: 'huge', pullRequests: 1_000 }] },
      tokens: { 'test-token': { limit: 1_000_000 } },
      requestLog: false,
    });
    try {
      const answer = await graphql(quiet, QUERY, { first: 10 });
      expect(answer.body.data.repository.pullRequests.nodes).toHaveLength(10);
      expect(quiet.requests).toEqual([]);
      expect(quiet.budget('test-token').used).toBe(1); // charged as ever: only the log is off
    } finally {
      await quiet.stop();
    }
  });
});
