/**
 * SIGKILL at a random moment of a run, then an immediate plain rerun: the database must end exactly equal to GitHub,
 * every time. Nothing expires the killed process's lease: the rerun takes it over because its holder's session is
 * gone (a rerun that waited for the 120-second lease would run out of rounds first).
 */
import { describe, expect, test } from 'vitest';
import { type CrashTrialResult, runCrashTrial } from '../../scripts/harness/crash-trial.ts';
import { isExact } from '../../scripts/harness/ground-truth-diff.ts';
import { seeded } from '../../scripts/harness/spawn-engine.ts';
import { createTestDatabase } from '../support/database.ts';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 10);

describe('a run killed at a random moment', () => {
  test(`${TRIALS} trials: killed with SIGKILL, run again at once, the database equals GitHub exactly`, async () => {
    const random = seeded(20261122);
    const results: CrashTrialResult[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Kill after a random number of committed pages (0 = during start-up), at a random point of the next one.
      const killAfterPages = Math.floor(random() * 12);
      results.push(await runCrashTrial({ trial, killAfterPages, createDatabase: createTestDatabase }));
    }
    expect(results.filter((r) => r.rerunExit !== 0 || !isExact(r))).toEqual([]);
    expect(results).toHaveLength(TRIALS);
  }, 600_000);
});
