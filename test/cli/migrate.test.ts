import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createEmptyDatabase } from '../store/empty-database.ts';
import { runMain } from './cli-harness.ts';

describe('migrate on a fresh Postgres database', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createEmptyDatabase(inject('adminDatabaseUrl'));
  });
  afterAll(() => database?.drop());

  const ledger = async () => {
    const client = new pg.Client(database.url);
    await client.connect();
    try {
      const { rows } = await client.query(
        'select version, checksum, applied_at from progressive_backfill.schema_migrations order by version',
      );
      const { rows: version } = await client.query(
        'select progressive_backfill.backfill_schema_version() as v',
      );
      return { rows, version: Number(version[0].v) };
    } finally {
      await client.end();
    }
  };

  test('applies the schema, then a second run changes nothing', async () => {
    const first = await runMain(['migrate', '--database-url', database.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const afterFirst = await ledger();
    expect(afterFirst.rows.length).toBeGreaterThan(0);
    expect(afterFirst.version).toBeGreaterThanOrEqual(1);

    const second = await runMain(['migrate', '--database-url', database.url]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^applied/m);
    const afterSecond = await ledger();
    expect(afterSecond).toEqual(afterFirst);
  });

  test('the output names the database but never its password', async () => {
    const url = new URL(database.url);
    url.password = 'pw-that-must-not-print';
    const { stdout, stderr } = await runMain(['migrate', '--database-url', url.toString()]);
    expect(stdout + stderr).not.toContain('pw-that-must-not-print');
  });
});
