/**
 * P5 — peak resident memory of a whole backfill, 10,000 and 100,000 PRs, each entry point as its own process
 * against the simulator and a fresh Postgres database: the action bundle run the way a runner runs it, and the
 * CLI bundle's `run --repo`. The peak RSS is reported by the measured process itself as it exits.
 *
 * A peak is the highest of many short-lived moments (a page parsed while the one before is committed, a heap
 * that has not been collected yet), so one run's figure moves by ±10% from run to run (the CLI measured 104–115 MB
 * at 10,000 PRs and 108–118 at 100,000 on the same code): each size is run RUNS times and the median reported, every
 * run listed in the notes.
 */
import { startSimulator } from '../../../src/simulator/server.ts';
import { runActionBundle } from '../../harness/action-runner.ts';
import { createDatabaseOn } from '../../harness/database.ts';
import { buildBundles } from '../bundles.ts';
import { MAX_RSS_IMPORT, runMeasuredCli } from '../cli-process.ts';
import {
  type BenchConfig,
  type FigureResult,
  type FigureRow,
  medianRuns,
  thousands,
  verdict,
} from '../types.ts';

const GOAL_MB = 150;
const FLAT = 1.1;
const TOKEN = 'ghp_memorybenchtoken0000000000000000000000';
const SIZES = [10_000, 100_000] as const;
const RUNS = 5;

type EntryPoint = 'action' | 'cli';

interface Measured {
  mb: number;
  seconds: number;
}

async function peakRss(config: BenchConfig, entry: EntryPoint, prs: number): Promise<Measured> {
  const bundles = await buildBundles();
  const repo = { owner: 'bench', name: `memory-${prs}`, pullRequests: prs };
  const sim = await startSimulator({ dataset: { seed: 51, repositories: [repo] }, tokens: { [TOKEN]: {} } });
  const db = await createDatabaseOn(config.adminUrl);
  try {
    const started = performance.now();
    const { code, stderr } =
      entry === 'cli'
        ? await runMeasuredCli(
            bundles.cli,
            [
              'run',
              '--repo',
              `${repo.owner}/${repo.name}`,
              '--database-url',
              db.url,
              '--github-api-url',
              sim.url,
            ],
            { GITHUB_TOKEN: TOKEN },
          )
        : await runActionBundle({
            bundle: bundles.action,
            eventName: 'schedule',
            env: { NODE_OPTIONS: MAX_RSS_IMPORT },
            inputs: {
              'github-token': TOKEN,
              'github-api-url': sim.url,
              'database-url': db.url,
              repositories: `${repo.owner}/${repo.name}`,
              'completeness-threshold': '0.8',
              'min-prs': '0',
              'field-profile': 'core',
              'time-budget': '1h',
              'dry-run': 'false',
              'report-issues': 'false',
              'issue-labels': 'progressive-backfill',
            },
          }).then((run) => ({ code: run.exitCode, stderr: run.stderr }));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.client.query<{ n: number }>(
      'select count(*)::int as n from progressive_backfill.pull_requests',
    );
    if (code !== 0 || rows[0]!.n !== prs)
      throw new Error(`P5 ${entry}: exited ${code} with ${rows[0]!.n} of ${prs} PRs stored:\n${stderr}`);
    return { mb: Number(/max-rss-kb (\d+)/.exec(stderr)?.[1]) / 1024, seconds };
  } finally {
    await db.drop();
    await sim.stop();
  }
}

/** The median run of RUNS (by peak) for each size, the sizes in turn; and every run's peak, listed. */
async function medianRunsOf(config: BenchConfig, entry: EntryPoint): Promise<[Measured, Measured, string]> {
  const runs = await medianRuns(
    RUNS,
    { small: () => peakRss(config, entry, SIZES[0]), large: () => peakRss(config, entry, SIZES[1]) },
    (run) => run.mb,
  );
  const listed = [runs.small.all, runs.large.all]
    .map((of, i) => `${thousands(SIZES[i]!)} PRs ${of.map((r) => r.mb.toFixed(1)).join(', ')} MB`)
    .join('; ');
  return [runs.small.median, runs.large.median, `${entry}: ${listed}`];
}

export async function peakMemory(config: BenchConfig): Promise<FigureResult> {
  const rows: FigureRow[] = [];
  const bars: FigureResult['panels'][number]['bars'] = [];
  const everyRun: string[] = [];
  for (const entry of ['action', 'cli'] as const) {
    const [small, large, listed] = await medianRunsOf(config, entry);
    everyRun.push(listed);
    const what = entry === 'action' ? 'action (dist/index.js)' : 'CLI `run --repo` (dist/cli.js)';
    for (const [prs, r] of [
      [SIZES[0], small],
      [SIZES[1], large],
    ] as const) {
      rows.push({
        figure: 'P5',
        measure: `peak RSS, ${what}, ${thousands(prs)}-PR repository, median of ${RUNS} (${r.seconds.toFixed(0)} s)`,
        product: `${r.mb.toFixed(1)} MB`,
        seed: '—',
        goal: `≤ ${GOAL_MB} MB`,
        verdict: verdict(r.mb <= GOAL_MB),
      });
      bars.push({ label: `${entry}, ${thousands(prs)} PRs`, value: r.mb, kind: 'product' });
    }
    rows.push({
      figure: 'P5',
      measure: `peak RSS growth, ${what}, 100,000 ÷ 10,000 PRs`,
      product: `${(large.mb / small.mb).toFixed(3)}×`,
      seed: '—',
      goal: `≤ ${FLAT}×`,
      verdict: verdict(large.mb / small.mb <= FLAT),
    });
  }
  return {
    id: 'P5',
    rows,
    notes: [
      'P5: each bundle is its own process (the simulator runs in the benchmark process, not in the measured one). ' +
        'The seed replay is not measured here: it is a benchmark loop, not a program anyone runs.',
      `P5: every run's peak, in order (the sizes alternate): ${everyRun.join('; ')}.`,
    ],
    panels: [
      {
        title: 'P5 peak RSS of a whole backfill (lower is better)',
        unit: 'MB',
        bars,
        goal: { value: GOAL_MB, label: `goal ≤ ${GOAL_MB} MB` },
      },
    ],
  };
}
