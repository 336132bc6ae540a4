import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTION_SIZE_LIMIT, build, PROJECT_ROOT, TARGET_FILES } from '../../scripts/build.mjs';

const committed = (name: string) => readFile(join(PROJECT_ROOT, 'dist', name)).catch(() => null);

describe('the committed dist/', () => {
  let fresh: string;

  beforeAll(async () => {
    fresh = await mkdtemp(join(tmpdir(), 'pb-dist-'));
    await build({ outDir: fresh });
  });
  afterAll(() => rm(fresh, { recursive: true, force: true }));

  test.each([...TARGET_FILES.action, ...TARGET_FILES.cli])(
    'dist/%s is byte for byte what `npm run bundle` builds from the current sources',
    async (name) => {
      const current = await committed(name);
      expect(current, `dist/${name} is missing: run npm run bundle`).not.toBeNull();
      const rebuilt = await readFile(join(fresh, name));
      // a boolean, not a diff of two megabytes of minified code
      expect(current!.equals(rebuilt), `dist/${name} is stale: run npm run bundle and commit dist/`).toBe(
        true,
      );
    },
  );

  test('the action bundle stays under 2 MiB and carries neither GitHub’s schema nor PGlite', async () => {
    const bundle = await readFile(join(fresh, 'index.js'), 'utf8');
    expect(bundle.length).toBeLessThanOrEqual(ACTION_SIZE_LIMIT);
    // lines of GitHub's schema IDL (what @octokit/graphql-schema and src/simulator/schema.ts load)
    expect(bundle).not.toContain('type PullRequestReviewThread implements Node');
    expect(bundle).not.toContain('schema.graphql');
    expect(bundle).not.toContain('@electric-sql/pglite');
    expect(bundle).not.toMatch(/pglite\.wasm|PGlite/);
  });

  test('the CLI is an executable ES module that leaves npm packages to node_modules', async () => {
    const cli = await readFile(join(fresh, 'cli.js'), 'utf8');
    // node flags ride on the hashbang (env -S), which npm's bin shims honour
    expect(cli).toMatch(/^#!\/usr\/bin\/env -S node( --[a-z-]+(=\d+)?)+\n/);
    expect(cli).toMatch(/from "commander"/);
  });
});
