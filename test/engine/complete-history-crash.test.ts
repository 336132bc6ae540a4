/**
 * SIGKILL at a random moment of a `full` backfill (during a page, between a page and its follow-ups, in the middle
 * of the follow-ups), then a plain rerun: every pull request, review, review comment, conversation comment, label
 * and contributor ends exactly equal to GitHub, every time.
 */
import { describe, expect, test } from 'vitest';
import { childrenExact } from '../../scripts/harness/children-diff.ts';
import { type CrashTrialResult, runCrashTrial } from '../../scripts/harness/crash-trial.ts';
import { isExact } from '../../scripts/harness/ground-truth-diff.ts';
import { seeded } from '../../scripts/harness/spawn-engine.ts';
import { createTestDatabase } from '../support/database.ts';

const TRIALS = Number(process.env.CHILD_CRASH_TRIALS ?? 3);

describe('a full backfill killed at a random moment', () => {
  test(`${TRIALS} trials: killed with SIGKILL, run again, every child equals GitHub`, async () => {
    const random = seeded(20261202);
    const results: CrashTrialResult[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const killAfterPages = Math.floor(random() * 14);
      results.push(
        await runCrashTrial({ trial, killAfterPages, createDatabase: createTestDatabase, profile: 'full' }),
      );
    }
    const bad = results.filter(
      (r) => r.rerunExit !== 0 || !isExact(r) || !r.children || !childrenExact(r.children),
    );
    expect(bad).toEqual([]);
    expect(results).toHaveLength(TRIALS);
  }, 900_000);
});
