/**
 * Store over an embedded PGlite database (Postgres compiled to WebAssembly), persisted in a folder or in memory.
 * Used by the simulator, the demo and local runs that need no server. Migrations are applied on open.
 *
 * Memory is what this adapter is tuned for: WebAssembly memory only grows, so whatever Postgres touches once stays
 * resident until the process exits. Two things touched most of it:
 *  - `initdb`: PGlite runs it in a second Postgres instance plus the initdb module, ~700 MB at peak. A new database
 *    is unpacked from a cluster initdb made once (assets/, built by scripts/pglite-cluster.ts) instead.
 *  - shared_buffers (128 MB by default) fills as the tables grow; 16 MB keeps a 100,000-PR backfill flat, and the
 *    operating system's page cache still holds the files.
 *  - ANALYZE (pglite-autovacuum.ts runs it as tables grow) holds 300 × default_statistics_target sample rows in
 *    memory: at the default 100, 30,000 pull requests with their bodies, +58 MB measured on a table of 2 KB rows.
 *    10 (3,000 rows, +2 MB) still gives the planner the table sizes and the plain distributions these queries need.
 */
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, type PGliteInterface, type PGliteOptions } from '@electric-sql/pglite';
import { extract } from 'tar';
import { holderSession } from './holder-session.ts';
import { applyMigrations, pgliteExecutor, projectRoot } from './migrate.ts';
import { maintainTables } from './pglite-autovacuum.ts';
import { createRpcStore, type RpcStoreOptions, type RpcTransport } from './rpc.ts';
import { buildSqlCall } from './sql-call.ts';
import type { Store } from './types.ts';

/** The initdb'd cluster a new database starts from, relative to the project root. */
export const PGLITE_CLUSTER_FILE = join('assets', 'pglite-cluster.tar.gz');

/** Postgres settings for every embedded database, new or old, on top of PGlite's own start parameters. */
const SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'default_statistics_target=10'];

const options = (extra: PGliteOptions = {}): PGliteOptions => ({
  startParams: [...PGlite.defaultStartParams, ...SETTINGS],
  ...extra,
});

async function isNewDatabase(dir: string | null): Promise<boolean> {
  if (dir === null) return true;
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true; // missing: PGlite creates the folder
  }
}

async function clusterFile(): Promise<string | null> {
  const file = join(await projectRoot(), PGLITE_CLUSTER_FILE);
  return access(file).then(
    () => file,
    () => null,
  );
}

async function clearFolder(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => []))
    await rm(join(dir, entry), { recursive: true, force: true });
}

export interface OpenedPglite {
  db: PGlite;
  /** true when a new database was unpacked from the prebuilt cluster rather than made by initdb */
  fromCluster: boolean;
}

/**
 * A new database from the prebuilt cluster. A folder is extracted by streaming (PGlite's own `loadDataDir` would
 * hold the 40 MB of files in memory, and glibc keeps that memory afterwards); memory gets the tarball.
 */
async function createFromCluster(dir: string | null, file: string): Promise<PGlite> {
  if (dir === null) {
    const loadDataDir = new Blob([await readFile(file)]);
    return PGlite.create('memory://', options({ loadDataDir }));
  }
  await mkdir(dir, { recursive: true });
  await extract({ file, cwd: dir });
  return PGlite.create(dir, options());
}

/**
 * Opens (creating when missing) a PGlite database in `dir`, or in memory for null, without migrating it. A new
 * database comes from the prebuilt cluster; if that cannot start (a PGlite release with another catalog version),
 * the half-made folder is cleared and initdb makes it, which is slower and heavier but always right. `cluster` is
 * the tarball's path (tests give another).
 */
export async function openPglite(
  dir: string | null,
  cluster: Promise<string | null> = clusterFile(),
): Promise<OpenedPglite> {
  const file = (await isNewDatabase(dir)) ? await cluster : null;
  if (file) {
    try {
      return { db: await createFromCluster(dir, file), fromCluster: true };
    } catch {
      if (dir !== null) await clearFolder(dir);
    }
  }
  return { db: await PGlite.create(dir ?? 'memory://', options()), fromCluster: false };
}

/** Opens a PGlite database (see openPglite) migrated to the current schema. */
export async function openMigratedPglite(dir: string | null): Promise<PGlite> {
  const { db } = await openPglite(dir);
  try {
    await applyMigrations(pgliteExecutor(db));
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * PGlite is one connection: calls from concurrent engine workers would share its session, so each call waits for
 * the previous one. Every RPC is a single statement today, but the queue keeps that true if one ever is not.
 */
function createQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}

/** Opens (creating when missing) a PGlite database in `dir`, or in memory for null, migrated to the current schema. */
export async function createPgliteStore(dir: string | null, options: RpcStoreOptions = {}): Promise<Store> {
  return pgliteStore(await openMigratedPglite(dir), options);
}

/**
 * PGlite's pages: the window walk's largest (six windows of 100) and number requests of 1,000 lookups keep the CLI's
 * embedded default under 300 MB (scripts/bench P7). 3,000 lookups measured 272 MB on 10,000 PRs where a third of
 * the numbers are pull requests, but 302 MB where nine in ten are (1,000: 267 MB).
 */
export const PGLITE_PAGE_LIMITS = { prsPerCommit: 300, numbersPerRequest: 1_000 } as const;

/** How often the store does autovacuum's work (pglite-autovacuum.ts): two catalog queries per 25 calls. */
const CALLS_PER_MAINTENANCE = 25;

/** A store over an already open PGlite database, as it is (no migrations); closing the store closes `db`. */
export function pgliteStore(db: PGliteInterface, options: RpcStoreOptions = {}): Store {
  const enqueue = createQueue();
  let callsSinceCheck = 0;
  // PGlite's one session lives exactly as long as this process has the database open: it holds the key.
  const holder = holderSession((text, values) => enqueue(() => db.query<{ locked: boolean }>(text, values)));
  const transport: RpcTransport = {
    kind: 'pglite',
    pageLimits: PGLITE_PAGE_LIMITS,
    call<T>(fn: string, args: Record<string, unknown>): Promise<T> {
      const { text, values } = buildSqlCall(fn, args);
      return enqueue(async () => {
        if (++callsSinceCheck >= CALLS_PER_MAINTENANCE) {
          callsSinceCheck = 0;
          // only speed depends on it: a failed VACUUM or ANALYZE must not fail the call it precedes
          await maintainTables((sql) => db.query(sql)).catch(() => undefined);
        }
        const result = await db.query<{ result: T }>(text, values);
        return (result.rows[0]?.result ?? null) as T;
      });
    },
    holderKey: () => holder.key(),
    close: () => enqueue(() => db.close()),
  };
  return createRpcStore(transport, options);
}
