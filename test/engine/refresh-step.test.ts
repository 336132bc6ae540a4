import { expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import type { BackfillScope } from '../../src/domain/scope.ts';
import { refreshStep } from '../../src/engine/refresh.ts';

const FLOOR = '2025-01-01T00:00:00.000Z';

/** A listed pull request: its number, when it was last updated (relative to the floor, in days), state and base. */
function pr(number: number, days: number, state: PullRequestRecord['state'] = 'OPEN', base = 'main') {
  const at = new Date(Date.parse(FLOOR) + days * 86_400_000).toISOString();
  return {
    number,
    updated_at: at,
    state,
    base_ref: base,
    created_at: '2024-01-01T00:00:00Z',
  } as PullRequestRecord;
}

const numbers = (prs: readonly PullRequestRecord[]) => prs.map((p) => p.number);

test.each<
  [
    string,
    { nodes: PullRequestRecord[]; hasMore: boolean },
    BackfillScope,
    [number[], number[], string | null],
  ]
>([
  [
    'all recent, more to come: keep all and go on',
    { nodes: [pr(1, 3), pr(2, 1)], hasMore: true },
    {},
    [[1, 2], [], 'c'],
  ],
  [
    'a node older than the floor: the watermark is reached',
    { nodes: [pr(1, 3), pr(2, -1)], hasMore: true },
    {},
    [[1], [], null],
  ],
  ['exactly at the floor counts as recent', { nodes: [pr(1, 0)], hasMore: true }, {}, [[1], [], 'c']],
  ['the end of the list: reached', { nodes: [pr(1, 3)], hasMore: false }, {}, [[1], [], null]],
  ['nothing listed: reached', { nodes: [], hasMore: false }, {}, [[], [], null]],
  [
    'merged and retargeted ones leave a scope of open pull requests into main',
    {
      nodes: [pr(1, 3), pr(2, 2, 'MERGED'), pr(3, 1, 'OPEN', 'develop'), pr(4, -2, 'MERGED')],
      hasMore: true,
    },
    { states: ['OPEN'], base: 'main' },
    [[1], [2, 3], null],
  ],
])('%s', (_name, window, scope, [keep, removed, next]) => {
  const step = refreshStep({ ...window, cursor: 'c' }, FLOOR, scope);
  expect([numbers(step.keep), numbers(step.removed), step.next]).toEqual([keep, removed, next]);
});

test('more to come without a cursor is an error, never a reached watermark', () => {
  expect(() => refreshStep({ nodes: [pr(1, 3)], hasMore: true, cursor: null }, FLOOR, {})).toThrow(
    /no cursor/,
  );
});
