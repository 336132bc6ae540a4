import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_TYPES } from '../../src/domain/pull-request.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const QUERY = `query($after: String) {
  repository(owner: "octo", name: "mixed") {
    pullRequests(first: 100, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes {
        id databaseId fullDatabaseId number title body state isDraft closedAt mergedAt
        author {
          __typename login
          ... on User { databaseId } ... on Bot { databaseId } ... on Mannequin { databaseId } ... on Organization { databaseId }
        }
      }
    }
  }
}`;

// biome-ignore lint/suspicious/noExplicitAny: a GraphQL node inspected field by field
type Node = any;
let sim: Simulator;
const nodes: Node[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 3,
      repositories: [{ owner: 'octo', name: 'mixed', pullRequests: 3_000, pullRequestsWithoutIds: 2 }],
    },
    tokens: { 'test-token': { limit: 100_000 } },
  });
  let after: string | null = null;
  do {
    const reply = await graphql(sim, QUERY, { after });
    expect(reply.body.errors).toBeUndefined();
    const connection = reply.body.data.repository.pullRequests;
    nodes.push(...connection.nodes);
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
});
afterAll(() => sim.stop());

describe('synthetic pull requests carry the shapes that break real pipelines', () => {
  it('authors include ghosts and every Actor type, bots named like GraphQL names them', () => {
    expect(nodes.some((node) => node.author === null)).toBe(true);
    const types = new Set(nodes.flatMap((node) => (node.author ? [node.author.__typename] : [])));
    expect([...types].sort()).toEqual([...ACTOR_TYPES].sort());
    const bots = nodes.filter((node) => node.author?.__typename === 'Bot');
    expect(bots.map((node) => node.author.login)).toContain('dependabot');
    expect(bots.every((node) => !node.author.login.endsWith('[bot]'))).toBe(true);
    const enterprise = nodes.find((node) => node.author?.__typename === 'EnterpriseUserAccount');
    expect(enterprise.author).not.toHaveProperty('databaseId');
  });

  it('ids pass 2^31 and approach 2^53 as exact strings, and two nodes have no database id at all', () => {
    const ids = nodes.flatMap((node) => (node.fullDatabaseId ? [BigInt(node.fullDatabaseId)] : []));
    expect(ids.some((id) => id > 2n ** 31n && id < 2n ** 32n)).toBe(true);
    expect(ids.some((id) => id > 2n ** 52n)).toBe(true);
    expect(ids.every((id) => id < 2n ** 53n)).toBe(true);
    expect(
      nodes
        .filter((node) => node.fullDatabaseId !== null && BigInt(node.fullDatabaseId) > 2n ** 31n - 1n)
        .every((node) => node.databaseId === null),
    ).toBe(true);
    const idless = nodes.filter((node) => node.databaseId === null && node.fullDatabaseId === null);
    expect(idless).toHaveLength(2);
    expect(idless.every((node) => typeof node.id === 'string' && node.id.length > 0)).toBe(true);
  });

  it('titles and bodies include emoji, right-to-left scripts, empty and 60,000+ character bodies', () => {
    expect(nodes.some((node) => /\p{Extended_Pictographic}/u.test(node.title))).toBe(true);
    expect(nodes.some((node) => /\p{Script=Arabic}/u.test(node.title))).toBe(true);
    expect(nodes.some((node) => /\p{Script=Hebrew}/u.test(node.title))).toBe(true);
    expect(nodes.some((node) => node.body === '')).toBe(true);
    expect(nodes.some((node) => node.body.length >= 60_000)).toBe(true);
  });

  it('states, drafts and close/merge timestamps are consistent', () => {
    const states = new Set(nodes.map((node) => node.state));
    expect([...states].sort()).toEqual(['CLOSED', 'MERGED', 'OPEN']);
    expect(nodes.some((node) => node.isDraft)).toBe(true);
    for (const node of nodes) {
      if (node.state === 'OPEN') expect([node.closedAt, node.mergedAt]).toEqual([null, null]);
      if (node.state === 'CLOSED') expect(node.closedAt !== null && node.mergedAt === null).toBe(true);
      if (node.state === 'MERGED') expect(node.mergedAt).toBe(node.closedAt);
      if (node.state === 'MERGED') expect(node.isDraft).toBe(false);
    }
  });

  it('pull request numbers rise with gaps where issues took numbers', () => {
    const numbers = nodes.map((node) => node.number);
    expect(numbers.every((number, i) => i === 0 || number > (numbers[i - 1] ?? 0))).toBe(true);
    expect(numbers.at(-1)).toBeGreaterThan(numbers.length * 2);
  });
});
