import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import { advanceWalk, parseWalkCursor, walkRequest } from '../../src/engine/walk.ts';
import type { PageRequest, PageResult } from '../../src/github/types.ts';

/** An in-memory list served with GitHub's cursor semantics (cursor = position of a node), ties in createdAt included. */
function list(n: number, tieEvery = 7): PullRequestRecord[] {
  const prs: PullRequestRecord[] = [];
  let t = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    if (i % tieEvery !== 0) t += 60_000;
    prs.push({
      github_id: String(1000 + i),
      node_id: `PR_${i}`,
      number: i + 1,
      created_at: new Date(t).toISOString(),
    } as PullRequestRecord);
  }
  return prs;
}

function serve(prs: PullRequestRecord[], request: PageRequest): PageResult {
  const index = (cursor: string) => Number(cursor.slice(1));
  const result: PageResult = {
    totalCount: prs.length,
    skippedNodes: 0,
    predictedCost: 1,
    rateLimit: {
      limit: 5000,
      remaining: 4000,
      used: 1000,
      resetAt: new Date().toISOString(),
      cost: 1,
      nodeCount: 0,
    },
  };
  if (request.forward) {
    const start = request.forward.after === null ? 0 : index(request.forward.after) + 1;
    const nodes = prs.slice(start, start + request.forward.first);
    result.forward = {
      nodes,
      cursor: nodes.length ? `c${start + nodes.length - 1}` : request.forward.after,
      hasMore: start + nodes.length < prs.length,
    };
  }
  if (request.backward) {
    const end = request.backward.before === null ? prs.length : index(request.backward.before);
    const begin = Math.max(0, end - request.backward.last);
    const nodes = prs.slice(begin, end);
    result.backward = {
      nodes,
      cursor: nodes.length ? `c${begin}` : request.backward.before,
      hasMore: begin > 0,
    };
  }
  return result;
}

function walk(prs: PullRequestRecord[], size: number, windows: 1 | 2) {
  let cursor = parseWalkCursor(null);
  const seen = new Map<string, number>();
  let requests = 0;
  for (;;) {
    const page = serve(prs, walkRequest(cursor, { owner: 'o', name: 'n' }, 'core', size, windows));
    requests++;
    const step = advanceWalk(cursor, page);
    for (const pr of step.prs) seen.set(pr.github_id, (seen.get(pr.github_id) ?? 0) + 1);
    cursor = step.next;
    if (step.done) return { seen, requests };
    if (requests > prs.length + 5) throw new Error('walk does not end');
  }
}

describe('the two-ended walk', () => {
  test('covers every pull request of any list, whatever the window size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1200 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<1 | 2>(1, 2),
        (n, size, windows) => {
          const prs = list(n);
          const { seen } = walk(prs, size, windows);
          expect(seen.size).toBe(n);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('two windows need about half the requests of one', () => {
    const prs = list(10_000);
    expect(walk(prs, 100, 1).requests).toBe(100);
    expect(walk(prs, 100, 2).requests).toBeLessThanOrEqual(51);
  });

  test('a page never carries the same pull request twice, even where the windows meet', () => {
    const prs = list(250);
    let cursor = parseWalkCursor(null);
    for (;;) {
      const step = advanceWalk(
        cursor,
        serve(prs, walkRequest(cursor, { owner: 'o', name: 'n' }, 'core', 100, 2)),
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
        const { seen } = walk(list(n, Number.MAX_SAFE_INTEGER), size, 2);
        expect([...seen.values()].every((times) => times === 1)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test('an empty repository is done after one request', () => {
    expect(walk([], 100, 2)).toMatchObject({ requests: 1 });
  });

  test('a cursor state from a newer version is refused, not misread', () => {
    expect(() => parseWalkCursor({ v: 2 })).toThrow(/version 2/);
  });
});
