import { describe, expect, test } from 'vitest';
import { reachableNumbers } from '../../src/engine/number-walk.ts';
import {
  AdaptivePageSize,
  GROW_WITHIN_MS,
  nextPageSize,
  type PageSizeEvent,
  type PageSizeState,
} from '../../src/engine/page-size.ts';

const limits = { max: 100, floor: 5, growAfter: 3 };

describe('the page-size rule', () => {
  test.each<[string, PageSizeState, PageSizeEvent, PageSizeState]>([
    [
      'a failure halves the size and resets the streak',
      { size: 100, streak: 2 },
      'failed',
      { size: 50, streak: 0 },
    ],
    ['an odd size halves downwards', { size: 25, streak: 0 }, 'failed', { size: 12, streak: 0 }],
    ['a failure never goes below the floor', { size: 8, streak: 0 }, 'failed', { size: 5, streak: 0 }],
    ['at the floor a failure stays there', { size: 5, streak: 1 }, 'failed', { size: 5, streak: 0 }],
    ['a success below the streak only counts', { size: 25, streak: 0 }, 'succeeded', { size: 25, streak: 1 }],
    [
      'the third success in a row doubles the size',
      { size: 25, streak: 2 },
      'succeeded',
      { size: 50, streak: 0 },
    ],
    ['growth stops at the planned size', { size: 60, streak: 2 }, 'succeeded', { size: 100, streak: 0 }],
    [
      'at the planned size successes change nothing',
      { size: 100, streak: 5 },
      'succeeded',
      { size: 100, streak: 6 },
    ],
  ])('%s', (_name, state, event, next) => {
    expect(nextPageSize(state, event, limits)).toEqual(next);
  });

  test('a walk that times out twice, then succeeds six times, is back at full size', () => {
    const size = new AdaptivePageSize(100);
    size.shrink();
    size.shrink();
    expect(size.current).toBe(25);
    for (let i = 0; i < 6; i++) size.succeeded();
    expect(size.current).toBe(100);
  });

  test('a size refused outright is capped at half of it: growth stops there for good', () => {
    const size = new AdaptivePageSize(1000, 5, 3, 250);
    for (let i = 0; i < 3; i++) size.succeeded();
    expect(size.current).toBe(500);
    size.capBelowCurrent();
    expect(size.current).toBe(250);
    for (let i = 0; i < 9; i++) size.succeeded();
    expect(size.current).toBe(250);
    size.shrink();
    expect(size.current).toBe(125);
  });

  test('an answer too slow to double within the limit holds the size; a quick one grows it', () => {
    const state = { size: 25, streak: 2 };
    expect(nextPageSize(state, 'succeeded', limits, GROW_WITHIN_MS / 2 + 1)).toEqual({ size: 25, streak: 3 });
    expect(nextPageSize(state, 'succeeded', limits, GROW_WITHIN_MS / 2)).toEqual({ size: 50, streak: 0 });
  });

  test('lookups double with every quick answer until the first failure, then grow at the cautious pace', () => {
    const size = new AdaptivePageSize(3_000, 25, 1, 250);
    size.succeeded(100);
    size.succeeded(200);
    expect(size.current).toBe(1_000);
    size.shrink();
    expect(size.current).toBe(500);
    size.succeeded(100);
    size.succeeded(100);
    expect(size.current).toBe(500);
    size.succeeded(100);
    expect(size.current).toBe(1_000);
  });

  test('the probe tells how far the lookups will grow: as far as a doubled request stays within the limit', () => {
    expect(reachableNumbers(250, 0, 3_000)).toBe(3_000);
    // 250 in 600 ms: 500 in 1.2 s, 1,000 in 2.4 s, 2,000 would take 4.8 s (within 5 s), 4,000 would not
    expect(reachableNumbers(250, 600, 3_000)).toBe(2_000);
    expect(reachableNumbers(250, GROW_WITHIN_MS, 3_000)).toBe(250);
  });
});
