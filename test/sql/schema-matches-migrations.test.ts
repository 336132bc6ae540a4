import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { applyMigrations, pgExecutor } from '../../src/store/migrate.ts';
import { createEmptyDatabase } from '../store/empty-database.ts';
import { loadSchemaFiles, type SchemaSnapshot, snapshotSchema } from './schema-snapshot.ts';

// supabase/schemas/ is what people read and edit; supabase/migrations/ is what databases get. Both must build the
// same schema, so an edit to one without the other fails here.
let fromMigrations: { client: pg.Client; drop(): Promise<void> };
let fromSchemaFiles: { client: pg.Client; drop(): Promise<void> };

async function connectedEmptyDatabase(): Promise<{ client: pg.Client; drop(): Promise<void> }> {
  const database = await createEmptyDatabase(inject('adminDatabaseUrl'));
  const client = new pg.Client(database.url);
  await client.connect();
  return {
    client,
    async drop() {
      await client.end();
      await database.drop();
    },
  };
}

beforeAll(async () => {
  [fromMigrations, fromSchemaFiles] = await Promise.all([connectedEmptyDatabase(), connectedEmptyDatabase()]);
  await applyMigrations(pgExecutor(fromMigrations.client));
  for (const { file, sql } of await loadSchemaFiles()) {
    await fromSchemaFiles.client.query(sql).catch((error: Error) => {
      throw new Error(`supabase/schemas/${file}: ${error.message}`);
    });
  }
});
afterAll(async () => {
  await fromMigrations?.drop();
  await fromSchemaFiles?.drop();
});

test('the migrations build exactly the schema that supabase/schemas/ describes', async () => {
  const [migrated, declared] = await Promise.all([
    snapshotSchema(fromMigrations.client),
    snapshotSchema(fromSchemaFiles.client),
  ]);
  expect(migrated.functions?.length).toBeGreaterThan(20);
  expect(migrated.relations?.length).toBeGreaterThanOrEqual(10);
  expect(declared).toEqual(migrated);
});

test('the comparison notices a function edited on one side only', async () => {
  const before: SchemaSnapshot = await snapshotSchema(fromSchemaFiles.client);
  await fromSchemaFiles.client.query('begin');
  try {
    await fromSchemaFiles.client.query(`
      create or replace function progressive_backfill.backfill_schema_version() returns bigint
      language sql stable security definer set search_path = '' as $$ select 1::bigint $$`);
    expect(await snapshotSchema(fromSchemaFiles.client)).not.toEqual(before);
  } finally {
    await fromSchemaFiles.client.query('rollback');
  }
});
