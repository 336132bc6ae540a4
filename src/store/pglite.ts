/**
 * Store over an embedded PGlite database (Postgres compiled to WebAssembly), persisted in a folder or in memory.
 * Used by the simulator, the demo and local runs that need no server. Migrations are applied on open.
 */
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { holderSession } from './holder-session.ts';
import { applyMigrations, pgliteExecutor } from './migrate.ts';
import { createRpcStore, type RpcStoreOptions, type RpcTransport } from './rpc.ts';
import { buildSqlCall } from './sql-call.ts';
import type { Store } from './types.ts';

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
  const db = dir === null ? await PGlite.create() : await PGlite.create(dir);
  try {
    await applyMigrations(pgliteExecutor(db));
  } catch (error) {
    await db.close();
    throw error;
  }
  return pgliteStore(db, options);
}

/** A store over an already open PGlite database, as it is (no migrations); closing the store closes `db`. */
export function pgliteStore(db: PGliteInterface, options: RpcStoreOptions = {}): Store {
  const enqueue = createQueue();
  // PGlite's one session lives exactly as long as this process has the database open: it holds the key.
  const holder = holderSession((text, values) => enqueue(() => db.query<{ locked: boolean }>(text, values)));
  const transport: RpcTransport = {
    kind: 'pglite',
    call<T>(fn: string, args: Record<string, unknown>): Promise<T> {
      const { text, values } = buildSqlCall(fn, args);
      return enqueue(async () => {
        const result = await db.query<{ result: T }>(text, values);
        return (result.rows[0]?.result ?? null) as T;
      });
    },
    holderKey: () => holder.key(),
    close: () => enqueue(() => db.close()),
  };
  return createRpcStore(transport, options);
}
