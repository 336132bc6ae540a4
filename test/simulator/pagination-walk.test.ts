import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const TOTAL = 537;
let sim: Simulator;

const PAGE = `query($first: Int, $last: Int, $after: String, $before: String, $field: IssueOrderField!, $direction: OrderDirection!, $states: [PullRequestState!]) {
  repository(owner: "octo", name: "walk") {
    pullRequests(first: $first, last: $last, after: $after, before: $before, states: $states, orderBy: {field: $field, direction: $direction}) {
      totalCount
      pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
      edges { cursor node { number fullDatabaseId createdAt updatedAt state } }
    }
  }
}`;

interface Node {
  number: number;
  fullDatabaseId: string;
  createdAt: string;
  updatedAt: string;
  state: string;
}

async function walk(variables: Record<string, unknown>, direction: 'forward' | 'backward'): Promise<Node[]> {
  const collected: Node[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const reply = await graphql(sim, PAGE, {
      ...variables,
      ...(direction === 'forward' ? { first: 100, after: cursor } : { last: 100, before: cursor }),
    });
    expect(reply.body.errors).toBeUndefined();
    const connection = reply.body.data.repository.pullRequests;
    expect(connection.totalCount).toBe(variables.expectedTotal ?? TOTAL);
    const nodes = connection.edges.map((edge: { node: Node }) => edge.node);
    expect(connection.edges.at(0)?.cursor ?? null).toBe(connection.pageInfo.startCursor);
    expect(connection.edges.at(-1)?.cursor ?? null).toBe(connection.pageInfo.endCursor);
    if (direction === 'forward') {
      collected.push(...nodes);
      if (!connection.pageInfo.hasNextPage) return collected;
      cursor = connection.pageInfo.endCursor;
    } else {
      collected.unshift(...nodes);
      if (!connection.pageInfo.hasPreviousPage) return collected;
      cursor = connection.pageInfo.startCursor;
    }
  }
  throw new Error('walk did not end');
}

function byCreation(a: Node, b: Node): number {
  return (
    a.createdAt.localeCompare(b.createdAt) || Number(BigInt(a.fullDatabaseId) - BigInt(b.fullDatabaseId))
  );
}

beforeAll(async () => {
  sim = await startSimulator({
    dataset: { seed: 11, repositories: [{ owner: 'octo', name: 'walk', pullRequests: TOTAL }] },
    tokens: { 'test-token': { limit: 100_000 } },
  });
});
afterAll(() => sim.stop());

describe('cursor walks cover every pull request exactly once', () => {
  it('forward and backward CREATED_AT walks agree and are ordered with ties broken by id', async () => {
    const forward = await walk({ field: 'CREATED_AT', direction: 'ASC' }, 'forward');
    const backward = await walk({ field: 'CREATED_AT', direction: 'ASC' }, 'backward');
    expect(forward).toHaveLength(TOTAL);
    expect(backward).toEqual(forward);
    expect(new Set(forward.map((node) => node.number)).size).toBe(TOTAL);
    expect([...forward].sort(byCreation)).toEqual(forward);
    const ties = forward.filter((node, i) => i > 0 && forward[i - 1]?.createdAt === node.createdAt);
    expect(ties.length).toBeGreaterThan(0);
  });

  it('a DESC walk is the ASC walk reversed', async () => {
    const ascending = await walk({ field: 'CREATED_AT', direction: 'ASC' }, 'forward');
    const descending = await walk({ field: 'CREATED_AT', direction: 'DESC' }, 'forward');
    expect(descending).toEqual([...ascending].reverse());
  });

  it('an UPDATED_AT DESC walk is newest first and complete', async () => {
    const updated = await walk({ field: 'UPDATED_AT', direction: 'DESC' }, 'forward');
    expect(updated).toHaveLength(TOTAL);
    expect(new Set(updated.map((node) => node.number)).size).toBe(TOTAL);
    for (let i = 1; i < updated.length; i++) {
      expect(updated[i - 1]?.updatedAt.localeCompare(updated[i]?.updatedAt ?? '')).toBeGreaterThanOrEqual(0);
    }
  });

  it('a states filter narrows the list and its totalCount', async () => {
    const all = await walk({ field: 'CREATED_AT', direction: 'ASC' }, 'forward');
    const open = all.filter((node) => node.state === 'OPEN');
    expect(open.length).toBeGreaterThan(0);
    const walked = await walk(
      { field: 'CREATED_AT', direction: 'ASC', states: ['OPEN'], expectedTotal: open.length },
      'forward',
    );
    expect(walked).toEqual(open);
  });

  it('a cursor window between after and before holds exactly the rows between them', async () => {
    const first = await graphql(sim, PAGE, { field: 'CREATED_AT', direction: 'ASC', first: 10 });
    const edges = first.body.data.repository.pullRequests.edges;
    const between = await graphql(sim, PAGE, {
      field: 'CREATED_AT',
      direction: 'ASC',
      first: 100,
      after: edges[2].cursor,
      before: edges[7].cursor,
    });
    const connection = between.body.data.repository.pullRequests;
    expect(connection.edges.map((edge: { node: Node }) => edge.node.number)).toEqual(
      edges.slice(3, 7).map((edge: { node: Node }) => edge.node.number),
    );
    expect(connection.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });
});
