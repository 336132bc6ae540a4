import { describe, expect, inject, test } from 'vitest';
import { createPostgresStore, migrateDatabase } from '../../src/store/postgres.ts';
import { EXPECTED_SCHEMA_VERSION } from '../../src/store/schema-version.ts';
import { StoreError } from '../../src/store/types.ts';
import { createTestDatabase } from '../support/database.ts';
import { describeStoreContract } from './contract.ts';
import { createEmptyDatabase } from './empty-database.ts';

describeStoreContract('postgres', {
  async open() {
    const database = await createTestDatabase();
    const store = createPostgresStore(database.url);
    return {
      store,
      sql: async (text, params) => (await database.client.query(text, params)).rows,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  },
  async openEmpty() {
    const database = await createEmptyDatabase(inject('adminDatabaseUrl'));
    const store = createPostgresStore(database.url);
    return {
      store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  },
});

describe('postgres adapter', () => {
  test('migrateDatabase brings an empty database to the expected schema and is idempotent', async () => {
    const database = await createEmptyDatabase(inject('adminDatabaseUrl'));
    try {
      await migrateDatabase(database.url);
      await migrateDatabase(database.url);
      const store = createPostgresStore(database.url);
      await expect(store.assertSchema()).resolves.toBeUndefined();
      await store.close();
    } finally {
      await database.drop();
    }
  });

  test('assertSchema refuses a database older than the newest migration the code depends on, and accepts newer', async () => {
    const database = await createTestDatabase();
    const store = createPostgresStore(database.url);
    try {
      await database.client.query(
        'delete from progressive_backfill.schema_migrations where version::bigint >= $1',
        [EXPECTED_SCHEMA_VERSION],
      );
      await expect(store.assertSchema()).rejects.toThrow(/progressive-backfill migrate --database-url/);
      await database.client.query(
        "insert into progressive_backfill.schema_migrations (version, name) values ('29991231000000', 'future')",
      );
      await expect(store.assertSchema()).resolves.toBeUndefined();
    } finally {
      await store.close();
      await database.drop();
    }
  });

  test('a URL that is not a URL is refused without echoing the password', () => {
    const call = () => createPostgresStore('postgres://user:s3cret-pass@host:notaport/db');
    expect(call).toThrow(StoreError);
    expect(call).toThrow(/not a valid URL/);
    expect(call).not.toThrow(/s3cret-pass/);
  });

  test('an https URL is refused with a pointer to the Supabase options', () => {
    expect(() => createPostgresStore('https://abc.supabase.co')).toThrow(/postgres:\/\/.*service-role key/);
  });

  test('an unreachable server is a connection error whose message keeps the password out', async () => {
    const store = createPostgresStore('postgres://backfill:Sup3r-Secret@127.0.0.1:1/nowhere');
    try {
      const error = await store.assertSchema().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('connection');
      expect((error as StoreError).message).not.toContain('Sup3r-Secret');
    } finally {
      await store.close();
    }
  });
});
