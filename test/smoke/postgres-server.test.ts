import pg from 'pg';
import { expect, inject, test } from 'vitest';

test('the test setup serves a real PostgreSQL server', async () => {
  const client = new pg.Client(inject('adminDatabaseUrl'));
  await client.connect();
  const { rows } = await client.query<{ v: string }>('select current_setting($1) as v', [
    'server_version_num',
  ]);
  await client.end();
  expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000);
});
