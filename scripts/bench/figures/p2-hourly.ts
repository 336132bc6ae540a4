/**
 * P2 — pull requests per hour on a 1,000-point hourly budget with the default reserve (100) kept. Simulated time:
 * the simulator and the real engine share one clock that skips waits, so hours of GitHub resets take minutes; the
 * engine waits for each hourly reset inside its time budget exactly as it would for real.
 */
import { runBackfill } from '../../../src/engine/run.ts';
import { startEngineEnvironment, TOKEN } from '../../harness/engine-environment.ts';
import { startSeedSide } from '../environment.ts';
import { replaySeedStrategy } from '../seed-strategy.ts';
import { type BenchConfig, type FigureResult, thousands, verdict } from '../types.ts';

const LIMIT = 1_000;
const RESERVE = 100;
const GOAL = 500_000;
const HOUR_MS = 3_600_000;

export async function prsPerHour(config: BenchConfig): Promise<FigureResult> {
  const hours = config.quick ? 1 : 2;
  // 900 spendable points × up to 1,000 PRs per point each hour (3,000 lookups at the simulator's third): enough
  // repositories that the work never runs out.
  const repositories = Array.from({ length: hours * 5 }, (_, i) => ({
    owner: 'bench',
    name: `hourly-${i}`,
    pullRequests: 200_000,
  }));
  const dataset = { seed: 21, repositories };
  const env = await startEngineEnvironment({ dataset, token: { limit: LIMIT }, adminUrl: config.adminUrl });
  const seed = await startSeedSide({ dataset, clock: env.clock, limit: LIMIT });
  try {
    const wall = performance.now();
    const summary = await runBackfill(env.options({ timeBudgetMs: hours * HOUR_MS, minPrs: 0 }), {
      store: env.store,
      github: env.github,
      clock: env.clock,
    });
    const wallSeconds = (performance.now() - wall) / 1000;
    const simulatedHours = (env.clock.now() - Date.parse(summary.startedAt)) / HOUR_MS;
    const charged = env.sim.requests.filter((r) => r.token === TOKEN && r.cost > 0 && r.remaining !== null);
    const lowest = Math.min(...charged.map((r) => r.remaining!));
    const product = summary.prsWritten / hours;

    const replay = await replaySeedStrategy({
      github: seed.github,
      databaseUrl: env.db.url,
      clock: env.clock,
      repositories,
      profile: 'core',
      until: env.clock.now() + hours * HOUR_MS,
    });
    const seedRate = replay.prs / hours;
    return {
      id: 'P2',
      rows: [
        {
          figure: 'P2',
          measure: `PRs per hour, ${thousands(LIMIT)}-point budget, reserve ${RESERVE} (${hours} simulated h)`,
          product: thousands(product),
          seed: thousands(seedRate),
          goal: `≥ ${thousands(GOAL)}`,
          verdict: verdict(product >= GOAL),
        },
        {
          figure: 'P2',
          measure: 'fewest points left after any charged request (reserve kept)',
          product: String(lowest),
          seed: '—',
          goal: `≥ ${RESERVE}`,
          verdict: verdict(lowest >= RESERVE),
        },
      ],
      notes: [
        `P2: ${thousands(summary.prsWritten)} PRs in ${hours} budget windows (${simulatedHours.toFixed(2)} simulated ` +
          `hours, ${wallSeconds.toFixed(0)} s of real time), ${summary.pointsSpent} points spent on pages; the ` +
          'number walk brings up to 3,000 × d PRs per point where a share d of the numbers are pull requests (a third ' +
          "in the simulator's default numbering: 900 × 1,000 = 900,000 PRs/hour less the probe's ramp), the window walk " +
          '900 × 200 / s where the largest state partition holds a share s. The seed is bound by its schedule, not ' +
          `the budget: 10 chunks × 25 PRs every 15 minutes = 1,000 PRs/hour (it spent ${replay.points} points).`,
      ],
      panels: [
        {
          title: 'P2 PRs per hour on a 1,000-point budget (higher is better)',
          unit: 'PRs/hour',
          bars: [
            { label: 'product', value: product, kind: 'product' },
            { label: 'seed replay', value: seedRate, kind: 'seed' },
          ],
          goal: { value: GOAL, label: `goal ≥ ${thousands(GOAL)}` },
        },
      ],
    };
  } finally {
    await seed.stop();
    await env.close();
  }
}
