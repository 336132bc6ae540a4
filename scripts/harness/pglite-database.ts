/**
 * A PGlite database (in memory by default, or the folder given), migrated, in the shape the harness's diffs read (`client.query`), with the
 * product's PGlite store over it: so an end-to-end test can run the same engine flow on PGlite as on Postgres.
 */
import type pg from 'pg';
import { openMigratedPglite, pgliteStore } from '../../src/store/pglite.ts';
import type { Store } from '../../src/store/types.ts';
import type { TestDatabase } from './database.ts';

export async function createPgliteDatabase(
  dir: string | null = null,
): Promise<{ database: TestDatabase; store: Store }> {
  const db = await openMigratedPglite(dir);
  const store = pgliteStore(db);
  // the diffs call only `query(text, params)` and read `rows`, which PGlite answers alike
  const client = {
    query: (text: string, params?: unknown[]) => db.query(text, params),
  } as unknown as pg.Client;
  // closing the store closes the database
  return { database: { url: 'memory://', client, drop: async () => {} }, store };
}
