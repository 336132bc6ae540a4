import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const PAGE = `query($after: String) {
  repository(owner: "octo", name: "busy") {
    pullRequests(first: 50, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { number state updatedAt closedAt mergedAt }
    }
  }
}`;

// biome-ignore lint/suspicious/noExplicitAny: nodes are inspected ad hoc
type Node = any;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 21,
      repositories: [
        {
          owner: 'octo',
          name: 'busy',
          pullRequests: 400,
          changes: { everyPages: 2, transitions: 3, growth: 2 },
        },
      ],
    },
    tokens: { 'test-token': { limit: 100_000 } },
    now: () => NOW,
  });
});
afterAll(() => sim.stop());

describe('a repository changes while it is being walked', () => {
  it('open pull requests close and new ones appear after every K served pages', async () => {
    const openBefore = sim.groundTruth('octo', 'busy', 'core').filter((pr) => pr.state === 'OPEN').length;
    const seen: Node[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    do {
      const reply = await graphql(sim, PAGE, { after });
      const connection = reply.body.data.repository.pullRequests;
      totals.push(connection.totalCount);
      seen.push(...connection.nodes);
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);

    // 400 PRs in pages of 50 plus the growth that keeps appending at the end
    expect(totals[0]).toBe(400);
    expect(totals.at(-1)).toBeGreaterThan(400);
    expect(new Set(seen.map((node) => node.number)).size).toBe(seen.length);
    expect(seen.length).toBe(totals.at(-1));

    const truth = sim.groundTruth('octo', 'busy', 'core');
    expect(truth).toHaveLength(totals.at(-1) ?? 0);
    const changed = truth.filter((pr) => pr.updated_at === '2026-06-01T12:00:00Z' && pr.state !== 'OPEN');
    expect(changed.length).toBeGreaterThan(0);
    for (const pr of changed) expect(pr.closed_at).toBe('2026-06-01T12:00:00Z');
    const grown = truth.filter((pr) => pr.created_at === '2026-06-01T12:00:00Z');
    expect(grown.length).toBe((totals.at(-1) ?? 0) - 400);
    expect(grown.every((pr) => pr.state === 'OPEN')).toBe(true);
    expect(openBefore).toBeGreaterThan(0);
  });

  it('the changed pull requests lead the UPDATED_AT DESC order', async () => {
    const reply = await graphql(
      sim,
      'query { repository(owner: "octo", name: "busy") { pullRequests(first: 3, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { updatedAt } } } }',
    );
    const nodes = reply.body.data.repository.pullRequests.nodes as Node[];
    expect(nodes.map((node) => node.updatedAt)).toEqual(Array(3).fill('2026-06-01T12:00:00Z'));
  });
});
