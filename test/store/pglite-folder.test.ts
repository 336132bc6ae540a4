import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createPgliteStore } from '../../src/store/pglite.ts';

test('a PGlite folder keeps its data across reopening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-pglite-'));
  try {
    const first = await createPgliteStore(dir);
    const tracked = await first.trackRepository({
      owner: 'persist',
      name: 'repo',
      githubId: '42',
      nodeId: 'R_42',
      prTotalCount: 321,
    });
    await first.close();

    const reopened = await createPgliteStore(dir);
    try {
      await reopened.assertSchema();
      expect(await reopened.getRepository({ owner: 'persist', name: 'repo' })).toMatchObject({
        id: tracked.id,
        prTotalCount: 321,
      });
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
