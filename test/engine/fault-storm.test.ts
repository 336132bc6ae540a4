/**
 * One request in five fails the way GitHub fails (502, 504, secondary limits as 403 and as 200, connection resets,
 * "Something went wrong"), on a small hourly budget that must be waited out: the backfill still ends exactly equal
 * to GitHub, and no request ever leaves fewer points than the reserve.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBackfill } from '../../src/engine/run.ts';
import {
  type EngineEnvironment,
  startEngineEnvironment,
  TOKEN,
  truth,
} from '../support/engine-environment.ts';

const REPO = { owner: 'storm', name: 'repo', pullRequests: 12_000 };
const LIMIT = 150;
const RESERVE = 100;

describe('a 20% fault storm on a tight budget', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({
      dataset: { seed: 7, repositories: [REPO] },
      token: { limit: LIMIT },
      faults: {
        rate: 0.2,
        seed: 99,
        pool: [
          { kind: '502', body: 'json' },
          { kind: '502', body: 'html' },
          { kind: '504' },
          { kind: 'something-went-wrong' },
          { kind: 'secondary', retryAfterSeconds: 30, variant: '403' },
          { kind: 'secondary', retryAfterSeconds: 5, variant: '200' },
          { kind: 'reset' },
        ],
      },
    });
  });
  afterAll(() => env?.close());

  test('completes exactly and never spends the reserve', async () => {
    const summary = await runBackfill(env.options({ reservePoints: RESERVE, timeBudgetMs: 6 * 3_600_000 }), {
      store: env.store,
      github: env.github,
      clock: env.clock,
    });
    const faults = env.sim.requests.filter((r) => r.fault !== null).length;
    expect(faults).toBeGreaterThan(5);
    expect(summary.errors.critical).toEqual([]);
    expect(summary.repositories[0]).toMatchObject({ outcome: 'completed' });
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
    const charged = env.sim.requests.filter((r) => r.token === TOKEN && r.remaining !== null && r.cost > 0);
    expect(Math.min(...charged.map((r) => r.remaining!))).toBeGreaterThanOrEqual(RESERVE);
    // 12,000 PRs at 200 per point need more than one hour's 50 spendable points: the engine waited for resets.
    expect(env.clock.now() - Date.parse(summary.startedAt)).toBeGreaterThan(3_600_000);
  });
});
