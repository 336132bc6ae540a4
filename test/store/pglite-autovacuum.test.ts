import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, pgliteExecutor } from '../../src/store/migrate.ts';
import { pgliteStore } from '../../src/store/pglite.ts';
import { maintainTables } from '../../src/store/pglite-autovacuum.ts';

// PGlite runs no autovacuum: without this work the planner never learns that a table grew, and deleted rows stay.
describe('autovacuum for the embedded database', () => {
  let db: PGlite;
  const run = (sql: string) => db.query(sql);
  const table = async (name: string) =>
    (
      await db.query<{ analyzed: number; vacuumed: number; dead: number }>(
        `select analyze_count::int as analyzed, vacuum_count::int as vacuumed, n_dead_tup::int as dead
         from pg_stat_user_tables where relid = 'progressive_backfill.${name}'::regclass`,
      )
    ).rows[0]!;
  const addContributors = (from: number, to: number) =>
    db.query(
      `insert into progressive_backfill.contributors (github_id, login, type)
       select g, 'user-' || g, 'User' from generate_series(${from}, ${to}) g`,
    );

  beforeAll(async () => {
    db = await PGlite.create();
    await applyMigrations(pgliteExecutor(db));
    await maintainTables(run); // whatever the migrations left
  });
  afterAll(() => db.close());

  it('analyzes a table once it has doubled since its last ANALYZE, and not before', async () => {
    expect(await maintainTables(run)).toEqual({ vacuumed: [], analyzed: [] });

    await addContributors(1, 1_000);
    expect(await maintainTables(run)).toEqual({ vacuumed: [], analyzed: ['contributors'] });
    expect((await table('contributors')).analyzed).toBe(1);

    await addContributors(1_001, 1_900); // not yet twice the 1,000 rows analyzed (plus 50)
    expect(await maintainTables(run)).toEqual({ vacuumed: [], analyzed: [] });

    await addContributors(1_901, 2_200);
    expect(await maintainTables(run)).toEqual({ vacuumed: [], analyzed: ['contributors'] });
    expect((await table('contributors')).analyzed).toBe(2);
  });

  it('vacuums a table whose deleted rows pass a fifth of the rows last counted', async () => {
    await db.query('delete from progressive_backfill.contributors where github_id > 2_000'); // 200 of 2,200
    expect(await maintainTables(run)).toEqual({ vacuumed: [], analyzed: [] });
    expect((await table('contributors')).dead).toBe(200);

    await db.query('delete from progressive_backfill.contributors where github_id > 1_700'); // 300 more: 500 > 50 + 20% of 2,200
    expect(await maintainTables(run)).toEqual({ vacuumed: ['contributors'], analyzed: [] });
    expect(await table('contributors')).toMatchObject({ vacuumed: 1, dead: 0 });
  });

  it('the store does it by itself as it is called', async () => {
    const store = pgliteStore(db);
    await addContributors(10_001, 20_000);
    const before = (await table('contributors')).analyzed;
    for (let i = 0; i < 25; i++) await store.progress();
    expect((await table('contributors')).analyzed).toBe(before + 1);
  });
});
