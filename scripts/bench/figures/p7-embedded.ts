/**
 * P7 — peak resident memory of the CLI's default embedded database (PGlite, in the CLI's own process): `run --repo`
 * with no database flag (so `./.progressive-backfill/db`, created on first use) on 10,000 and 100,000-PR
 * repositories, and `demo` (simulator in the same process) on pytorch/pytorch's size with the `full` profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../../src/simulator/server.ts';
import { openPglite } from '../../../src/store/pglite.ts';
import { buildBundles } from '../bundles.ts';
import { type MeasuredRun, runMeasuredCli } from '../cli-process.ts';
import {
  type BenchConfig,
  type FigureResult,
  type FigureRow,
  medianRuns,
  thousands,
  verdict,
} from '../types.ts';

const RUN_GOAL_MB = 300;
const DEMO_GOAL_MB = 400;
const FLAT = 1.1;
const TOKEN = 'ghp_embeddedbenchtoken00000000000000000000';
const DEMO_PRS = 106_405;

async function storedCount(dataDir: string): Promise<number> {
  const { db } = await openPglite(dataDir);
  try {
    return (
      await db.query<{ n: number }>('select count(*)::int as n from progressive_backfill.pull_requests')
    ).rows[0]!.n;
  } finally {
    await db.close();
  }
}

async function embeddedRun(prs: number): Promise<MeasuredRun> {
  const { cli } = await buildBundles();
  const repo = { owner: 'bench', name: `embedded-${prs}`, pullRequests: prs };
  const sim = await startSimulator({ dataset: { seed: 71, repositories: [repo] }, tokens: { [TOKEN]: {} } });
  const cwd = await mkdtemp(join(tmpdir(), 'pb-bench-embedded-'));
  try {
    const run = await runMeasuredCli(
      cli,
      ['run', '--repo', `${repo.owner}/${repo.name}`, '--github-api-url', sim.url],
      { GITHUB_TOKEN: TOKEN },
      cwd,
    );
    const stored = run.code === 0 ? await storedCount(join(cwd, '.progressive-backfill', 'db')) : 0;
    if (run.code !== 0 || stored !== prs)
      throw new Error(`P7 run: exited ${run.code} with ${stored} of ${prs} PRs stored:\n${run.stderr}`);
    console.error(
      `P7: run --repo, ${prs} PRs: peak ${run.peakMb.toFixed(1)} MB in ${run.seconds.toFixed(0)} s`,
    );
    return run;
  } finally {
    await sim.stop();
    await rm(cwd, { recursive: true, force: true });
  }
}

async function demo(prs: number): Promise<MeasuredRun> {
  const { cli } = await buildBundles();
  // the demo verifies every stored row against the simulator's ground truth and exits 0 only if all are equal
  const run = await runMeasuredCli(cli, ['demo', '--prs', String(prs), '--field-profile', 'full'], {});
  console.error(
    `P7: demo, ${prs} PRs (full): peak ${run.peakMb.toFixed(1)} MB in ${run.seconds.toFixed(0)} s`,
  );
  if (run.code !== 0) throw new Error(`P7 demo: exited ${run.code}:\n${run.stderr}`);
  return run;
}

const RUNS = 3;

export async function embeddedMemory(config: BenchConfig): Promise<FigureResult> {
  const sizes = config.quick ? [2_000, 20_000] : [10_000, 100_000];
  const demoPrs = config.quick ? 10_000 : DEMO_PRS;
  // one run's peak varies by ±20 MB with PGlite's WASM memory growth: the median of three, the sizes in turn
  const runs = await medianRuns(
    RUNS,
    { small: () => embeddedRun(sizes[0]!), large: () => embeddedRun(sizes[1]!) },
    (run) => run.peakMb,
  );
  const [small, large] = [runs.small.median, runs.large.median];
  const shown = await demo(demoPrs);
  const what = 'CLI `run --repo`, embedded default (dist/cli.js)';
  const rows: FigureRow[] = [
    ...(
      [
        [sizes[0]!, small],
        [sizes[1]!, large],
      ] as const
    ).map(([prs, r]) => ({
      figure: 'P7',
      measure: `peak RSS, ${what}, ${thousands(prs)}-PR repository, median of ${RUNS} (${r.seconds.toFixed(0)} s)`,
      product: `${r.peakMb.toFixed(1)} MB`,
      seed: '—',
      goal: `≤ ${RUN_GOAL_MB} MB`,
      verdict: verdict(r.peakMb <= RUN_GOAL_MB),
    })),
    {
      figure: 'P7',
      measure: `peak RSS growth, ${what}, ${thousands(sizes[1]!)} ÷ ${thousands(sizes[0]!)} PRs`,
      product: `${(large.peakMb / small.peakMb).toFixed(3)}×`,
      seed: '—',
      goal: `≤ ${FLAT}×`,
      verdict: verdict(large.peakMb / small.peakMb <= FLAT),
    },
    {
      figure: 'P7',
      measure: `peak RSS, \`demo --prs ${demoPrs} --field-profile full\` (simulator in the process, ${shown.seconds.toFixed(0)} s)`,
      product: `${shown.peakMb.toFixed(1)} MB`,
      seed: '—',
      goal: `≤ ${DEMO_GOAL_MB} MB`,
      verdict: verdict(shown.peakMb <= DEMO_GOAL_MB),
    },
  ];
  return {
    id: 'P7',
    rows,
    notes: [
      'P7: peaks are VmHWM, the process’s own (getrusage’s maxRSS would report the bench’s size for a smaller ' +
        'child: Linux keeps it across fork and exec); a fresh folder each time, so the peak includes creating the database (unpacked from the prebuilt ' +
        'cluster) and migrating it; PGlite runs inside the CLI process, so its peak RSS is the whole footprint.',
    ],
    panels: [
      {
        title: 'P7 peak RSS with the embedded database (lower is better)',
        unit: 'MB',
        bars: [
          { label: `run, ${thousands(sizes[0]!)} PRs`, value: small.peakMb, kind: 'product' },
          { label: `run, ${thousands(sizes[1]!)} PRs`, value: large.peakMb, kind: 'product' },
          { label: `demo full, ${thousands(demoPrs)} PRs`, value: shown.peakMb, kind: 'product' },
        ],
        goal: { value: RUN_GOAL_MB, label: `goal ≤ ${RUN_GOAL_MB} MB (run)` },
      },
    ],
  };
}
