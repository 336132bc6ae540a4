import { describe, expect, inject, test } from 'vitest';
import { createSupabaseStore } from '../../src/store/supabase.ts';
import { StoreError } from '../../src/store/types.ts';
import { createTestDatabase } from '../support/database.ts';
import { startPostgrestShim } from '../support/postgrest-shim.ts';
import { describeStoreContract } from './contract.ts';
import { createEmptyDatabase } from './empty-database.ts';

const SERVICE_ROLE_KEY = 'test-service-role-key-0123456789';

describeStoreContract('supabase', {
  async open() {
    const database = await createTestDatabase();
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: SERVICE_ROLE_KEY });
    const store = createSupabaseStore(shim.url, SERVICE_ROLE_KEY);
    return {
      store,
      sql: async (text, params) => (await database.client.query(text, params)).rows,
      async close() {
        await store.close();
        await shim.close();
        await database.drop();
      },
    };
  },
  async openEmpty() {
    const database = await createEmptyDatabase(inject('adminDatabaseUrl'));
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: SERVICE_ROLE_KEY });
    const store = createSupabaseStore(shim.url, SERVICE_ROLE_KEY);
    return {
      store,
      async close() {
        await store.close();
        await shim.close();
        await database.drop();
      },
    };
  },
});

describe('supabase adapter', () => {
  test('a rejected key is a connection error that does not repeat the key', async () => {
    const database = await createTestDatabase();
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: SERVICE_ROLE_KEY });
    const store = createSupabaseStore(shim.url, 'wrong-key-abcdef');
    try {
      const error = await store.assertSchema().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('connection');
      expect((error as StoreError).message).toMatch(/rejected the service-role key \(HTTP 401\)/);
      expect((error as StoreError).message).not.toContain('wrong-key-abcdef');
    } finally {
      await store.close();
      await shim.close();
      await database.drop();
    }
  });

  test('every call is one POST to /rest/v1/rpc/<function> naming the schema, with the key in both headers', async () => {
    const database = await createTestDatabase();
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: SERVICE_ROLE_KEY });
    const requests: {
      url: string;
      method: string;
      profile: string | null;
      apikey: string | null;
      authorization: string | null;
    }[] = [];
    const store = createSupabaseStore(shim.url, SERVICE_ROLE_KEY, {
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        requests.push({
          url: String(input),
          method: init?.method ?? 'GET',
          profile: headers.get('content-profile'),
          apikey: headers.get('apikey'),
          authorization: headers.get('authorization'),
        });
        return fetch(input, init);
      },
    });
    try {
      await store.assertSchema();
      await store.trackRepository({
        owner: 'shape',
        name: 'repo',
        githubId: null,
        nodeId: null,
        prTotalCount: 1,
      });
      expect(requests).toEqual([
        {
          url: `${shim.url}/rest/v1/rpc/backfill_schema_version`,
          method: 'POST',
          profile: 'progressive_backfill',
          apikey: SERVICE_ROLE_KEY,
          authorization: `Bearer ${SERVICE_ROLE_KEY}`,
        },
        {
          url: `${shim.url}/rest/v1/rpc/backfill_track_repository`,
          method: 'POST',
          profile: 'progressive_backfill',
          apikey: SERVICE_ROLE_KEY,
          authorization: `Bearer ${SERVICE_ROLE_KEY}`,
        },
      ]);
    } finally {
      await store.close();
      await shim.close();
      await database.drop();
    }
  });

  test('an http(s) URL is required', () => {
    expect(() => createSupabaseStore('postgres://x@y/z', SERVICE_ROLE_KEY)).toThrow(
      /must start with https:\/\//,
    );
  });

  test('like PostgREST, the stand-in serves only the schema a request names, and only an exposed one', async () => {
    const database = await createTestDatabase();
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: SERVICE_ROLE_KEY });
    const post = (profile?: string) =>
      fetch(`${shim.url}/rest/v1/rpc/backfill_schema_version`, {
        method: 'POST',
        headers: {
          apikey: SERVICE_ROLE_KEY,
          authorization: `Bearer ${SERVICE_ROLE_KEY}`,
          'content-type': 'application/json',
          ...(profile ? { 'content-profile': profile } : {}),
        },
        body: '{}',
      });
    try {
      const withoutSchema = await post();
      expect(withoutSchema.status).toBe(404);
      expect(await withoutSchema.json()).toMatchObject({
        code: 'PGRST202',
        message: expect.stringContaining('public.backfill_schema_version'),
      });
      const unexposed = await post('pg_catalog');
      expect(unexposed.status).toBe(406);
      expect(await unexposed.json()).toMatchObject({ code: 'PGRST106' });
      const named = await post('progressive_backfill');
      expect(named.status).toBe(200);
      expect(Number(await named.json())).toBeGreaterThan(0);
    } finally {
      await shim.close();
      await database.drop();
    }
  });

  test('a project that does not expose the schema fails with the migrate hint, not a crash', async () => {
    const database = await createTestDatabase();
    const shim = await startPostgrestShim({
      databaseUrl: database.url,
      serviceRoleKey: SERVICE_ROLE_KEY,
      schemas: ['public', 'graphql_public'],
    });
    const store = createSupabaseStore(shim.url, SERVICE_ROLE_KEY);
    try {
      const error = await store.assertSchema().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(/does not expose the schema progressive_backfill/);
    } finally {
      await store.close();
      await shim.close();
      await database.drop();
    }
  });
});
