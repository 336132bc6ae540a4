/**
 * Store over Supabase's REST API (PostgREST `rpc`) with a service-role key. Runs under Node and Deno (Edge
 * Functions), so it uses web APIs only.
 *
 * Retries: there is one retry layer, the engine's. supabase-js 2.109 retries only GET/HEAD/OPTIONS requests by
 * itself (RPCs are POSTs), and we switch its retries off per call anyway. Every RPC is still safe to replay,
 * because a retry after a lost response is unavoidable over HTTP: claim/heartbeat/complete/release/fail are fenced
 * by the lease's token, and commit_page recognises a replay of the commit it already applied (applied: false).
 */

import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { storableStrings } from '../domain/postgres-text.ts';
import { parseConnectionUrl } from './connection-url.ts';
import { createRpcStore, JsonbArg, PrRowsArg, type RpcTransport } from './rpc.ts';
import { SCHEMA } from './schema-version.ts';
import { type Store, StoreError } from './types.ts';

export interface SupabaseStoreOptions {
  fetch?: typeof fetch;
  /** further values to scrub from error messages and stored error text (the GitHub token, …) */
  secrets?: readonly string[];
}

/** What the transport throws: PostgREST's error body plus the HTTP status, for toStoreError to classify. */
export class PostgrestCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly details: string | null,
    readonly hint: string | null,
  ) {
    super(message);
    this.name = 'PostgrestCallError';
  }
}

function checkSupabaseUrl(url: string): void {
  parseConnectionUrl(url, {
    label: 'Supabase URL',
    example: 'https://<project>.supabase.co',
    protocols: ['https:', 'http:'],
    otherwise: () => ' (a postgres:// URL goes with --database-url)',
  });
}

/**
 * supabase-js builds a realtime client eagerly, which needs a WebSocket constructor: Deno and Node 22+ have one,
 * Node 20 needs `ws`. We never open a channel; loading `ws` only where it is missing keeps Deno free of it.
 */
async function realtimeOptions(): Promise<{ transport?: unknown }> {
  if (typeof globalThis.WebSocket === 'function') return {};
  const ws = await import('ws');
  return { transport: ws.default };
}

function toJsonArgs(args: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    // PostgREST turns a JSON array of objects into the pr_row[] a function takes
    body[name] =
      value instanceof JsonbArg || value instanceof PrRowsArg ? storableStrings(value.value ?? null) : value;
  }
  return body;
}

const MAX_MESSAGE = 500;

export function createSupabaseStore(
  url: string,
  serviceRoleKey: string,
  options: SupabaseStoreOptions = {},
): Store {
  checkSupabaseUrl(url);
  if (!serviceRoleKey.trim()) throw new StoreError('invalid_input', 'the Supabase service-role key is empty');

  // biome-ignore lint/suspicious/noExplicitAny: no generated database types; the schema is what matters here
  type Client = SupabaseClient<any, typeof SCHEMA>;
  let client: Promise<Client> | undefined;
  const connect = async (): Promise<Client> =>
    createClient(url, serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // PostgREST serves a non-public schema only when asked for it: supabase-js then sends Content-Profile.
      db: { schema: SCHEMA },
      // biome-ignore lint/suspicious/noExplicitAny: ws's constructor type differs from the DOM WebSocket's
      realtime: (await realtimeOptions()) as any,
      global: options.fetch ? { fetch: options.fetch } : {},
    });

  const transport: RpcTransport = {
    kind: 'supabase',
    async call<T>(fn: string, args: Record<string, unknown>): Promise<T> {
      client ??= connect();
      const { data, error, status } = await (await client).rpc(fn, toJsonArgs(args)).retry(false);
      if (error) {
        const rejectedKey = !error.code && (status === 401 || status === 403);
        const message = rejectedKey
          ? `Supabase rejected the service-role key (HTTP ${status})`
          : error.code === 'PGRST106'
            ? `the project's API does not expose the schema ${SCHEMA} (${error.message}); add it under Project Settings → Data API → Exposed schemas`
            : (error.message || `HTTP ${status}`).slice(0, MAX_MESSAGE);
        throw new PostgrestCallError(
          message,
          error.code ?? '',
          status,
          error.details ?? null,
          error.hint ?? null,
        );
      }
      return (data ?? null) as T;
    },
    async close() {
      if (client) await (await client).removeAllChannels();
    },
  };
  return createRpcStore(transport, { secrets: [serviceRoleKey, ...(options.secrets ?? [])] });
}
