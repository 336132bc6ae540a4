/**
 * A fresh, fully migrated database per call, cloned from a template that is migrated once per test run: the template
 * is named after the migrations' checksums, and an advisory lock on the admin database makes the first test process
 * build it while the others wait, so parallel test files never collide. The benchmark and chaos scripts call it with
 * an admin URL of their own; the tests, through test/support/database.ts, with the test run's server.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, loadMigrations, pgExecutor } from '../../src/store/migrate.ts';

export interface TestDatabase {
  /** connection URL of the new database (for adapters under test) */
  url: string;
  /** a connected client for direct SQL */
  client: pg.Client;
  drop(): Promise<void>;
}

const templates = new Map<string, Promise<string>>();

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function buildTemplate(adminUrl: string): Promise<string> {
  const migrations = await loadMigrations();
  const fingerprint = createHash('sha256')
    .update(migrations.map((m) => `${m.version}:${m.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const name = `pb_template_${fingerprint}`;
  return withClient(adminUrl, async (admin) => {
    await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (rowCount) return name;
      // Built under another name and renamed when complete: a crash mid-way never leaves a half-migrated template.
      const building = `${name}_${process.pid}`;
      await admin.query(`drop database if exists ${building}`);
      await admin.query(`create database ${building}`);
      await withClient(databaseUrl(adminUrl, building), (client) =>
        applyMigrations(pgExecutor(client), migrations),
      );
      await admin.query(`alter database ${building} rename to ${name}`);
      return name;
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

export async function createDatabaseOn(adminUrl: string): Promise<TestDatabase> {
  let template = templates.get(adminUrl);
  if (!template) {
    template = buildTemplate(adminUrl);
    templates.set(adminUrl, template);
  }
  const source = await template;
  const name = `pb_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (admin) => admin.query(`create database ${name} template ${source}`));
  const url = databaseUrl(adminUrl, name);
  const client = new pg.Client(url);
  await client.connect();
  return {
    url,
    client,
    async drop() {
      await client.end().catch(() => {});
      await withClient(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}
