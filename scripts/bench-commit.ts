/**
 * Measures backfill_commit_page throughput through the real Postgres adapter: pages of synthetic pull requests of
 * realistic size committed one after another, as one worker does.
 *
 *   npx tsx scripts/bench-commit.ts [pages=100] [workers=1] [postgres|pglite] [PRs per page=100]
 *
 * A page is what one commit carries: the engine commits a request's pull requests at once, up to six windows of 100
 * (600) in the window walk.
 *
 * With several workers, each commits its share of the pages into a repository of its own over its own connection,
 * as the engine does when it backfills repositories concurrently.
 *
 * Starts a throwaway PostgreSQL server, or uses DATABASE_URL (an admin URL: a scratch database is created in it
 * and dropped afterwards); `pglite` commits into an in-memory embedded database instead. Besides throughput it
 * reports the database's CPU per 1,000 PRs: its client backends' own CPU time for Postgres, the whole process's
 * for PGlite (it runs inside it).
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { PullRequestRecord } from '../src/domain/pull-request.ts';
import { createPgliteStore } from '../src/store/pglite.ts';
import { createPostgresStore, migrateDatabase } from '../src/store/postgres.ts';
import type { CursorState, Store } from '../src/store/types.ts';
import { startTempPostgres } from './harness/temp-postgres.ts';

const AUTHORS = 2_000;
const pages = Number(process.argv[2] ?? 100);
const workers = Number(process.argv[3] ?? 1);
const target = process.argv[4] ?? 'postgres';
const prsPerPage = Number(process.argv[5] ?? 100);

/** mulberry32: a tiny seeded generator so every run commits the same data */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'fix add update remove refactor test docs build deps bump handle error cache query page chunk retry lease'
    .split(' ')
    .concat(['🚀', 'naïve', 'שלום', '数据']);

function text(next: () => number, length: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const word = WORDS[Math.floor(next() * WORDS.length)]!;
    parts.push(word);
    size += word.length + 1;
  }
  return parts.join(' ');
}

function syntheticPr(number: number, next: () => number): PullRequestRecord {
  const created = Date.parse('2015-01-01T00:00:00Z') + number * 3_600_000;
  const merged = next() < 0.6;
  const author = Math.floor(next() * AUTHORS);
  // about one PR in 60 carries a huge body (generated changelogs, dependency bumps)
  const bodyLength = next() < 1 / 60 ? 60_000 : 1000 + Math.floor(next() * 1000);
  return {
    github_id: String(100_000_000 + number),
    node_id: `PR_kwDOBench${number.toString(36)}`,
    number,
    title: text(next, 30 + Math.floor(next() * 50)),
    body: text(next, bodyLength),
    state: merged ? 'MERGED' : next() < 0.5 ? 'CLOSED' : 'OPEN',
    is_draft: next() < 0.05,
    created_at: new Date(created).toISOString(),
    updated_at: new Date(created + 86_400_000).toISOString(),
    closed_at: merged ? new Date(created + 43_200_000).toISOString() : null,
    merged_at: merged ? new Date(created + 43_200_000).toISOString() : null,
    // a login is one account on GitHub, and a few thousand accounts write a large repository's pull requests
    author_login: `author${author}`,
    author_github_id: String(5_000_000 + author),
    author_type: author % 10 === 0 ? 'Bot' : 'User',
    additions: Math.floor(next() * 2000),
    deletions: Math.floor(next() * 500),
    changed_files: 1 + Math.floor(next() * 40),
    base_ref: 'main',
    head_ref: `branch-${number}`,
    url: `https://github.com/bench/repo/pull/${number}`,
    field_profile: 'core',
  };
}

/**
 * CPU seconds each client backend of the database has used, by pid, read from /proc: only when the server runs on
 * this machine (the throwaway one, or a local DATABASE_URL), else null. Contention on a shared machine stretches wall
 * time but not this, and it is what a shared Supabase instance pays. Autovacuum is left out: it runs on its own
 * schedule, so whether a run of a few seconds catches one of its workers is luck.
 */
async function serverCpuSeconds(url: string): Promise<Map<number, number> | null> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `select pid from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    const seconds = new Map<number, number>();
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      if (stat === null) return null;
      // fields after the parenthesised command name: utime and stime are the 12th and 13th
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // USER_HZ is 100 on Linux
    }
    return seconds;
  } finally {
    await client.end();
  }
}

/** CPU seconds used between two samples: a backend that started in between counts from zero. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function withScratchDatabase<T>(adminUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const name = `pb_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

interface Target {
  store: Store;
  /** CPU seconds the database has used so far (by process), or null when it cannot be read */
  cpuSeconds: () => Promise<Map<number, number> | null>;
  cpuLabel: string;
}

async function postgresTarget(url: string): Promise<Target> {
  await migrateDatabase(url);
  return {
    store: createPostgresStore(url, { max: workers + 1, applicationName: 'bench-commit' }),
    cpuSeconds: () => serverCpuSeconds(url),
    cpuLabel: 'database CPU per 1,000 PRs',
  };
}

async function pgliteTarget(): Promise<Target> {
  return {
    store: await createPgliteStore(null),
    cpuSeconds: async () => {
      const { user, system } = process.cpuUsage();
      return new Map([[process.pid, (user + system) / 1e6]]);
    },
    cpuLabel: 'process CPU per 1,000 PRs (PGlite runs in it)',
  };
}

async function bench({ store, cpuSeconds, cpuLabel }: Target): Promise<void> {
  try {
    await store.assertSchema();
    const next = random(42);
    const allPages = Array.from({ length: pages }, (_, page) =>
      Array.from({ length: prsPerPage }, (_, i) => syntheticPr(page * prsPerPage + i + 1, next)),
    );
    const bytes = allPages.reduce((sum, page) => sum + JSON.stringify(page).length, 0);
    const shares = Array.from({ length: workers }, (_, w) => allPages.filter((_, i) => i % workers === w));
    const leases = await Promise.all(
      shares.map(async (share, w) => {
        const repository = await store.trackRepository({
          owner: 'bench',
          name: `repo-${w}`,
          githubId: String(w + 1),
          nodeId: `R_bench${w}`,
          prTotalCount: share.length * prsPerPage,
        });
        await store.startBackfill(repository.id, 'core');
        const lease = await store.claimChunk({
          repositoryId: repository.id,
          workerId: `bench-${w}`,
          leaseSeconds: 600,
        });
        if (!lease) throw new Error('no chunk to claim');
        return lease;
      }),
    );
    const durations: number[] = [];
    const serverBefore = await cpuSeconds();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      shares.map(async (share, w) => {
        let cursor: CursorState = null;
        for (const [index, prs] of share.entries()) {
          const nextCursor = { after: `cursor-${index + 1}` };
          const pageStarted = performance.now();
          const result = await store.commitPage({
            chunkId: leases[w]!.chunkId,
            fencingToken: leases[w]!.fencingToken,
            runId: null,
            expectedCursor: cursor,
            nextCursor,
            prs,
            pointsSpent: 1,
            skippedNodes: 0,
            githubTotalCount: share.length * prsPerPage,
            done: index === share.length - 1,
            leaseSeconds: 600,
          });
          durations.push(performance.now() - pageStarted);
          if (result.inserted !== prsPerPage) throw new Error(`page ${index}: inserted ${result.inserted}`);
          cursor = nextCursor;
        }
      }),
    );
    const total = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const serverAfter = await cpuSeconds();
    const sorted = [...durations].sort((a, b) => a - b);
    const prs = pages * prsPerPage;
    console.log(
      `committed ${prs} PRs in ${pages} pages (${(bytes / 1e6).toFixed(1)} MB of JSON) with ${workers} worker(s)`,
    );
    console.log(`throughput: ${Math.round(prs / (total / 1000))} PRs/s`);
    console.log(
      `ms per page: median ${percentile(sorted, 50).toFixed(1)}, p95 ${percentile(sorted, 95).toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}`,
    );
    // where the time goes: this process (JSON, driver) versus waiting on the server
    console.log(`client CPU per page: ${((cpu.user + cpu.system) / 1000 / pages).toFixed(1)} ms`);
    if (serverBefore !== null && serverAfter !== null) {
      const perThousand = (cpuBetween(serverBefore, serverAfter) * 1000 * 1000) / prs;
      console.log(`${cpuLabel}: ${perThousand.toFixed(0)} ms`);
    }
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  if (![pages, workers, prsPerPage].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(
      'usage: bench-commit.ts [pages >= 1] [workers >= 1] [postgres|pglite] [PRs per page >= 1]',
    );
  }
  if (target === 'pglite') {
    await bench(await pgliteTarget());
    return;
  }
  if (target !== 'postgres') throw new Error(`unknown target ${target}: postgres or pglite`);
  const onPostgres = async (url: string) => bench(await postgresTarget(url));
  if (process.env.DATABASE_URL) {
    await withScratchDatabase(process.env.DATABASE_URL, onPostgres);
    return;
  }
  const server = await startTempPostgres();
  try {
    await withScratchDatabase(server.adminUrl, onPostgres);
  } finally {
    server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
