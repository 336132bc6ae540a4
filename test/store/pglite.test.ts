import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { applyMigrations, pgliteExecutor } from '../../src/store/migrate.ts';
import { pgliteStore } from '../../src/store/pglite.ts';
import { describeStoreContract } from './contract.ts';

// Creating a PGlite database runs initdb in WebAssembly (seconds); cloning one is quicker. The empty database is a
// clone taken before the migrations run on the original.
let pristine: Promise<{ migrated: PGliteInterface; empty: PGliteInterface }> | undefined;
function databases(): Promise<{ migrated: PGliteInterface; empty: PGliteInterface }> {
  pristine ??= (async () => {
    const migrated = await PGlite.create();
    const empty = await migrated.clone();
    await applyMigrations(pgliteExecutor(migrated));
    return { migrated, empty };
  })();
  return pristine;
}

describeStoreContract('pglite', {
  async open() {
    const { migrated: db } = await databases();
    const store = pgliteStore(db);
    return {
      store,
      sql: async (text, params) => (await db.query<Record<string, unknown>>(text, params)).rows,
      close: () => store.close(),
    };
  },
  async openEmpty() {
    const store = pgliteStore((await databases()).empty);
    return { store, close: () => store.close() };
  },
});
