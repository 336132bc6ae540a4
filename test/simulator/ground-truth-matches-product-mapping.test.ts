/**
 * The simulator's ground truth is written apart from the product's mapping so that comparing a database with it
 * means something. This checks the two agree on what GitHub actually serves, for every field profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_PROFILES, type PullRequestRecord } from '../../src/domain/pull-request.ts';
import { mapPullRequestNodes } from '../../src/github/map.ts';
import { pageRequestQuery } from '../../src/github/queries.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 13,
      repositories: [{ owner: 'octo', name: 'truth', pullRequests: 450, pullRequestsWithoutIds: 1 }],
    },
    tokens: { 'test-token': { limit: 100_000 } },
  });
});
afterAll(() => sim.stop());

describe('ground truth equals the product mapping of what the simulator serves', () => {
  for (const profile of FIELD_PROFILES) {
    it(`${profile} profile`, async () => {
      const records: PullRequestRecord[] = [];
      let skipped = 0;
      let after: string | null = null;
      do {
        const { query, variables } = pageRequestQuery({
          owner: 'octo',
          name: 'truth',
          profile,
          windows: [{ key: 'forward', direction: 'forward', size: 100, cursor: after }],
        });
        const reply = await graphql(sim, query, variables);
        expect(reply.body.errors).toBeUndefined();
        const window = reply.body.data.repository.forward;
        const mapped = mapPullRequestNodes(window.nodes, profile);
        records.push(...mapped.records);
        skipped += mapped.skipped;
        after = window.pageInfo.hasNextPage ? window.pageInfo.endCursor : null;
      } while (after);

      expect(skipped).toBe(1);
      const truth = sim.groundTruth('octo', 'truth', profile);
      expect(truth).toHaveLength(449);
      expect(records).toEqual(truth);
    });
  }
});
