/**
 * Chooses and opens the one store a CLI command or the action works against. Each adapter is imported only when it
 * is the one chosen, so the action's bundle never loads PGlite's WebAssembly and the CLI never loads supabase-js
 * for a Postgres URL.
 */
import { ConfigError } from '../engine/options.ts';
import type { RpcStoreOptions } from '../store/rpc.ts';
import type { Store } from '../store/types.ts';

export interface StoreConfig {
  /** postgres://… connection string */
  databaseUrl?: string;
  /** https://<project>.supabase.co, used with the service-role key */
  supabaseUrl?: string;
  supabaseServiceRoleKey?: string;
  /** embedded PGlite database in this folder; null keeps it in memory */
  dataDir?: string | null;
}

export type StoreBackend =
  | { kind: 'postgres'; databaseUrl: string }
  | { kind: 'supabase'; supabaseUrl: string; serviceRoleKey: string }
  | { kind: 'pglite'; dataDir: string | null };

const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Exactly one backend, or a ConfigError naming the setting to fix. Setting names are the kebab-case flag and
 * input names (`database-url`, `supabase-url`, …), which the CLI prints as flags and the action as inputs.
 */
export function chooseBackend(config: StoreConfig): StoreBackend {
  const postgres = given(config.databaseUrl);
  const supabase = given(config.supabaseUrl);
  const key = given(config.supabaseServiceRoleKey);
  const embedded = config.dataDir !== undefined;
  if (postgres && (supabase || key)) {
    throw new ConfigError(
      'database-url',
      'give either a Postgres database URL or a Supabase URL with its service-role key, not both',
    );
  }
  if (supabase && !key) {
    throw new ConfigError(
      'supabase-service-role-key',
      'a Supabase URL needs the project service-role key (set SUPABASE_SERVICE_ROLE_KEY)',
    );
  }
  if (key && !supabase) {
    throw new ConfigError(
      'supabase-url',
      'a Supabase service-role key was given without the Supabase project URL',
    );
  }
  if ((postgres || supabase) && embedded) {
    throw new ConfigError(
      'data-dir',
      'the embedded database folder cannot be combined with a database URL or a Supabase URL',
    );
  }
  if (postgres) return { kind: 'postgres', databaseUrl: config.databaseUrl!.trim() };
  if (supabase) {
    return {
      kind: 'supabase',
      supabaseUrl: config.supabaseUrl!.trim(),
      serviceRoleKey: config.supabaseServiceRoleKey!.trim(),
    };
  }
  if (embedded) return { kind: 'pglite', dataDir: config.dataDir ?? null };
  throw new ConfigError(
    'database-url',
    'no database given: set a Postgres database URL or a Supabase URL and key',
  );
}

/** `secrets`: values the store scrubs from its errors and from the error text it stores, beyond its own. */
export async function openBackend(backend: StoreBackend, options: RpcStoreOptions = {}): Promise<Store> {
  switch (backend.kind) {
    case 'postgres': {
      const { createPostgresStore } = await import('../store/postgres.ts');
      return createPostgresStore(backend.databaseUrl, options);
    }
    case 'supabase': {
      const { createSupabaseStore } = await import('../store/supabase.ts');
      return createSupabaseStore(backend.supabaseUrl, backend.serviceRoleKey, options);
    }
    case 'pglite': {
      if (backend.dataDir !== null) {
        // PGlite creates only the last folder of the path; `./.progressive-backfill/db` needs its parent too.
        const { mkdir } = await import('node:fs/promises');
        await mkdir(backend.dataDir, { recursive: true });
      }
      const { createPgliteStore } = await import('../store/pglite.ts');
      return createPgliteStore(backend.dataDir, options);
    }
  }
}

export function openStore(config: StoreConfig): Promise<Store> {
  return openBackend(chooseBackend(config));
}
