/**
 * Part of `npm run chaos` (R3) kept in the suite: four engine processes race on one repository while a zombie whose
 * lease was recovered wakes up and tries to commit. (R1 and R2 run in test/engine/crash-recovery.test.ts and
 * fault-storm.test.ts; R4 in bad-inputs.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { runWorkerRace } from '../../scripts/harness/worker-race.ts';
import { createTestDatabase } from '../support/database.ts';

describe('four workers and a zombie on one repository', () => {
  test('the zombie is turned away with stale_lease and the database equals GitHub exactly', async () => {
    const race = await runWorkerRace({ trial: 0, createDatabase: createTestDatabase });
    expect(race).toMatchObject({
      zombieCommit: 'stale_lease',
      leasesRecovered: 1,
      workerExits: [0, 0, 0, 0],
      lost: 0,
      duplicated: 0,
      differing: 0,
    });
  }, 60_000);
});
