/**
 * A `full` backfill under a 20% fault storm on a small hourly budget: pages and follow-ups fail the ways GitHub
 * fails and are retried, the engine waits for resets, and every pull request, review, review comment, conversation
 * comment, label and contributor still ends exactly equal to GitHub, the reserve untouched. Then children of 250
 * pull requests change and the refresh, in the same storm, picks them all up.
 */
import { describe, expect, inject, test } from 'vitest';
import { childrenExact } from '../../scripts/harness/children-diff.ts';
import { runFaultStorm } from '../../scripts/harness/fault-storm.ts';

const RESERVE = 100;

describe('a 20% fault storm on a full backfill', () => {
  test('every child ends exact, after the walk and after a refresh, and the reserve is never spent', async () => {
    const storm = await runFaultStorm({
      pullRequests: 1_500,
      seed: 5,
      limit: 130,
      reserve: RESERVE,
      adminUrl: inject('adminDatabaseUrl'),
      profile: 'full',
      refreshChanges: 250,
    });
    expect(storm.faults).toBeGreaterThan(3);
    expect(storm.summary.errors.critical).toEqual([]);
    expect(storm.summary.repositories[0]).toMatchObject({ outcome: 'completed' });
    expect({ lost: storm.lost, duplicated: storm.duplicated, differing: storm.differing }).toEqual({
      lost: 0,
      duplicated: 0,
      differing: 0,
    });
    expect(storm.children?.detail).toBeDefined();
    expect(childrenExact(storm.children!)).toBe(true);
    expect(storm.lowestRemaining).toBeGreaterThanOrEqual(RESERVE);
    // the refresh met faults of its own and still finished
    expect(storm.refresh).toMatchObject({ outcome: 'refreshed' });
    expect(storm.refresh!.faults).toBeGreaterThan(0);
  }, 300_000);
});
