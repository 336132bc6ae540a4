/**
 * The action bundle a test should run: the committed dist/index.js when it matches the current sources, otherwise
 * a fresh build in a temporary folder (dist-is-current.test.ts is the test that fails on a stale dist/).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, PROJECT_ROOT } from '../../scripts/build.mjs';

export interface ActionBundle {
  path: string;
  dispose(): Promise<void>;
}

export async function currentActionBundle(): Promise<ActionBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'pb-action-'));
  await build({ outDir: dir, targets: ['action'] });
  const fresh = await readFile(join(dir, 'index.js'));
  const committedPath = join(PROJECT_ROOT, 'dist', 'index.js');
  const committed = await readFile(committedPath).catch(() => null);
  return {
    path: committed?.equals(fresh) ? committedPath : join(dir, 'index.js'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
