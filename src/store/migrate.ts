/**
 * Applies supabase/migrations/*.sql in order, each in its own transaction, and records them in
 * `progressive_backfill.schema_migrations`. The same files are what `supabase db push` applies, so plain Postgres,
 * PGlite and Supabase end up with one schema. Node-only (reads the files from disk).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { EXPECTED_SCHEMA_VERSION } from './schema-version.ts';

/**
 * What the runner needs from a connection. `exec` runs a script of several statements; when absent, `query` without
 * parameters is used (node-postgres runs multi-statement text that way). Must be ONE session: `begin` and `commit`
 * are sent as separate calls, so a pool would scatter them over different connections.
 */
export interface SqlExecutor {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the caller's SQL selects
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  exec?(sql: string): Promise<unknown>;
}

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigrations {
  applied: string[];
  skipped: string[];
}

interface PgLikeClient {
  // biome-ignore lint/suspicious/noExplicitAny: node-postgres' own signature
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

interface PgliteLike {
  // biome-ignore lint/suspicious/noExplicitAny: PGlite's own signature
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  exec(sql: string): Promise<unknown>;
}

/** A node-postgres `Client` or `PoolClient` (not a `Pool`: see SqlExecutor). */
export function pgExecutor(client: PgLikeClient): SqlExecutor {
  return {
    query: (sql, params) => client.query(sql, params),
    exec: (sql) => client.query(sql),
  };
}

export function pgliteExecutor(db: PgliteLike): SqlExecutor {
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
  };
}

const FILE_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;

// Any fixed 64-bit key works; advisory locks are per database, so only migrations of the same database wait.
const MIGRATION_LOCK_KEY = '7244851009271122001';

/** The project root: the nearest folder above this module holding package.json (works from src/ and dist/). */
export async function projectRoot(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      await readFile(join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir)
        throw new Error('cannot find the project root (package.json) above the migration runner');
      dir = parent;
    }
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * supabase/schemas/00_schema.sql: the schema and the ledger, idempotently. The runner applies it before reading the
 * ledger; the baseline migration repeats it for `supabase db push`.
 */
async function loadLedgerSql(): Promise<string> {
  return readFile(join(await projectRoot(), 'supabase', 'schemas', '00_schema.sql'), 'utf8');
}

export async function loadMigrations(directory?: string): Promise<Migration[]> {
  const dir = directory ?? join(await projectRoot(), 'supabase', 'migrations');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name must be <14-digit timestamp>_<name>.sql: ${file}`);
      const sql = await readFile(join(dir, file), 'utf8');
      return { version: match[1]!, name: match[2]!, sql, checksum: await sha256Hex(sql) };
    }),
  );
}

/** Supabase's API roles; the migrations grant to service_role (and revoke from the others) where they exist. */
const API_ROLES = ['anon', 'authenticated', 'service_role'];

/**
 * Plain Postgres and PGlite lack Supabase's roles: create the missing ones where the migrating role may (a
 * superuser, or one with CREATEROLE). Elsewhere they stay missing and the migrations skip them. Roles are
 * cluster-wide, so two databases migrating at once may race to create one: losing that race is fine.
 */
async function createMissingRoles(db: SqlExecutor): Promise<void> {
  const { rows } = await db.query(
    `select r.name
       from unnest($1::text[]) as r(name)
      where not exists (select from pg_catalog.pg_roles where rolname = r.name)
        and (select rolsuper or rolcreaterole from pg_catalog.pg_roles where rolname = current_user)`,
    [API_ROLES],
  );
  for (const { name } of rows) {
    try {
      await db.query(`create role ${name} nologin`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '42710' && code !== '23505') throw error; // duplicate_object, unique_violation
    }
  }
}

function execScript(db: SqlExecutor, sql: string): Promise<unknown> {
  return db.exec ? db.exec(sql) : db.query(sql);
}

/**
 * Applies every migration not yet recorded. Refuses to go on when a recorded file has changed since it was applied:
 * the database would no longer match the files, and only a human can decide how to reconcile them.
 */
export async function applyMigrations(db: SqlExecutor, migrations?: Migration[]): Promise<AppliedMigrations> {
  const all = migrations ?? (await loadMigrations());
  await db.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  try {
    await createMissingRoles(db);
    await execScript(db, await loadLedgerSql());
    const { rows } = await db.query('select version, checksum from progressive_backfill.schema_migrations');
    // A null checksum: applied by another tool (`supabase db push`), which records no checksum.
    const recorded = new Map<string, string | null>(
      rows.map((row) => [String(row.version), row.checksum === null ? null : String(row.checksum)]),
    );
    for (const migration of all) {
      const previous = recorded.get(migration.version);
      if (previous && previous !== migration.checksum) {
        throw new Error(
          `migration ${migration.version}_${migration.name} was changed after it was applied ` +
            `(checksum ${previous.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); ` +
            'add a new migration instead of editing an applied one',
        );
      }
    }
    const result: AppliedMigrations = { applied: [], skipped: [] };
    for (const migration of all) {
      const id = `${migration.version}_${migration.name}`;
      if (recorded.has(migration.version)) {
        result.skipped.push(id);
        continue;
      }
      await execScript(db, 'begin');
      try {
        await execScript(db, migration.sql);
        // The migration recorded its version itself (see supabase/schemas/00_schema.sql); add its checksum.
        await db.query(
          `insert into progressive_backfill.schema_migrations (version, name, checksum) values ($1, $2, $3)
           on conflict (version) do update set name = excluded.name, checksum = excluded.checksum`,
          [migration.version, migration.name, migration.checksum],
        );
        await execScript(db, 'commit');
      } catch (error) {
        await execScript(db, 'rollback').catch(() => {});
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`migration ${id} failed: ${reason}`, { cause: error });
      }
      result.applied.push(id);
    }
    return result;
  } finally {
    await db.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}

/** The newest migration the database reports, or null when the contract's functions are not installed. */
export async function schemaVersion(db: Pick<SqlExecutor, 'query'>): Promise<number | null> {
  const { rows: found } = await db.query(
    "select to_regprocedure('progressive_backfill.backfill_schema_version()') is not null as installed",
  );
  if (!found[0]?.installed) return null;
  const { rows } = await db.query('select progressive_backfill.backfill_schema_version() as version');
  return rows[0]?.version === null ? null : Number(rows[0]?.version);
}
