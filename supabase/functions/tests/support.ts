/**
 * Shared set-up for the Deno tests of the function handlers. They run under the real Deno binary against a real
 * Postgres database that test/edge-functions/deno.test.ts creates and names in the environment.
 */
import pg from 'pg';
import { createPostgresStore } from '../../../src/store/postgres.ts';
import type { Store } from '../../../src/store/types.ts';

/**
 * Deno.test with every sanitizer on, stated rather than assumed (recent Deno turned the op sanitizer off by
 * default): a handler that leaves a timer, a socket or an unsettled promise behind after its response fails here,
 * because in an Edge Function such leftovers keep the isolate busy after the response.
 */
export function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true });
}

export function requiredEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value)
    throw new Error(
      `${name} is not set: run these tests through test/edge-functions/deno.test.ts (npm test)`,
    );
  return value;
}

export interface Harness {
  store: Store;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A store plus a direct connection for assertions, both closed before the test ends (Deno's sanitizers check). */
export async function withDatabase(work: (harness: Harness) => Promise<void>): Promise<void> {
  const url = requiredEnv('PB_TEST_DATABASE_URL');
  const store = createPostgresStore(url, { max: 2 });
  const client = new pg.Client(url);
  await client.connect();
  try {
    await work({
      store,
      sql: async (text, params) => (await client.query(text, params)).rows,
    });
  } finally {
    await store.close();
    await client.end();
  }
}
