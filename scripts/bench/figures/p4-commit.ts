/**
 * P4 — page-commit throughput into local Postgres. The product side is scripts/bench-commit.ts: commits through the
 * real adapter's commit function, each carrying what the engine commits at once — a window-walk request's pull
 * requests, six windows of 100 — one after another as one worker commits, then two workers, each its own
 * repository, as the engine commits repositories at once; the database's CPU, PGlite's too; and commits of one
 * window (100), the unit of earlier rounds. The seed side is the replay's two write statements per chunk, timed
 * while it backfills from the simulator with no latency.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MAX_WALK_WINDOWS } from '../../../src/engine/walk.ts';
import { MAX_PAGE_SIZE } from '../../../src/github/queries.ts';
import { createDatabaseOn } from '../../harness/database.ts';
import { fastClock } from '../../harness/fast-clock.ts';
import { startSeedSide } from '../environment.ts';
import { replaySeedStrategy } from '../seed-strategy.ts';
import { type BenchConfig, type FigureResult, medianRuns, thousands, verdict } from '../types.ts';

const GOAL = 20_000;
/** the pull requests of the window walk's largest request, which the engine commits in one call */
const ROUND_PRS = MAX_WALK_WINDOWS * MAX_PAGE_SIZE;
const BENCH_COMMIT = fileURLToPath(new URL('../../bench-commit.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface CommitRun {
  throughput: number;
  perPage: string;
  /** ms of database CPU per 1,000 PRs: the client backends' for Postgres, the whole process's for PGlite */
  cpuPerThousand: number;
}

async function benchCommit(
  prs: number,
  prsPerPage: number,
  workers: number,
  target: 'postgres' | 'pglite',
  adminUrl: string,
): Promise<CommitRun> {
  const pages = String(Math.ceil(prs / prsPerPage));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', BENCH_COMMIT, pages, String(workers), target, String(prsPerPage)],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: adminUrl }, maxBuffer: 1 << 20 },
  );
  const throughput = Number(/throughput: (\d+) PRs\/s/.exec(stdout)?.[1]);
  const cpuPerThousand = Number(/CPU per 1,000 PRs[^:]*: (\d+) ms/.exec(stdout)?.[1]);
  const perPage = /ms per page: (.*)/.exec(stdout)?.[1] ?? '';
  if (!Number.isFinite(throughput) || !Number.isFinite(cpuPerThousand)) {
    throw new Error(`P4: unexpected bench-commit output:\n${stdout}`);
  }
  return { throughput, perPage, cpuPerThousand };
}

const RUNS = 3;

export async function commitThroughput(config: BenchConfig): Promise<FigureResult> {
  const committed = config.quick ? 12_000 : 60_000;
  // this machine's speed drifts by a fifth within minutes: each configuration three times, taken in turn
  const runs = await medianRuns(
    RUNS,
    {
      one: () => benchCommit(committed, ROUND_PRS, 1, 'postgres', config.adminUrl),
      two: () => benchCommit(committed, ROUND_PRS, 2, 'postgres', config.adminUrl),
      window: () => benchCommit(committed, MAX_PAGE_SIZE, 1, 'postgres', config.adminUrl),
      embedded: () => benchCommit(config.quick ? 6_000 : 24_000, ROUND_PRS, 1, 'pglite', config.adminUrl),
    },
    (run) => run.throughput,
  );
  const [one, two, window, embedded] = [
    runs.one.median,
    runs.two.median,
    runs.window.median,
    runs.embedded.median,
  ];

  const prs = config.quick ? 5_000 : 20_000;
  const repo = { owner: 'bench', name: 'seed-writes', pullRequests: prs };
  const clock = fastClock();
  const seed = await startSeedSide({ dataset: { seed: 41, repositories: [repo] }, clock });
  const db = await createDatabaseOn(config.adminUrl);
  let seedRate: number;
  try {
    const replay = await replaySeedStrategy({
      github: seed.github,
      databaseUrl: db.url,
      clock,
      repositories: [repo],
      profile: 'core',
    });
    seedRate = replay.prs / (replay.writeMs / 1000);
  } finally {
    await db.drop();
    await seed.stop();
  }
  return {
    id: 'P4',
    rows: [
      {
        figure: 'P4',
        measure: `page commits into local Postgres, PRs/s (${thousands(committed)} PRs, ${ROUND_PRS} per commit as the engine's window walk commits), one worker, median of ${RUNS}`,
        product: thousands(one.throughput),
        seed: thousands(seedRate),
        goal: `≥ ${thousands(GOAL)}`,
        verdict: verdict(one.throughput >= GOAL),
      },
      {
        figure: 'P4',
        measure: 'the same, two workers committing two repositories at once (the engine runs up to 8)',
        product: thousands(two.throughput),
        seed: '—',
        goal: `≥ ${thousands(GOAL)}`,
        verdict: verdict(two.throughput >= GOAL),
      },
      {
        figure: 'P4',
        measure: `the same, one worker, ${MAX_PAGE_SIZE} PRs per commit (one window: earlier rounds' unit)`,
        product: thousands(window.throughput),
        seed: '—',
        goal: '—',
        verdict: '—',
      },
      {
        figure: 'P4',
        measure: `database CPU per 1,000 PRs committed (${ROUND_PRS} per commit): Postgres client backends (one worker); PGlite (the whole process, it runs inside)`,
        product: `${one.cpuPerThousand} ms; ${embedded.cpuPerThousand} ms`,
        seed: '—',
        goal: '—',
        verdict: '—',
      },
    ],
    notes: [
      `P4: a product commit writes PRs, cursor and progress in one transaction, the PRs as binary pr_row rows (ms ` +
        `per ${ROUND_PRS}-PR commit, one worker: ${one.perPage}; two workers: ${two.perPage}; per ${MAX_PAGE_SIZE}-PR ` +
        `commit: ${window.perPage}; database CPU per 1,000 PRs at ${MAX_PAGE_SIZE} per commit: ` +
        `${window.cpuPerThousand} ms); the seed replay upserts 25 PRs, then writes progress in a second statement.`,
    ],
    panels: [
      {
        title: 'P4 commit throughput into Postgres (higher is better)',
        unit: 'PRs/s',
        bars: [
          { label: 'product, one worker', value: one.throughput, kind: 'product' },
          { label: 'product, two workers', value: two.throughput, kind: 'product' },
          { label: `product, ${MAX_PAGE_SIZE} per commit`, value: window.throughput, kind: 'product' },
          { label: 'seed replay', value: seedRate, kind: 'seed' },
        ],
        goal: { value: GOAL, label: `goal ≥ ${thousands(GOAL)}` },
      },
    ],
  };
}
