import { describe, expect, it } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import {
  advanceNumbers,
  FRESH_NUMBER_WALK,
  mergeNumbers,
  numberRequest,
  numbersWin,
  type RepositoryFigures,
  type ShapePrices,
  splitNumberStep,
  splitNumbers,
} from '../../src/engine/number-walk.ts';
import type { NumbersAnswer } from '../../src/github/types.ts';

const repo = { owner: 'o', name: 'n' };
const pr = (number: number) => ({ github_id: String(number), number }) as unknown as PullRequestRecord;
const answer = (from: number, count: number, newest: number | null, prs: number[]): NumbersAnswer => ({
  range: { from, count },
  nodes: prs.map(pr),
  newest,
  states: { OPEN: 10, CLOSED: 20, MERGED: 70 },
});
const core: ShapePrices = {
  numbers: 1_000,
  numbersPoints: 1,
  windowSize: 100,
  windows: 6,
  windowsPoints: 1,
};
const figures = (total: number, newest: number): RepositoryFigures => ({
  total,
  newest,
  states: { OPEN: total * 0.1, CLOSED: total * 0.15, MERGED: total * 0.75 },
});

describe('the number walk cursor', () => {
  it('looks numbers up from 1, never past the newest once known, and is done past it', () => {
    expect(numberRequest(FRESH_NUMBER_WALK, repo, 'core', 250).numbers).toEqual({ from: 1, count: 250 });
    const probe = advanceNumbers(FRESH_NUMBER_WALK, answer(1, 250, 600, [1, 4, 9]), 300, () => true);
    expect(probe).toMatchObject({ done: false, next: { next: 251, max: 600, taken: 3, total: 300 } });
    expect(numberRequest(probe.next!, repo, 'core', 1_000).numbers).toEqual({ from: 251, count: 350 });
    const last = advanceNumbers(probe.next!, answer(251, 350, 612, [600]), 301, () => true);
    // the newest read at the start bounds the walk: later pull requests are the refresh's
    expect(last).toMatchObject({ done: true, next: { next: 601, max: 600, taken: 4 } });
  });

  it('is done after the probe when the newest number is within it, or there is no pull request', () => {
    expect(advanceNumbers(FRESH_NUMBER_WALK, answer(1, 250, 40, [3, 40]), 2, () => true).done).toBe(true);
    expect(advanceNumbers(FRESH_NUMBER_WALK, answer(1, 250, null, []), 0, () => true).done).toBe(true);
  });

  it('hands over to the window walk when the probe says windows bring more per point, keeping its pull requests', () => {
    const step = advanceNumbers(FRESH_NUMBER_WALK, answer(1, 250, 9_000, [7, 8]), 1_000, () => false);
    expect(step).toMatchObject({ next: null, done: false });
    expect(step.prs.map((p) => p.number)).toEqual([7, 8]);
  });

  it('refuses an answer that does not start where the cursor stands', () => {
    expect(() => advanceNumbers(FRESH_NUMBER_WALK, answer(2, 10, 50, []), 5, () => true)).toThrow();
  });
});

describe('choosing numbers or windows', () => {
  it('numbers when their density brings more per point than the largest partition lets windows bring', () => {
    // windows: 75% merged, 2 windows of 100 a point once the others end: about 267 per point
    expect(numbersWin(figures(10_000, 12_500), core)).toBe(true); // 800 per point
    expect(numbersWin(figures(10_000, 30_000), core)).toBe(true); // 333
    expect(numbersWin(figures(10_000, 50_000), core)).toBe(false); // 200
  });

  it('windows when lookups cost per pull request what windows do (standard: labels and counts in each)', () => {
    // 1,000 lookups × 3 connections: 30 points; six windows of 100: 18 points for 600
    const standard: ShapePrices = {
      numbers: 1_000,
      numbersPoints: 30,
      windowSize: 100,
      windows: 6,
      windowsPoints: 18,
    };
    expect(numbersWin(figures(10_000, 10_500), standard)).toBe(false);
  });
});

describe('time-bound rounds', () => {
  it('split into consecutive runs of at least 25 numbers, and merge back into the round', () => {
    const round = numberRequest(FRESH_NUMBER_WALK, repo, 'core', 1_000);
    const parts = splitNumbers(round, 7);
    expect(parts.map((p) => p.numbers)).toEqual([
      { from: 1, count: 143 },
      { from: 144, count: 143 },
      { from: 287, count: 143 },
      { from: 430, count: 143 },
      { from: 573, count: 143 },
      { from: 716, count: 143 },
      { from: 859, count: 142 },
    ]);
    expect(splitNumbers(numberRequest(FRESH_NUMBER_WALK, repo, 'core', 60), 7)).toHaveLength(2);
    const merged = mergeNumbers([answer(144, 143, 900, [150]), answer(1, 143, 901, [2, 3])]);
    expect(merged).toMatchObject({ range: { from: 1, count: 286 }, newest: 901 });
    expect(merged.nodes.map((p) => p.number)).toEqual([2, 3, 150]);
    expect(() => mergeNumbers([answer(1, 10, 5, []), answer(12, 10, 5, [])])).toThrow();
  });
});

describe('choosing when time binds', () => {
  const dense = figures(10_000, 12_500);
  const room = { timeLeftMs: 3_600_000, msPerNumber: 2, spendablePoints: 4_500 };
  it('numbers when looking every number up fits the time left', () => {
    expect(numbersWin(dense, core, room)).toBe(true);
  });
  it('windows when it does not and the points suffice for windows (fewer nodes per pull request)', () => {
    expect(numbersWin(dense, core, { ...room, timeLeftMs: 20_000 })).toBe(false);
  });
  it('numbers when it does not but the points do not suffice for windows either', () => {
    expect(numbersWin(dense, core, { ...room, timeLeftMs: 20_000, spendablePoints: 30 })).toBe(true);
  });
});

describe('a page split into commits', () => {
  const from = { ...FRESH_NUMBER_WALK, next: 1, max: 50, taken: 4 };
  const next = { ...from, next: 21, taken: 9 };

  it('goes in number order, each commit moving the cursor to the first number of the next', () => {
    const step = { prs: [pr(9), pr(3), pr(17), pr(5), pr(12)], next, done: false };
    const parts = splitNumberStep(from, step, 2);
    expect(parts.map((p) => p.prs.map((x) => x.number))).toEqual([[3, 5], [9, 12], [17]]);
    expect(parts.map((p) => [p.next.next, p.next.taken, p.done])).toEqual([
      [9, 6, false],
      [17, 8, false],
      [21, 9, false],
    ]);
  });

  it("leaves a page within the limit whole, and the last part keeps the page being the walk's last", () => {
    const step = { prs: [pr(3), pr(5)], next, done: true };
    expect(splitNumberStep(from, step, 2)).toEqual([step]);
    expect(splitNumberStep(from, { ...step, prs: [pr(3), pr(5), pr(7)] }, 2).map((p) => p.done)).toEqual([
      false,
      true,
    ]);
  });
});
