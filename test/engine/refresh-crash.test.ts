/**
 * SIGKILL at a random moment of a refresh of a `full` backfill (in a refresh page, or in the follow-ups of the
 * children that changed), then one plain rerun at once: the refresh resumes from its stored position and finishes,
 * and every pull request, review, review comment, conversation comment, label and contributor equals GitHub.
 */
import { describe, expect, test } from 'vitest';
import { childrenExact } from '../../scripts/harness/children-diff.ts';
import { isExact } from '../../scripts/harness/ground-truth-diff.ts';
import {
  type RefreshCrashTrialResult,
  runRefreshCrashTrial,
} from '../../scripts/harness/refresh-crash-trial.ts';
import { seeded } from '../../scripts/harness/spawn-engine.ts';
import { createTestDatabase } from '../support/database.ts';

const TRIALS = Number(process.env.REFRESH_CRASH_TRIALS ?? 3);

describe('a refresh killed at a random moment', () => {
  test(`${TRIALS} trials: killed with SIGKILL, run again at once, the refresh finishes equal to GitHub`, async () => {
    const random = seeded(20261203);
    const results: RefreshCrashTrialResult[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // after the first refresh page was sent (request 2), before the last follow-up (request 14)
      const killAtRequest = 3 + Math.floor(random() * 11);
      results.push(await runRefreshCrashTrial({ trial, killAtRequest, createDatabase: createTestDatabase }));
    }
    const bad = results.filter(
      (r) =>
        r.killedAtRequest === null ||
        !r.resumed ||
        r.rerunExit !== 0 ||
        r.refreshCursor !== null ||
        r.queuedFollowUps !== 0 ||
        !isExact(r) ||
        !childrenExact(r.children),
    );
    expect(bad).toEqual([]);
    // the kills landed mid-refresh: the reruns had a stored position or queued follow-ups to resume from
    expect(results.filter((r) => r.leftMidway).length).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 2));
    expect(results).toHaveLength(TRIALS);
  }, 900_000);
});
