import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { PullRequestRecord, PullRequestState } from '../../src/domain/pull-request.ts';
import { mergePages, splitRequest } from '../../src/engine/segments.ts';
import { advanceWalk, parseWalkCursor, type WalkCursor, walkRequest } from '../../src/engine/walk.ts';
import type { PageRequest, PageResult, PageWindow } from '../../src/github/types.ts';

const STATES: PullRequestState[] = ['OPEN', 'CLOSED', 'MERGED'];

/** A repository's pull requests, creation-time ties included; `state` can change between requests. */
function repository(n: number, stateOf: (i: number) => PullRequestState, tieEvery = 7): PullRequestRecord[] {
  const prs: PullRequestRecord[] = [];
  let t = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    if (i % tieEvery !== 0) t += 60_000;
    prs.push({
      github_id: String(1000 + i),
      node_id: `PR_${i}`,
      number: i + 1,
      state: stateOf(i),
      created_at: new Date(t).toISOString(),
      updated_at: new Date(t).toISOString(),
    } as PullRequestRecord);
  }
  return prs;
}

const mostlyMerged = (i: number): PullRequestState =>
  i % 20 === 0 ? 'OPEN' : i % 5 === 0 ? 'CLOSED' : 'MERGED';
const balanced = (i: number): PullRequestState => STATES[i % 3]!;

/**
 * Serves windows the way GitHub does: a state filter, then CREATED_AT order, cursors that encode the sort key (so a
 * cursor keeps its place when the node it names leaves the partition).
 */
function serve(prs: PullRequestRecord[], request: PageRequest): PageResult {
  const key = (pr: PullRequestRecord) => `${pr.created_at}|${pr.github_id.padStart(12, '0')}`;
  const windows: Record<string, PageWindow> = {};
  for (const window of request.windows) {
    // `repository` builds the pull requests in sort-key order
    const list = prs.filter((pr) => !window.states || window.states.includes(pr.state));
    let from = 0;
    let to = list.length;
    if (window.direction === 'forward') {
      if (window.cursor !== null) from = countUpTo(list, key, window.cursor, true);
      to = Math.min(list.length, from + window.size);
    } else {
      if (window.cursor !== null) to = countUpTo(list, key, window.cursor, false);
      from = Math.max(0, to - window.size);
    }
    const nodes = list.slice(from, to);
    windows[window.key] =
      window.direction === 'forward'
        ? {
            nodes,
            cursor: nodes.length ? key(nodes.at(-1)!) : null,
            hasMore: to < list.length,
            totalCount: list.length,
          }
        : { nodes, cursor: nodes.length ? key(nodes[0]!) : null, hasMore: from > 0, totalCount: list.length };
  }
  return {
    totalCount: prs.length,
    windows,
    skippedNodes: 0,
    predictedCost: 1,
    rateLimit: {
      limit: 5000,
      remaining: 4000,
      used: 1000,
      resetAt: '2026-01-01T00:00:00Z',
      cost: 1,
      nodeCount: 0,
    },
  };
}

/** How many keys come before the cursor (or up to it, inclusive), by binary search. */
function countUpTo(
  list: PullRequestRecord[],
  key: (pr: PullRequestRecord) => string,
  cursor: string,
  inclusive: boolean,
): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const k = key(list[mid]!);
    if (k < cursor || (inclusive && k === cursor)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function walk(
  prs: PullRequestRecord[],
  size: number,
  windows: number,
  options: { cursor?: WalkCursor; between?: (request: number) => void; segments?: number } = {},
) {
  let cursor = options.cursor ?? parseWalkCursor(null);
  const seen = new Map<string, number>();
  let requests = 0;
  for (;;) {
    const round = walkRequest(cursor, { owner: 'o', name: 'n' }, 'core', size, windows);
    const page = mergePages(splitRequest(round, options.segments ?? 1).map((part) => serve(prs, part)));
    requests++;
    const step = advanceWalk(cursor, page);
    for (const pr of step.prs) seen.set(pr.github_id, (seen.get(pr.github_id) ?? 0) + 1);
    cursor = step.next;
    if (step.done) return { seen, requests, cursor };
    if (requests > prs.length + 5) throw new Error('walk does not end');
    options.between?.(requests);
  }
}

describe('the partitioned walk', () => {
  test('covers every pull request of any repository, whatever the states, window size and window count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1200 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.constantFrom(...STATES), { minLength: 1, maxLength: 17 }),
        (n, size, windows, pattern) => {
          const prs = repository(n, (i) => pattern[i % pattern.length]!);
          const { seen } = walk(prs, size, windows);
          expect(seen.size).toBe(n);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('six windows walk balanced partitions in a sixth of the requests of one window', () => {
    const prs = repository(12_000, balanced);
    expect(walk(prs, 100, 1).requests).toBe(120);
    expect(walk(prs, 100, 6).requests).toBeLessThanOrEqual(21);
  });

  test('the largest partition sets the pace: 80% merged takes 0.8 × n / 200 requests', () => {
    const prs = repository(12_000, mostlyMerged);
    expect(walk(prs, 100, 6).requests).toBeLessThanOrEqual((0.8 * 12_000) / 200 + 1);
  });

  test('with fewer windows than open partitions, the largest partitions get them', () => {
    const cursor = parseWalkCursor(null);
    cursor.partitions[0]!.total = 10;
    cursor.partitions[1]!.total = 500;
    cursor.partitions[2]!.total = 90;
    const request = walkRequest(cursor, { owner: 'o', name: 'n' }, 'core', 100, 4);
    expect(request.windows.map((w) => w.key)).toEqual([
      'closedForward',
      'mergedForward',
      'openForward',
      'closedBackward',
    ]);
  });

  test('a finished partition closes its windows', () => {
    const prs = repository(2_000, mostlyMerged);
    const first = advanceWalk(
      parseWalkCursor(null),
      serve(prs, walkRequest(parseWalkCursor(null), { owner: 'o', name: 'n' }, 'core', 100, 6)),
    );
    // 100 open pull requests: both windows saw all of them and met
    expect(first.next.partitions.find((p) => p.state === 'OPEN')).toMatchObject({ done: true, total: 100 });
    const next = walkRequest(first.next, { owner: 'o', name: 'n' }, 'core', 100, 6);
    expect(next.windows.map((w) => w.key).sort()).toEqual([
      'closedBackward',
      'closedForward',
      'mergedBackward',
      'mergedForward',
    ]);
  });

  test('a page never carries the same pull request twice, even where the windows meet', () => {
    const prs = repository(650, balanced);
    let cursor = parseWalkCursor(null);
    for (;;) {
      const step = advanceWalk(
        cursor,
        serve(prs, walkRequest(cursor, { owner: 'o', name: 'n' }, 'core', 100, 6)),
      );
      expect(new Set(step.prs.map((p) => p.github_id)).size).toBe(step.prs.length);
      cursor = step.next;
      if (step.done) break;
    }
  });

  test('where the windows meet, nothing already stored is sent again', () => {
    // Without creation-time ties: a node tied with the other walker's edge can't be placed, so it is re-sent (harmless).
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 100 }), (n, size) => {
        const { seen } = walk(repository(n, mostlyMerged, Number.MAX_SAFE_INTEGER), size, 6);
        expect([...seen.values()].every((times) => times === 1)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test('pull requests that change state mid-walk are stored by the walk or left to the refresh, never lost', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (n, size, windows, seed) => {
          // a third open at first; between requests some open ones merge or close, their updatedAt moving on
          const prs = repository(n, (i) => (i % 3 === 0 ? 'OPEN' : i % 3 === 1 ? 'CLOSED' : 'MERGED'));
          const watermark = '2030-01-01T00:00:00.000Z';
          let random = seed;
          const next = () => {
            random = (random * 48_271) % 2_147_483_647;
            return random / 2_147_483_647;
          };
          const changed = new Set<string>();
          const { seen } = walk(prs, size, windows, {
            between: (request) => {
              for (let k = 0; k < 3; k++) {
                const pr = prs[Math.floor(next() * prs.length)]!;
                if (pr.state !== 'OPEN') continue;
                pr.state = next() < 0.7 ? 'MERGED' : 'CLOSED';
                pr.updated_at = new Date(Date.parse(watermark) + request * 1000).toISOString();
                changed.add(pr.github_id);
              }
            },
          });
          for (const pr of prs) {
            // not walked: only a pull request that changed, whose updatedAt the refresh (down to the watermark) sees
            if (!seen.has(pr.github_id)) {
              expect(changed.has(pr.github_id)).toBe(true);
              expect(pr.updated_at >= watermark).toBe(true);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('rounds split into concurrent requests and merged walk exactly as whole rounds do', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 2, max: 6 }),
        (n, size, segments) => {
          const prs = repository(n, mostlyMerged);
          const whole = walk(prs, size, 6);
          const split = walk(prs, size, 6, { segments });
          expect(split.requests).toBe(whole.requests);
          expect(split.cursor).toEqual(whole.cursor);
          expect([...split.seen.keys()].sort()).toEqual([...whole.seen.keys()].sort());
          expect(split.seen.size).toBe(n);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('an empty repository is done after one request', () => {
    expect(walk([], 100, 6)).toMatchObject({ requests: 1 });
  });

  test('a walk begun before partitions carries on as one unpartitioned two-ended walk', () => {
    const prs = repository(900, mostlyMerged);
    const key = (pr: PullRequestRecord) => `${pr.created_at}|${pr.github_id.padStart(12, '0')}`;
    const v1 = parseWalkCursor({
      v: 1,
      after: key(prs[99]!),
      before: key(prs[800]!),
      forwardEdge: { id: prs[99]!.node_id, createdAt: prs[99]!.created_at },
      backwardEdge: { id: prs[800]!.node_id, createdAt: prs[800]!.created_at },
    });
    expect(v1.partitions).toHaveLength(1);
    const request = walkRequest(v1, { owner: 'o', name: 'n' }, 'core', 100, 6);
    expect(request.windows.map((w) => [w.key, w.states])).toEqual([
      ['allForward', undefined],
      ['allBackward', undefined],
    ]);
    const { seen } = walk(prs, 100, 6, { cursor: v1 });
    expect([...seen.keys()].sort()).toEqual(
      prs
        .slice(100, 800)
        .map((pr) => pr.github_id)
        .sort(),
    );
  });

  test('a cursor state from a newer version is refused, not misread', () => {
    expect(() => parseWalkCursor({ v: 3 })).toThrow(/version 3/);
  });
});
