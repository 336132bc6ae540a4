import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, pgliteExecutor } from '../../src/store/migrate.ts';
import { pgliteStore } from '../../src/store/pglite.ts';
import { analyzeGrownTables } from '../../src/store/pglite-statistics.ts';

// PGlite runs no autovacuum: without these checks the planner never learns that a table grew.
describe('planner statistics of the embedded database', () => {
  let db: PGlite;
  const query = (sql: string) => db.query<{ name: string }>(sql);
  const relpages = async (table: string) =>
    (
      await db.query<{ pages: number }>(
        `select relpages as pages from pg_class where oid = 'progressive_backfill.${table}'::regclass`,
      )
    ).rows[0]!.pages;
  const addContributors = (from: number, to: number) =>
    db.query(
      `insert into progressive_backfill.contributors (github_id, login, type)
       select g, 'user-' || g || repeat('x', 60), 'User' from generate_series(${from}, ${to}) g`,
    );

  beforeAll(async () => {
    db = await PGlite.create();
    await applyMigrations(pgliteExecutor(db));
  });
  afterAll(() => db.close());

  it('analyzes a table once it has doubled since its last ANALYZE, and not before', async () => {
    expect(await analyzeGrownTables(query)).toEqual([]); // a new database: every table under the minimum

    await addContributors(1, 4_000);
    expect(await analyzeGrownTables(query)).toEqual(['contributors']);
    const analyzed = await relpages('contributors');
    expect(analyzed).toBeGreaterThanOrEqual(16);

    await addContributors(4_001, 6_000); // half as big again: not yet
    expect(await analyzeGrownTables(query)).toEqual([]);
    expect(await relpages('contributors')).toBe(analyzed);

    await addContributors(6_001, 8_500);
    expect(await analyzeGrownTables(query)).toEqual(['contributors']);
    expect(await relpages('contributors')).toBeGreaterThanOrEqual(2 * analyzed);
  });

  it('the store runs the check by itself as it is called', async () => {
    const store = pgliteStore(db);
    await addContributors(8_501, 40_000);
    const before = await relpages('contributors');
    for (let i = 0; i < 25; i++) await store.progress();
    expect(await relpages('contributors')).toBeGreaterThan(2 * before);
  });
});
