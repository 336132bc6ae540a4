import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openPglite } from '../../src/store/pglite.ts';

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-pglite-cluster-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function settings(db: Awaited<ReturnType<typeof openPglite>>['db']) {
  const { rows } = await db.query<{ buffers: string; statistics: string; databases: number }>(
    `select current_setting('shared_buffers') as buffers, current_setting('default_statistics_target') as statistics,
            (select count(*)::int from pg_database) as databases`,
  );
  return rows[0];
}

// Fails after an upgrade of @electric-sql/pglite whose catalog differs: rebuild with scripts/pglite-cluster.ts.
test('a new database folder starts from the committed cluster, which the installed PGlite can run', async () => {
  const dir = join(folder(), 'nested', 'db');
  const { db, fromCluster } = await openPglite(dir);
  try {
    expect(fromCluster).toBe(true);
    expect(await settings(db)).toEqual({ buffers: '16MB', statistics: '10', databases: 3 });
  } finally {
    await db.close();
  }
});

test('an in-memory database starts from the cluster too', async () => {
  const { db, fromCluster } = await openPglite(null);
  try {
    expect(fromCluster).toBe(true);
    expect((await settings(db))?.buffers).toBe('16MB');
  } finally {
    await db.close();
  }
});

test('a cluster that cannot be unpacked leaves no trace: initdb makes the database instead', async () => {
  const broken = join(folder(), 'broken.tar.gz');
  writeFileSync(broken, 'not a tarball');
  const dir = join(folder(), 'db');
  const { db, fromCluster } = await openPglite(dir, Promise.resolve(broken));
  try {
    expect(fromCluster).toBe(false);
    expect(await settings(db)).toEqual({ buffers: '16MB', statistics: '10', databases: 3 });
  } finally {
    await db.close();
  }
}, 120_000);

test('an existing database is opened as it is, never overwritten by the cluster', async () => {
  const dir = folder();
  const first = await openPglite(dir);
  await first.db.exec('create table kept (x int); insert into kept values (7)');
  await first.db.close();
  const again = await openPglite(dir);
  try {
    expect(again.fromCluster).toBe(false);
    expect((await again.db.query<{ x: number }>('select x from kept')).rows).toEqual([{ x: 7 }]);
  } finally {
    await again.db.close();
  }
});
