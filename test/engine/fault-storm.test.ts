/**
 * One request in five fails the way GitHub fails (502, 504, secondary limits as 403 and as 200, connection resets,
 * "Something went wrong"), on a small hourly budget that must be waited out: the backfill still ends exactly equal
 * to GitHub, and no request ever leaves fewer points than the reserve.
 */
import { describe, expect, inject, test } from 'vitest';
import { runFaultStorm } from '../../scripts/harness/fault-storm.ts';

const RESERVE = 100;

describe('a 20% fault storm on a tight budget', () => {
  test('completes exactly and never spends the reserve', async () => {
    const storm = await runFaultStorm({
      pullRequests: 30_000,
      seed: 99,
      limit: 120,
      reserve: RESERVE,
      adminUrl: inject('adminDatabaseUrl'),
    });
    expect(storm.faults).toBeGreaterThan(5);
    expect(storm.summary.errors.critical).toEqual([]);
    expect(storm.summary.repositories[0]).toMatchObject({ outcome: 'completed' });
    expect({ lost: storm.lost, duplicated: storm.duplicated, differing: storm.differing }).toEqual({
      lost: 0,
      duplicated: 0,
      differing: 0,
    });
    expect(storm.lowestRemaining).toBeGreaterThanOrEqual(RESERVE);
    // 30,000 PRs at up to 1,000 per point need more than one hour's 20 spendable points: the engine waited for resets.
    expect(storm.simulatedMs).toBeGreaterThan(3_600_000);
  });
});
