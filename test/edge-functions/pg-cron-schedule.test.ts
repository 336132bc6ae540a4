/**
 * The schedule migration against the test server's real pg_cron. pg_cron only works in `cron.database_name`
 * (`postgres`), which every test file shares, so each test runs inside one transaction that it rolls back: the
 * contract schema, the jobs and any stubs never become visible to anyone else, and pg_cron never runs them.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe, expect, inject, test } from 'vitest';
import { loadMigrations } from '../../src/store/migrate.ts';

const SCHEDULE_FILE = '20261202000005';
const MY_JOB_IDS = `select jobid, jobname from cron.job where jobname like 'progressive-backfill-%' order by jobid`;
const pgCronAvailable = inject('pgCronAvailable');

async function migrations() {
  const all = await loadMigrations();
  const schedule = all.find((m) => m.version === SCHEDULE_FILE);
  if (!schedule) throw new Error(`migration ${SCHEDULE_FILE} not found`);
  return { contract: all.filter((m) => m.version < SCHEDULE_FILE), schedule };
}

interface JobRow {
  jobname: string;
  schedule: string;
  command: string;
}

async function jobs(client: pg.Client): Promise<JobRow[]> {
  const result = await client.query<JobRow>(
    `select jobname, schedule, command from cron.job where jobname like 'progressive-backfill-%' order by jobname`,
  );
  return result.rows;
}

/** Runs `body` in a transaction on the shared `postgres` database and always rolls it back. */
async function inRolledBackTransaction(body: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client(inject('adminDatabaseUrl'));
  await client.connect();
  try {
    await client.query('begin');
    await body(client);
  } finally {
    await client.query('rollback').catch(() => {});
    await client.end();
  }
}

async function applyContractAndSchedule(client: pg.Client): Promise<string> {
  const { contract, schedule } = await migrations();
  for (const migration of contract) await client.query(migration.sql);
  await client.query(schedule.sql);
  return schedule.sql;
}

/** Stand-ins for pg_net and Vault (not packaged for plain Postgres) with the signatures the job calls. */
async function createNetAndVaultStubs(client: pg.Client, secrets: Record<string, string>): Promise<void> {
  await client.query(`
    create schema net;
    create table net.calls (url text, body jsonb, headers jsonb, timeout_milliseconds int);
    create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}',
                                  headers jsonb default '{}', timeout_milliseconds int default 5000)
    returns bigint language sql as $$
      insert into net.calls values (url, body, headers, timeout_milliseconds);
      select count(*) from net.calls;
    $$;
    create schema vault;
    create table vault.secrets (name text primary key, secret text);
    create view vault.decrypted_secrets as select name, secret as decrypted_secret from vault.secrets;
  `);
  for (const [name, secret] of Object.entries(secrets)) {
    await client.query('insert into vault.secrets values ($1, $2)', [name, secret]);
  }
}

async function runJob(client: pg.Client, jobname: string): Promise<void> {
  const { rows } = await client.query<{ command: string }>(
    'select command from cron.job where jobname = $1',
    [jobname],
  );
  if (!rows[0]) throw new Error(`job ${jobname} is not scheduled`);
  await client.query(rows[0].command);
}

describe.skipIf(!pgCronAvailable)(
  pgCronAvailable
    ? 'schedule migration on pg_cron'
    : 'schedule migration on pg_cron — SKIPPED: pg_cron.so is not installed on the test PostgreSQL server',
  () => {
    test('schedules recovery every 5 minutes and, without pg_net and Vault, no tick job', async () => {
      await inRolledBackTransaction(async (client) => {
        const { rows } = await client.query(`select 1 from pg_available_extensions where name = 'pg_net'`);
        expect(rows, 'this test assumes a server without pg_net').toHaveLength(0);
        await applyContractAndSchedule(client);
        expect(await jobs(client)).toEqual([
          {
            jobname: 'progressive-backfill-recover',
            schedule: '*/5 * * * *',
            command: 'select progressive_backfill.backfill_recover_stuck_chunks()',
          },
        ]);
        // the job's command is valid SQL against the contract
        const result = await client.query('select progressive_backfill.backfill_recover_stuck_chunks() as r');
        expect(result.rows[0].r).toEqual({ requeued: 0, stalled: 0, runsInterrupted: 0 });
      });
    });

    test('re-applying the migration keeps exactly one row per job', async () => {
      await inRolledBackTransaction(async (client) => {
        await createNetAndVaultStubs(client, {});
        const sql = await applyContractAndSchedule(client);
        const first = await client.query(MY_JOB_IDS);
        await client.query(sql);
        await client.query(sql);
        const again = await client.query(MY_JOB_IDS);
        expect(again.rows).toEqual(first.rows);
        expect((await jobs(client)).map((job) => job.jobname)).toEqual([
          'progressive-backfill-recover',
          'progressive-backfill-tick',
        ]);
      });
    });

    test('the tick job posts to backfill-tick every minute with the URL and key from Vault', async () => {
      await inRolledBackTransaction(async (client) => {
        await createNetAndVaultStubs(client, {
          project_url: 'https://abcd.supabase.co',
          service_role_key: 'service-role-key-value',
        });
        await applyContractAndSchedule(client);
        const tick = (await jobs(client)).find((job) => job.jobname === 'progressive-backfill-tick');
        expect(tick?.schedule).toBe('* * * * *');
        // the key is read at run time: it never sits in cron.job where any job reader could see it
        expect(tick?.command).not.toContain('service-role-key-value');

        await runJob(client, 'progressive-backfill-tick');
        const calls = await client.query('select url, body, headers, timeout_milliseconds from net.calls');
        expect(calls.rows).toEqual([
          {
            url: 'https://abcd.supabase.co/functions/v1/backfill-tick',
            body: { background: true },
            headers: { 'Content-Type': 'application/json', Authorization: 'Bearer service-role-key-value' },
            timeout_milliseconds: 5000,
          },
        ]);
      });
    });

    test('the tick job prefers a dedicated backfill_tick_secret and calls nothing until Vault is set up', async () => {
      await inRolledBackTransaction(async (client) => {
        await createNetAndVaultStubs(client, {});
        await applyContractAndSchedule(client);
        await runJob(client, 'progressive-backfill-tick');
        expect((await client.query('select * from net.calls')).rows).toHaveLength(0);

        await client.query(`insert into vault.secrets values
          ('project_url', 'https://abcd.supabase.co'),
          ('service_role_key', 'service-role-key-value'),
          ('backfill_tick_secret', 'dedicated-tick-secret')`);
        await runJob(client, 'progressive-backfill-tick');
        const calls = await client.query(`select headers->>'Authorization' as auth from net.calls`);
        expect(calls.rows).toEqual([{ auth: 'Bearer dedicated-tick-secret' }]);
      });
    });
  },
);

describe('schedule migration without pg_cron', () => {
  test('applies cleanly and schedules nothing in a database that is not cron.database_name', async () => {
    const admin = new pg.Client(inject('adminDatabaseUrl'));
    await admin.connect();
    const name = `pb_schedule_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await admin.query(`create database ${name}`);
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    const client = new pg.Client(url.toString());
    try {
      await client.connect();
      await applyContractAndSchedule(client);
      const { rows } = await client.query(
        `select extname from pg_extension where extname in ('pg_cron', 'pg_net')`,
      );
      expect(rows).toEqual([]);
      expect((await client.query(`select to_regnamespace('cron') as cron`)).rows[0].cron).toBeNull();
    } finally {
      await client.end();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  test('applies cleanly on PGlite', async () => {
    const db = new PGlite();
    try {
      const { contract, schedule } = await migrations();
      for (const migration of contract) await db.exec(migration.sql);
      await db.exec(schedule.sql);
      const { rows } = await db.query(`select to_regnamespace('cron') as cron`);
      expect(rows).toEqual([{ cron: null }]);
    } finally {
      await db.close();
    }
  });
});
