/**
 * P4 — page-commit throughput into local Postgres. The product side is scripts/bench-commit.ts (100-PR pages
 * through the real adapter's commit function, one after another, as one worker commits; then two workers, each
 * its own repository, as the engine commits repositories at once; and the database's CPU, PGlite's too); the seed
 * side is the replay's two write statements per chunk, timed while it backfills from the simulator with no latency.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabaseOn } from '../../harness/database.ts';
import { fastClock } from '../../harness/fast-clock.ts';
import { startSeedSide } from '../environment.ts';
import { replaySeedStrategy } from '../seed-strategy.ts';
import { type BenchConfig, type FigureResult, thousands, verdict } from '../types.ts';

const GOAL = 20_000;
const BENCH_COMMIT = fileURLToPath(new URL('../../bench-commit.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface CommitRun {
  throughput: number;
  perPage: string;
  /** ms of database CPU per 1,000 PRs: the client backends' for Postgres, the whole process's for PGlite */
  cpuPerThousand: number;
}

async function benchCommit(
  pages: number,
  workers: number,
  target: 'postgres' | 'pglite',
  adminUrl: string,
): Promise<CommitRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', BENCH_COMMIT, String(pages), String(workers), target],
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

export async function commitThroughput(config: BenchConfig): Promise<FigureResult> {
  const pages = config.quick ? 100 : 500;
  const one = await benchCommit(pages, 1, 'postgres', config.adminUrl);
  const two = await benchCommit(pages, 2, 'postgres', config.adminUrl);
  const embedded = await benchCommit(config.quick ? 50 : 200, 1, 'pglite', config.adminUrl);

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
        measure: `page commits into local Postgres, PRs/s (${thousands(pages * 100)} PRs in 100-PR pages), one worker`,
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
        measure:
          'database CPU per 1,000 PRs committed: Postgres client backends (one worker); PGlite (the whole process, it runs inside)',
        product: `${one.cpuPerThousand} ms; ${embedded.cpuPerThousand} ms`,
        seed: '—',
        goal: '—',
        verdict: '—',
      },
    ],
    notes: [
      `P4: product pages commit PRs, cursor and progress in one transaction, the PRs as binary pr_row rows (ms per ` +
        `page, one worker: ${one.perPage}; two workers: ${two.perPage}); the seed replay upserts 25 PRs, then writes ` +
        'progress in a second statement.',
    ],
    panels: [
      {
        title: 'P4 commit throughput into Postgres (higher is better)',
        unit: 'PRs/s',
        bars: [
          { label: 'product, one worker', value: one.throughput, kind: 'product' },
          { label: 'product, two workers', value: two.throughput, kind: 'product' },
          { label: 'seed replay', value: seedRate, kind: 'seed' },
        ],
        goal: { value: GOAL, label: `goal ≥ ${thousands(GOAL)}` },
      },
    ],
  };
}
