/**
 * The action and CLI bundles, built by scripts/build.mjs (what `npm run bundle` runs) into a cache folder inside
 * node_modules: the CLI bundle keeps npm packages external and must resolve them from the project, and the
 * committed dist/ is left alone.
 */
import { join } from 'node:path';
import { build, PROJECT_ROOT } from '../build.mjs';

export interface Bundles {
  action: string;
  cli: string;
}

let built: Promise<Bundles> | undefined;

export function buildBundles(): Promise<Bundles> {
  built ??= (async () => {
    const dir = join(PROJECT_ROOT, 'node_modules', '.cache', 'progressive-backfill-bench');
    await build({ outDir: dir, targets: ['action', 'cli'] });
    return { action: join(dir, 'index.js'), cli: join(dir, 'cli.js') };
  })();
  return built;
}
