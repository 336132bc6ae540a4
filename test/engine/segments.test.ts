import { describe, expect, test } from 'vitest';
import {
  chooseParallelRequests,
  chooseSegments,
  mergePages,
  type SegmentsInput,
  splitRequest,
} from '../../src/engine/segments.ts';
import { parseWalkCursor, walkRequest } from '../../src/engine/walk.ts';
import type { PageResult } from '../../src/github/types.ts';

// 60 rounds of 600 PRs left, 1 s a round as one request, 1 point a round
const base: SegmentsInput = {
  windows: 6,
  prsLeft: 36_000,
  prsPerRound: 600,
  sequentialRoundMs: 1_000,
  timeLeftMs: 3_600_000,
  spendablePoints: 4_500,
  pointsPerRound: 1,
};

describe('how many concurrent requests a round takes', () => {
  test.each<[string, Partial<SegmentsInput>, number]>([
    ['time does not bind: one request per round, the cheapest', {}, 1],
    ['nothing left to walk', { prsLeft: 0, timeLeftMs: 0 }, 1],
    ['60 s of work in 40 s: two requests per round', { timeLeftMs: 40_000 }, 2],
    ['60 s of work in 25 s: three', { timeLeftMs: 25_000 }, 3],
    ['60 s of work in 5 s: as many as there are windows', { timeLeftMs: 5_000 }, 6],
    [
      'time binds, but two per round would cost 120 of 100 points: one',
      { timeLeftMs: 5_000, spendablePoints: 100 },
      1,
    ],
    [
      'time binds and 250 points afford four per round (240), not five',
      { timeLeftMs: 5_000, spendablePoints: 250 },
      4,
    ],
    ['a round of two windows splits two ways at most', { timeLeftMs: 5_000, windows: 2 }, 2],
    [
      'a round already costing 3 points costs no more split three ways',
      { timeLeftMs: 25_000, pointsPerRound: 3, spendablePoints: 180 },
      3,
    ],
  ])('%s', (_name, change, expected) => {
    expect(chooseSegments({ ...base, ...change })).toBe(expected);
  });
});

describe('a split round', () => {
  const round = walkRequest(parseWalkCursor(null), { owner: 'o', name: 'n' }, 'core', 100, 6);

  test('deals every window to exactly one request', () => {
    for (const segments of [1, 2, 3, 4, 5, 6, 9]) {
      const parts = splitRequest(round, segments);
      expect(parts).toHaveLength(Math.min(segments, 6));
      expect(parts.flatMap((part) => part.windows.map((w) => w.key)).sort()).toEqual(
        round.windows.map((w) => w.key).sort(),
      );
    }
  });

  test('merges back into one page: every window, the points of all, the lowest budget left', () => {
    const page = (key: string, remaining: number, cost: number): PageResult => ({
      totalCount: 10,
      windows: { [key]: { nodes: [], cursor: key, hasMore: true, totalCount: 3 } },
      skippedNodes: 1,
      predictedCost: cost,
      rateLimit: { limit: 5000, remaining, used: 5000 - remaining, resetAt: 'r', cost, nodeCount: 100 },
    });
    const merged = mergePages([
      page('openForward', 4_000, 1),
      page('mergedForward', 3_998, 1),
      page('x', 3_999, 2),
    ]);
    expect(Object.keys(merged.windows).sort()).toEqual(['mergedForward', 'openForward', 'x']);
    expect(merged).toMatchObject({ totalCount: 10, skippedNodes: 3, predictedCost: 4 });
    expect(merged.rateLimit).toMatchObject({ remaining: 3_998, cost: 4, nodeCount: 300 });
  });
});

describe('how many number requests a round keeps in flight', () => {
  // 60 full requests left, 2 s each
  const numbers = { requestsLeft: 60, requestMs: 2_000, timeLeftMs: 3_600_000, max: 8 };
  test.each<[string, Partial<typeof numbers>, number]>([
    ['time does not bind: one at a time', {}, 1],
    ['nothing left', { requestsLeft: 0, timeLeftMs: 0 }, 1],
    ['120 s of work in 100 s: two, aiming at 80% of the time left', { timeLeftMs: 100_000 }, 2],
    ['120 s of work in 22 s: seven', { timeLeftMs: 22_000 }, 7],
    ['120 s of work in 5 s: no more than the cap', { timeLeftMs: 5_000 }, 8],
  ])('%s', (_name, change, expected) => {
    expect(chooseParallelRequests({ ...numbers, ...change })).toBe(expected);
  });
});
