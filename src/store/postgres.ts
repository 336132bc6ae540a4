/**
 * Store over a direct Postgres connection (node-postgres pool). Node only.
 */
import pg from 'pg';
import { connectionUrlSecrets } from '../domain/redact.ts';
import { parseConnectionUrl } from './connection-url.ts';
import { type HolderSession, holderSession } from './holder-session.ts';
import { type AppliedMigrations, applyMigrations, pgExecutor } from './migrate.ts';
import { createRpcStore, PrRowsArg, type RpcTransport, toStoreError } from './rpc.ts';
import { SCHEMA } from './schema-version.ts';
import { buildSqlCall } from './sql-call.ts';
import type { Store } from './types.ts';

export interface PostgresStoreOptions {
  /** pool size; the engine needs one connection per concurrent worker plus one for heartbeats */
  max?: number;
  applicationName?: string;
  /** further values to scrub from error messages and stored error text (the GitHub token, …) */
  secrets?: readonly string[];
}

interface CheckedUrl {
  /** the passwords (userinfo and query parameters) as written and decoded, to scrub from error messages */
  secrets: string[];
}

/**
 * Rejects anything that is not a postgres:// URL before pg sees it: pg would otherwise try to connect to
 * localhost or fail with a message that can quote the whole string, password included.
 */
export function checkDatabaseUrl(url: string): CheckedUrl {
  const parsed = parseConnectionUrl(url, {
    label: 'database URL',
    example: 'postgres://user:password@host:5432/database',
    protocols: ['postgres:', 'postgresql:'],
    otherwise: (protocol) =>
      protocol === 'https:' || protocol === 'http:'
        ? ' (an https:// Supabase project URL goes with a service-role key instead; the Postgres connection string is under Project Settings → Database)'
        : '',
  });
  return { secrets: connectionUrlSecrets(parsed.href) };
}

/**
 * The worker's lease-holder session: one client of its own, never a pool's (a pool hands connections out and closes
 * idle ones, which would drop the lock while the worker lives). It lives until the store closes; if the server drops
 * it, the next claim opens another under a new key, and the leases named by the old one can be taken over (the
 * fencing token then refuses this worker's late writes, as for any lost lease).
 */
function holderConnection(
  url: string,
  applicationName: string,
): { session: HolderSession; close(): Promise<void> } {
  let client: pg.Client | null = null;
  const session = holderSession(async (text, values) => {
    if (!client) {
      const fresh = new pg.Client({
        connectionString: url,
        application_name: `${applicationName} lease holder`,
        connectionTimeoutMillis: 30_000,
      });
      const forget = () => {
        if (client !== fresh) return;
        client = null;
        session.lost();
      };
      fresh.on('error', forget);
      fresh.on('end', forget);
      await fresh.connect();
      client = fresh;
    }
    return client.query(text, values);
  });
  return {
    session,
    async close() {
      const open = client;
      client = null;
      await open?.end();
    },
  };
}

export function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const { secrets } = checkDatabaseUrl(url);
  const applicationName = options.applicationName ?? 'progressive-backfill';
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    application_name: applicationName,
    connectionTimeoutMillis: 30_000,
  });
  const holder = holderConnection(url, applicationName);
  // An idle connection dropped by the server emits here; without a listener that would crash the process.
  // The next query gets a fresh connection or reports the failure as a StoreError.
  pool.on('error', () => {});
  // Pull-request rows go in binary (pr-rows.ts), which names their type's oid. Until the schema has the type, they
  // go as JSON, and the call fails as any call on a missing schema does.
  let prRowTypeOid: number | undefined;
  const rowTypeOid = async (): Promise<number | undefined> => {
    if (prRowTypeOid === undefined) {
      const { rows } = await pool.query<{ oid: number | null }>(
        `select to_regtype('${SCHEMA}.pr_row')::oid::int as oid`,
      );
      prRowTypeOid = rows[0]?.oid ?? undefined;
    }
    return prRowTypeOid;
  };
  const transport: RpcTransport = {
    kind: 'postgres',
    async call<T>(fn: string, args: Record<string, unknown>): Promise<T> {
      const carriesRows = Object.values(args).some((value) => value instanceof PrRowsArg);
      const { text, values } = buildSqlCall(
        fn,
        args,
        carriesRows ? { prRowTypeOid: await rowTypeOid() } : {},
      );
      const result = await pool.query<{ result: T }>(text, values);
      return (result.rows[0]?.result ?? null) as T;
    },
    holderKey: () => holder.session.key(),
    async close() {
      await holder.close();
      await pool.end();
    },
  };
  return createRpcStore(transport, { secrets: [...secrets, ...(options.secrets ?? [])] });
}

/** Applies supabase/migrations to the database at `url` (idempotent). */
export async function migrateDatabase(url: string): Promise<AppliedMigrations> {
  const { secrets } = checkDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'progressive-backfill migrate' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw toStoreError('migrate', error, secrets);
  }
  try {
    return await applyMigrations(pgExecutor(client));
  } finally {
    await client.end();
  }
}
