import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  applyMigrations,
  EXPECTED_SCHEMA_VERSION,
  loadMigrations,
  type Migration,
  pgExecutor,
  schemaVersion,
} from '../../src/store/migrate.ts';

const newest = (migrations: Migration[]) => Number(migrations.at(-1)?.version);

/** An empty (unmigrated) database on the test server. */
async function emptyDatabase(): Promise<{ url: string; client: pg.Client; drop: () => Promise<void> }> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `pb_migrate_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client(url.toString());
  await client.connect();
  return {
    url: url.toString(),
    client,
    async drop() {
      await client.end().catch(() => {});
      const cleanup = new pg.Client(adminUrl);
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

describe('migrations on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof emptyDatabase>>;
  let migrations: Migration[];

  beforeAll(async () => {
    migrations = await loadMigrations();
    database = await emptyDatabase();
  });
  afterAll(() => database.drop());

  test('files are found, ordered by timestamp and named like the Supabase CLI expects', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort());
    expect(versions[0]).toBe('20261202000001');
    for (const m of migrations) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  test('every migration records its own version, so `supabase db push` fills the ledger too', () => {
    for (const m of migrations) {
      expect(m.sql).toContain(
        `insert into progressive_backfill.schema_migrations (version, name) values ('${m.version}', '${m.name}')`,
      );
    }
  });

  test('the version the code depends on is one of the migrations', () => {
    expect(migrations.map((m) => Number(m.version))).toContain(EXPECTED_SCHEMA_VERSION);
  });

  test('apply from scratch, then reports the newest migration as its version', async () => {
    expect(await schemaVersion(pgExecutor(database.client))).toBeNull();
    const result = await applyMigrations(pgExecutor(database.client), migrations);
    expect(result.applied).toHaveLength(migrations.length);
    expect(result.skipped).toEqual([]);
    expect(await schemaVersion(pgExecutor(database.client))).toBe(newest(migrations));
  });

  test('re-applying changes nothing and keeps the data', async () => {
    await database.client.query(
      "select progressive_backfill.backfill_track_repository(p_owner => 'octo', p_name => 'kept')",
    );
    const result = await applyMigrations(pgExecutor(database.client), migrations);
    expect(result.applied).toEqual([]);
    expect(result.skipped).toHaveLength(migrations.length);
    const { rows } = await database.client.query(
      'select count(*)::int as n from progressive_backfill.repositories',
    );
    expect(rows[0].n).toBe(1);
    const ledger = await database.client.query(
      'select count(*)::int as n from progressive_backfill.schema_migrations where checksum is not null',
    );
    expect(ledger.rows[0].n).toBe(migrations.length);
  });

  test('a migration another tool applied (recorded without a checksum) is skipped, not re-run', async () => {
    const extra: Migration = {
      version: '29990101000000',
      name: 'pushed',
      sql: 'create table progressive_backfill.must_not_exist (id int);',
      checksum: '1'.repeat(64),
    };
    await database.client.query(
      "insert into progressive_backfill.schema_migrations (version, name) values ('29990101000000', 'pushed')",
    );
    try {
      const result = await applyMigrations(pgExecutor(database.client), [...migrations, extra]);
      expect(result.applied).toEqual([]);
      const { rows } = await database.client.query(
        "select to_regclass('progressive_backfill.must_not_exist') as t",
      );
      expect(rows[0].t).toBeNull();
    } finally {
      await database.client.query(
        "delete from progressive_backfill.schema_migrations where version = '29990101000000'",
      );
    }
  });

  test('a migration edited after it was applied is refused', async () => {
    const edited = migrations.map((m, i) =>
      i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'f'.repeat(64) } : m,
    );
    await expect(applyMigrations(pgExecutor(database.client), edited)).rejects.toThrow(
      /changed after it was applied/,
    );
  });

  test('a failing migration rolls back entirely and is not recorded', async () => {
    const broken: Migration = {
      version: '29991231000000',
      name: 'broken',
      sql: 'create table half_done (id int); select no_such_function();',
      checksum: '0'.repeat(64),
    };
    await expect(applyMigrations(pgExecutor(database.client), [...migrations, broken])).rejects.toThrow(
      /29991231000000_broken failed/,
    );
    const { rows } = await database.client.query("select to_regclass('half_done') as t");
    expect(rows[0].t).toBeNull();
    const ledger = await database.client.query(
      "select 1 from progressive_backfill.schema_migrations where version = '29991231000000'",
    );
    expect(ledger.rowCount).toBe(0);
  });
});

test('two runners migrating one database at once both succeed, applying each file once', async () => {
  const database = await emptyDatabase();
  const second = new pg.Client(database.url);
  await second.connect();
  try {
    const [a, b] = await Promise.all([
      applyMigrations(pgExecutor(database.client)),
      applyMigrations(pgExecutor(second)),
    ]);
    expect(a.applied.length + b.applied.length).toBe((await loadMigrations()).length);
    expect(await schemaVersion(pgExecutor(second))).toBe(newest(await loadMigrations()));
  } finally {
    await second.end();
    await database.drop();
  }
});
