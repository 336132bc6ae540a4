import { PGlite } from '@electric-sql/pglite';
import { expect, test } from 'vitest';
import { applyMigrations, loadMigrations, pgliteExecutor, schemaVersion } from '../../src/store/migrate.ts';

// PGlite's WebAssembly start-up dominates this file (seconds); the migrations themselves take well under one.
test('the same migrations apply to PGlite, idempotently, and its functions work there', async () => {
  const db = await PGlite.create();
  try {
    const executor = pgliteExecutor(db);
    await applyMigrations(executor);
    expect((await applyMigrations(executor)).applied).toEqual([]);
    expect(await schemaVersion(executor)).toBe(Number((await loadMigrations()).at(-1)?.version));
    const { rows } = await db.query<{ result: { fullName: string; backfillStatus: string } }>(
      "select progressive_backfill.backfill_track_repository(p_owner => 'octo', p_name => 'lite') as result",
    );
    expect(rows[0]?.result).toMatchObject({ fullName: 'octo/lite', backfillStatus: 'idle' });
  } finally {
    await db.close();
  }
});
