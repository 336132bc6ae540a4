import { describe, expect, test } from 'vitest';
import type { RunContext } from '../../src/engine/context.ts';
import {
  chooseParallelRequests,
  chooseSegments,
  MAX_PARALLEL_NUMBER_REQUESTS,
  mergePages,
  type ProbeInput,
  probeNumbers,
  RoundPacer,
  type SegmentsInput,
  splitRequest,
} from '../../src/engine/segments.ts';
import type { RepositoryReport } from '../../src/engine/types.ts';
import {
  MAX_WALK_WINDOWS,
  parseWalkCursor,
  roundsLeft,
  type WalkCursor,
  walkRequest,
} from '../../src/engine/walk.ts';
import { DEFAULT_MAX_CONCURRENT } from '../../src/github/transport.ts';
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

describe('when the largest partition bounds the walk', () => {
  // P3's repository: 20,000 PRs, 14,869 of them merged; a round of six windows takes 1.2 s as one request
  const p3: SegmentsInput = {
    ...base,
    prsLeft: 20_000,
    prsPerRound: 600,
    sequentialRoundMs: 1_200,
    timeLeftMs: 20_000,
  };

  test('its two windows need 75 rounds, not the 34 of six full windows: every window its own request', () => {
    expect(chooseSegments(p3)).toBe(3);
    expect(chooseSegments({ ...p3, walkRounds: 75 })).toBe(6);
  });

  test('four requests of six windows take as long as three (two windows in the heaviest), so the split goes to six', () => {
    // 60 rounds of 1 s: three requests need 20 s, four too (not 15 s), six 10 s
    expect(chooseSegments({ ...base, timeLeftMs: 16_000 })).toBe(6);
    expect(chooseSegments({ ...base, timeLeftMs: 20_000 })).toBe(3);
  });

  test('fewer rounds than the PRs left at full rounds take change nothing', () => {
    expect(chooseSegments({ ...base, timeLeftMs: 40_000, walkRounds: 10 })).toBe(2);
  });
});

describe('the rounds a partitioned walk still needs', () => {
  const cursor = (totals: [number, number, boolean][]): WalkCursor => ({
    v: 2,
    partitions: (['OPEN', 'CLOSED', 'MERGED'] as const).map((state, i) => ({
      ...parseWalkCursor(null).partitions[i]!,
      state,
      taken: totals[i]![0],
      total: totals[i]![1],
      done: totals[i]![2],
    })),
  });

  test("the largest partition's left, two windows of 100 a round", () => {
    expect(
      roundsLeft(
        cursor([
          [600, 1_079, false],
          [600, 4_052, false],
          [600, 14_869, false],
        ]),
        100,
        18_200,
      ),
    ).toBe(72);
  });

  test('done partitions do not count; none open, none left', () => {
    expect(
      roundsLeft(
        cursor([
          [1_079, 1_079, true],
          [100, 500, false],
          [14_869, 14_869, true],
        ]),
        100,
        400,
      ),
    ).toBe(2);
    expect(roundsLeft({ v: 2, partitions: [] }, 100, 1_000)).toBe(0);
  });

  test('a partition no window has answered counts as every PR left', () => {
    expect(roundsLeft(parseWalkCursor(null), 100, 20_000)).toBe(100);
  });

  test('a since walk goes one window a partition', () => {
    expect(roundsLeft(parseWalkCursor(null), 100, 1_000, { since: '2026-01-01T00:00:00Z' })).toBe(10);
  });
});

describe("the number walk's probe", () => {
  // 20,000 PRs left, six windows of 100 a round at 1 point, 1.5 s a round as one request (the run's first estimate)
  const probe: ProbeInput = {
    count: 250,
    min: 25,
    prsLeft: 20_000,
    prsPerRound: 600,
    sequentialRoundMs: 1_500,
    timeLeftMs: 3_600_000,
    windowSize: 100,
    pointsPerRound: 1,
    spendablePoints: 4_500,
  };
  test.each<[string, Partial<ProbeInput>, number]>([
    ['time does not bind: the probe asks its usual lookups', {}, 250],
    [
      '34 rounds of 1.5 s in 22 s, and 100 points pay for the window walk at worst: no probe, windows at once',
      { timeLeftMs: 22_000 },
      0,
    ],
    [
      'time binds but 100 points might not be there (90 are): the probe asks for the fewest',
      { timeLeftMs: 22_000, spendablePoints: 90 },
      25,
    ],
    ['a usual probe already smaller stays so', { timeLeftMs: 22_000, spendablePoints: 90, count: 10 }, 10],
  ])('%s', (_name, change, expected) => {
    expect(probeNumbers({ ...probe, ...change })).toBe(expected);
  });
});

describe("a repository's pacer", () => {
  // a fake run: 22 s left, points to spare, a round of six windows priced 1
  const now = { ms: 0 };
  const ctx = {
    deadline: 22_000,
    clock: { now: () => now.ms },
    ledger: { remainingPoints: () => 5_000, reserve: 500 },
    github: { predictCost: () => 1 },
    plan: { windowsPerRequest: 6, pageSize: 100, pointsPerPage: 1 },
  } as unknown as RunContext;
  const report = { prTotalCount: 20_000, storedAfter: 0 } as RepositoryReport;
  const round = walkRequest(parseWalkCursor(null), { owner: 'o', name: 'n' }, 'core', 100, 6);
  const rounds = () => 75;

  test("a fast probe of a few lookups leaves the window round's estimate as it was", () => {
    const pacer = new RoundPacer(1_500);
    pacer.observedNumbers(150);
    expect(pacer.requestMs).toBe(150);
    expect(pacer.segmentsFor(ctx, round, report, 600, rounds)).toBe(6);
  });

  test('decides the probe from the run: 22 s for 34 rounds of 1.5 s, points to spare, no probe', () => {
    expect(new RoundPacer(1_500).probeFor(ctx, report, 250, 25)).toBe(0);
    expect(new RoundPacer(100).probeFor(ctx, report, 250, 25)).toBe(250);
  });

  test('a window round split six ways in 300 ms counts as 1.8 s whole', () => {
    const pacer = new RoundPacer(100);
    expect(pacer.segmentsFor(ctx, round, report, 600, rounds)).toBe(1);
    pacer.observedWindows(300, 6);
    expect(pacer.segmentsFor(ctx, round, report, 600, rounds)).toBe(6);
    expect(pacer.requestMs).toBe(100);
  });
});

test("the client lets every request of the planner's widest round fly at once (none queues behind another)", () => {
  expect(DEFAULT_MAX_CONCURRENT).toBeGreaterThanOrEqual(MAX_WALK_WINDOWS);
  expect(DEFAULT_MAX_CONCURRENT).toBeGreaterThanOrEqual(MAX_PARALLEL_NUMBER_REQUESTS);
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
