import pg from 'pg';
import { expect, test } from 'vitest';
import { rpc, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

type Load = { longRunningQueries: number; lockWaits: number; deadlocks: number };

test('the load sample counts sessions waiting on a lock right now', async () => {
  const before = await rpc<Load>(ctx.client, 'backfill_database_load');
  expect(before).toEqual({
    longRunningQueries: expect.any(Number),
    lockWaits: 0,
    deadlocks: expect.any(Number),
  });

  const holder = new pg.Client(ctx.db.url);
  const waiter = new pg.Client(ctx.db.url);
  await holder.connect();
  await waiter.connect();
  try {
    await holder.query('create table if not exists load_probe (id int)');
    await holder.query('begin');
    await holder.query('lock table load_probe in access exclusive mode');
    const blocked = waiter.query('select * from load_probe');
    // Observe the waiter from outside; it waits on the lock until the holder commits.
    let load = before;
    for (let i = 0; i < 200 && load.lockWaits === 0; i++)
      load = await rpc<Load>(ctx.client, 'backfill_database_load');
    expect(load.lockWaits).toBe(1);
    await holder.query('commit');
    await blocked;
  } finally {
    await holder.end();
    await waiter.end();
  }
  expect((await rpc<Load>(ctx.client, 'backfill_database_load')).lockWaits).toBe(0);
});

test('pull-request bodies are compressed with lz4 where the server has it', async () => {
  const { rows } = await ctx.client.query(
    `select attcompression from pg_attribute where attrelid = 'progressive_backfill.pull_requests'::regclass and attname = 'body'`,
  );
  const lz4 = await ctx.client.query(
    `select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)`,
  );
  expect(rows[0].attcompression).toBe(lz4.rowCount ? 'l' : '');
});
