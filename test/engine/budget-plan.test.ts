import { describe, expect, test } from 'vitest';
import { BudgetLedger, bestShape, defaultReserve, pageShapes, planRun } from '../../src/engine/budget.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import type { RateLimitState } from '../../src/github/types.ts';

// Pricing only: predictCost never touches the network.
const github = createGitHubClient({ token: 'unused', apiUrl: 'http://127.0.0.1:9' });
const now = Date.parse('2026-01-01T00:00:00Z');
const rate = (remaining: number, limit = 5000, resetInMs = 3_600_000): RateLimitState => ({
  limit,
  remaining,
  used: limit - remaining,
  resetAt: new Date(now + resetInMs).toISOString(),
  cost: 0,
  nodeCount: 0,
});

describe('the budget planner', () => {
  test('the reserve is the larger of 10% of the limit and 100 points', () => {
    expect(defaultReserve(5000)).toBe(500);
    expect(defaultReserve(1000)).toBe(100);
    expect(defaultReserve(60)).toBe(100);
  });

  test('core pages carry six windows of 100 (two per state partition) for one point', () => {
    const best = bestShape(pageShapes(github, 'core'));
    expect(best).toMatchObject({ windows: 6, windowSize: 100, points: 1, prs: 600 });
  });

  test('with labels every window costs points, so fewer windows just under a rounding step win', () => {
    // one window of 49: 1 + 49 × 3 = 148 connection requests, 1 point; six windows of 100 cost 18
    expect(bestShape(pageShapes(github, 'standard'))).toMatchObject({
      windows: 1,
      windowSize: 49,
      points: 1,
    });
  });

  test('every profile gets more pull requests per point than plain 100-PR pages', () => {
    for (const profile of ['core', 'standard', 'full'] as const) {
      const shapes = pageShapes(github, profile);
      const naive = shapes.find((s) => s.windows === 1 && s.windowSize === 100)!;
      const best = bestShape(shapes);
      expect(best.prs / best.points).toBeGreaterThanOrEqual(naive.prs / naive.points);
    }
  });

  test('it spends the budget down to the reserve and no further', () => {
    const plan = planRun({
      rateLimit: rate(1000, 1000),
      shapes: pageShapes(github, 'core'),
      candidates: 3,
      timeBudgetMs: 600_000,
      pageLatencyMs: 1000,
      now,
    });
    expect(plan.reserve).toBe(100);
    expect(plan.pagesAffordable).toBe(900);
  });

  test('nothing is planned when only the reserve is left and it resets after the run', () => {
    const plan = planRun({
      rateLimit: rate(100, 1000),
      shapes: pageShapes(github, 'core'),
      candidates: 1,
      timeBudgetMs: 600_000,
      pageLatencyMs: 1000,
      now,
    });
    expect(plan.pagesAffordable).toBe(0);
    expect(plan.reason).toMatch(/reserve/);
  });

  test('a reset inside the time budget adds the next window to the plan', () => {
    const plan = planRun({
      rateLimit: rate(100, 1000, 600_000),
      shapes: pageShapes(github, 'core'),
      candidates: 1,
      timeBudgetMs: 1_200_000,
      pageLatencyMs: 1000,
      now,
    });
    expect(plan.pagesAffordable).toBe(900);
  });

  test('chunk-size and max-chunks override the plan', () => {
    const plan = planRun({
      rateLimit: rate(5000),
      shapes: pageShapes(github, 'core'),
      chunkSize: 25,
      maxChunks: 10,
      candidates: 2,
      timeBudgetMs: 600_000,
      pageLatencyMs: 1000,
      now,
    });
    expect(plan.pageSize).toBe(25);
    expect(plan.windowsPerRequest).toBe(6);
    expect(plan.pagesPlanned).toBe(10);
  });

  test('concurrency grows with the work the time budget cannot fit into one lane', () => {
    const plan = planRun({
      rateLimit: rate(5000),
      shapes: pageShapes(github, 'core'),
      candidates: 10,
      timeBudgetMs: 60_000,
      pageLatencyMs: 1000,
      now,
    });
    expect(plan.concurrency).toBeGreaterThan(1);
    expect(plan.concurrency).toBeLessThanOrEqual(8);
  });
});

describe('the shared ledger', () => {
  test('concurrent reservations never dig into the reserve', () => {
    const ledger = new BudgetLedger(rate(105, 1000), 100, 1000);
    const granted = Array.from({ length: 10 }, () => ledger.tryReserve(1, now)).filter(Boolean).length;
    expect(granted).toBe(5);
  });

  test('settling with GitHub figures replaces the estimate; a failed request gives its points back', () => {
    const ledger = new BudgetLedger(rate(200, 1000), 100, 1000);
    expect(ledger.tryReserve(1, now)).toBe(true);
    ledger.settle(1, rate(150, 1000), 1);
    expect(ledger.remainingPoints()).toBe(150);
    expect(ledger.tryReserve(1, now)).toBe(true);
    ledger.cancel(1);
    expect(ledger.remainingPoints()).toBe(150);
    expect(ledger.pagesRemaining()).toBe(999);
  });

  test('the page allowance of the run is respected', () => {
    const ledger = new BudgetLedger(rate(5000), 500, 2);
    expect([ledger.tryReserve(1, now), ledger.tryReserve(1, now), ledger.tryReserve(1, now)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  test('after the reset time the full limit is available again', () => {
    const ledger = new BudgetLedger(rate(100, 1000, 1000), 100, 1000);
    expect(ledger.tryReserve(1, now)).toBe(false);
    expect(ledger.tryReserve(1, now + 2000)).toBe(true);
  });
});
