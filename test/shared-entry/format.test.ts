import { describe, expect, test } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatPercent,
  statusTable,
  textTable,
} from '../../src/shared-entry/format.ts';

describe('formatters', () => {
  test('percent never rounds an unfinished backfill up to 100%', () => {
    expect(formatPercent(0.9996)).toBe('99.9%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.4567)).toBe('45.7%');
    expect(formatPercent(null)).toBe('–');
  });

  test('durations read at every scale', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
    expect(formatDuration(277_200_000)).toBe('3d 05h');
    expect(formatDuration(null)).toBe('–');
  });

  test('counts use a fixed locale', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });

  test('tables pad text left and numbers right', () => {
    expect(
      textTable(
        ['Name', 'Count'],
        [
          ['a', '5'],
          ['bbb', '1,000'],
        ],
      ),
    ).toBe(['Name  Count', '----  -----', 'a         5', 'bbb   1,000'].join('\n'));
  });

  test('the status table says what to do when nothing is tracked', () => {
    expect(statusTable([], { leases: [], threshold: 0.8 })).toMatch(/track --repo/);
  });
});
