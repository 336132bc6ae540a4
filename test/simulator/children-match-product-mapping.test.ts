/**
 * Every child the simulator holds comes back through the product's own queries and mapping: the `full` page
 * inline, then follow-up pages from each connection's own cursor. Compared with the simulator's ground truth, which
 * is written apart from the mapping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CommentRecord,
  ContributorRecord,
  FollowUpTask,
  ReviewRecord,
} from '../../src/domain/children.ts';
import { FOLLOW_UP_REQUESTS, followUpRequestQuery } from '../../src/github/children-queries.ts';
import { queryCost } from '../../src/github/cost.ts';
import { mapPullRequestNode } from '../../src/github/map.ts';
import { mapFollowUpPage, mapInlineChildren } from '../../src/github/map-children.ts';
import { pageRequestQuery } from '../../src/github/queries.ts';
import { childrenTruth } from '../../src/simulator/children-truth.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 21,
      repositories: [
        { owner: 'octo', name: 'talk', pullRequests: 260, childCases: true, pullRequestsWithoutIds: 1 },
      ],
    },
    tokens: { 'test-token': { limit: 100_000 } },
  });
});
afterAll(() => sim.stop());

interface Fetched {
  contributors: Map<string, ContributorRecord>;
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  labels: Map<string, string[]>;
  followUpQueries: number;
}

async function fetchEverything(): Promise<Fetched> {
  const out: Fetched = {
    contributors: new Map(),
    reviews: [],
    comments: [],
    labels: new Map(),
    followUpQueries: 0,
  };
  const queue: FollowUpTask[] = [];
  const keep = (mapped: {
    contributors: ContributorRecord[];
    reviews: ReviewRecord[];
    comments: CommentRecord[];
    labels: { pull_request_github_id: string; names: string[] }[];
    followUps: FollowUpTask[];
  }) => {
    for (const contributor of mapped.contributors) out.contributors.set(contributor.github_id, contributor);
    out.reviews.push(...mapped.reviews);
    out.comments.push(...mapped.comments);
    for (const page of mapped.labels) out.labels.get(page.pull_request_github_id)?.push(...page.names);
    queue.push(...mapped.followUps);
  };

  let after: string | null = null;
  do {
    const { query, variables } = pageRequestQuery({
      owner: 'octo',
      name: 'talk',
      profile: 'full',
      windows: [{ key: 'forward', direction: 'forward', size: 40, cursor: after }],
    });
    const reply = await graphql(sim, query, variables);
    expect(reply.body.errors).toBeUndefined();
    const window = reply.body.data.repository.forward;
    for (const node of window.nodes) {
      const pr = mapPullRequestNode(node, 'full');
      if (!pr) continue;
      const mapped = mapInlineChildren(node, pr.github_id);
      out.labels.set(pr.github_id, [...mapped.firstLabels]);
      keep(mapped);
    }
    after = window.pageInfo.hasNextPage ? window.pageInfo.endCursor : null;
  } while (after);

  while (queue.length > 0) {
    const batch = queue.splice(0, FOLLOW_UP_REQUESTS);
    // the product's request: connections grouped by kind, each task read back under its own alias
    const { query: document, variables, aliases } = followUpRequestQuery(batch);
    const reply = await graphql(sim, document, variables);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data.rateLimit.cost).toBe(queryCost(document, variables).cost);
    expect(reply.body.data.rateLimit.cost).toBe(1);
    out.followUpQueries++;
    batch.forEach((task, k) => {
      const outcome = mapFollowUpPage(task, reply.body.data[aliases[k]!]);
      keep(outcome);
      if (outcome.nextCursor) queue.push({ ...task, cursor: outcome.nextCursor });
    });
  }
  return out;
}

const byId = (a: { github_id: string }, b: { github_id: string }) =>
  BigInt(a.github_id) < BigInt(b.github_id) ? -1 : BigInt(a.github_id) > BigInt(b.github_id) ? 1 : 0;

describe('children through the product’s queries and mapping equal the ground truth', () => {
  it('every review, review comment, conversation comment, label and contributor, exactly', async () => {
    const fetched = await fetchEverything();
    const truth = childrenTruth(sim.dataset.repositories[0]!);

    expect(fetched.reviews.sort(byId)).toEqual(truth.reviews);
    expect(fetched.comments.sort((a, b) => a.kind.localeCompare(b.kind) || byId(a, b))).toEqual(
      truth.comments,
    );
    expect([...fetched.contributors.values()].sort(byId)).toEqual(truth.contributors);
    expect(fetched.labels).toEqual(truth.labels);

    // the hard cases are really there
    const perPr = (rows: { pull_request_github_id: string }[]) => {
      const counts = new Map<string, number>();
      for (const row of rows)
        counts.set(row.pull_request_github_id, (counts.get(row.pull_request_github_id) ?? 0) + 1);
      return Math.max(...counts.values());
    };
    expect(perPr(truth.comments.filter((c) => c.kind === 'issue_comment'))).toBeGreaterThanOrEqual(250);
    expect(perPr(truth.reviews)).toBeGreaterThanOrEqual(120);
    const perReview = new Map<string, number>();
    for (const c of truth.comments)
      if (c.review_github_id) perReview.set(c.review_github_id, (perReview.get(c.review_github_id) ?? 0) + 1);
    expect(Math.max(...perReview.values())).toBeGreaterThanOrEqual(120);
    expect(Math.max(...[...truth.labels.values()].map((names) => names.length))).toBe(150);
    expect(new Set(truth.comments.map((c) => c.author_type))).toEqual(
      new Set([null, 'User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount']),
    );
    expect(truth.comments.some((c) => c.body.length === 65_000)).toBe(true);
    expect(
      truth.comments.some((c) => c.kind === 'review_comment' && c.line === null && c.original_line !== null),
    ).toBe(true);
    expect(truth.comments.some((c) => c.in_reply_to_github_id !== null)).toBe(true);
    expect(truth.comments.some((c) => c.updated_at > c.created_at)).toBe(true);
    const issueIds = new Set(
      truth.comments.filter((c) => c.kind === 'issue_comment').map((c) => c.github_id),
    );
    expect(truth.comments.some((c) => c.kind === 'review_comment' && issueIds.has(c.github_id))).toBe(true);
    expect(fetched.followUpQueries).toBeGreaterThan(1);
  });

  it('a draft review (PENDING) is held by the simulator but is no part of what a backfill must store', () => {
    const repository = sim.dataset.repositories[0]!;
    const pending = repository.pullRequest(4).reviews.filter((review) => review.state === 'PENDING');
    expect(pending).toHaveLength(1);
    expect(childrenTruth(repository).reviews.some((review) => review.node_id === pending[0]?.nodeId)).toBe(
      false,
    );
  });
});
