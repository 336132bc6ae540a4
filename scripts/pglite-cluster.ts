/**
 * Builds assets/pglite-cluster.tar.gz: a cluster PGlite's initdb made, which every new embedded database is
 * unpacked from (src/store/pglite.ts says why). Run it after upgrading @electric-sql/pglite:
 * `npx tsx scripts/pglite-cluster.ts`; test/store/pglite-cluster.test.ts fails until it is rebuilt.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_CLUSTER_FILE } from '../src/store/pglite.ts';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', PGLITE_CLUSTER_FILE);
const db = await PGlite.create('memory://');
try {
  const tarball = await db.dumpDataDir('gzip');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, new Uint8Array(await tarball.arrayBuffer()));
  console.log(`${file}: ${tarball.size} bytes`);
} finally {
  await db.close();
}
