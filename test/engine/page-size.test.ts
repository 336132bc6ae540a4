import { describe, expect, test } from 'vitest';
import {
  AdaptivePageSize,
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
});
