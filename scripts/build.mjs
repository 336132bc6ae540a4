#!/usr/bin/env node
/**
 * Builds the committed bundles (`npm run bundle`):
 *  - dist/index.js: the GitHub Action. The runner checks out this repository without node_modules, so everything
 *    is bundled into one ESM file, except code the action must never load (PGlite, the simulator, GitHub's schema).
 *  - dist/licenses.txt: the licenses of every package inside dist/index.js (most ship no `@license` comment).
 *  - dist/cli.js: the CLI, published to npm with its dependencies, so npm packages stay external.
 *
 * The output is deterministic (esbuild is, given the same inputs and working directory; the license file is
 * sorted), so test/action/dist-is-current.test.ts can rebuild into a temporary folder and compare bytes.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What each build target writes into the output folder. */
export const TARGET_FILES = { action: ['index.js', 'licenses.txt'], cli: ['cli.js'] };
export const ACTION_SIZE_LIMIT = 2 * 1024 * 1024;

/**
 * The action bundle needs ESM's `import.meta.url` and CommonJS `require` for the CommonJS packages it inlines
 * (pg, ws, …), which esbuild's ESM output reaches through the global `require`.
 */
const ACTION_BANNER = [
  "import { createRequire as __progressiveBackfillCreateRequire } from 'node:module';",
  'const require = __progressiveBackfillCreateRequire(import.meta.url);',
].join('\n');

/** Imports that would drag GitHub's schema IDL, the simulator or PGlite's WebAssembly into the action. */
const NEVER_IN_ACTION =
  /(?:^|\/)simulator\/|(?:^|\/)github\/schema\.ts$|^@octokit\/graphql-schema|^@electric-sql\/pglite/;

const actionGuards = {
  name: 'action-guards',
  setup(build) {
    // The action never opens an embedded database (a runner's disk is gone when the job ends); open-store.ts
    // imports the PGlite adapter lazily, which esbuild would still inline, so it is replaced by a stub here.
    build.onResolve({ filter: /(?:^|\/)store\/pglite\.ts$/ }, () => ({
      path: 'pglite-stub',
      namespace: 'stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        "export function createPgliteStore() { throw new Error('the action has no embedded database: set database-url, or supabase-url with supabase-service-role-key'); }",
      loader: 'js',
    }));
    build.onResolve({ filter: NEVER_IN_ACTION }, (args) => ({
      errors: [
        {
          text: `${args.path} must never be bundled into the action (imported by ${relative(PROJECT_ROOT, args.importer)})`,
        },
      ],
    }));
  },
};

/** The package folder that holds a bundled file, e.g. node_modules/@octokit/core. */
function packageDirOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : null;
}

async function licenseText(dir) {
  const files = (await readdir(join(PROJECT_ROOT, dir)))
    .filter((f) => /^(?:licen[cs]e|copying)/i.test(f))
    .sort();
  if (files.length === 0) return null;
  return (await readFile(join(PROJECT_ROOT, dir, files[0]), 'utf8')).trim();
}

async function thirdPartyLicenses(metafile) {
  const dirs = [...new Set(Object.keys(metafile.inputs).map(packageDirOf).filter(Boolean))];
  const entries = await Promise.all(
    dirs.map(async (dir) => {
      const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, dir, 'package.json'), 'utf8'));
      const text = await licenseText(dir);
      return `${pkg.name}@${pkg.version}\nLicense: ${pkg.license ?? 'unknown'}\n\n${text ?? '(no license file in the package)'}\n`;
    }),
  );
  // sorted by content so the file does not depend on the order esbuild visited the packages
  const unique = [...new Set(entries)].sort();
  return `Third-party software bundled into dist/index.js\n\n${unique.join('\n-----\n\n')}`;
}

/**
 * Builds the bundles of `targets` into `outDir` (relative to the project root, or absolute) and returns the files
 * written with their sizes. Throws when the action bundle outgrows ACTION_SIZE_LIMIT.
 */
export async function build({ outDir = 'dist', targets = ['action', 'cli'] } = {}) {
  const out = isAbsolute(outDir) ? outDir : join(PROJECT_ROOT, outDir);
  await mkdir(out, { recursive: true });
  const common = {
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    charset: 'utf8',
    logLevel: 'warning',
    write: true,
  };

  if (targets.includes('action')) await buildAction(common, out);
  if (targets.includes('cli')) await buildCli(common, out);

  const files = await Promise.all(
    targets
      .flatMap((target) => TARGET_FILES[target])
      .map(async (name) => ({ path: join(out, name), bytes: (await stat(join(out, name))).size })),
  );
  const action = files.find((file) => file.path.endsWith('index.js'));
  if (action && action.bytes > ACTION_SIZE_LIMIT) {
    throw new Error(`dist/index.js is ${action.bytes} bytes, over the ${ACTION_SIZE_LIMIT}-byte limit`);
  }
  return files;
}

async function buildAction(common, out) {
  const action = await esbuild.build({
    ...common,
    entryPoints: ['src/action/index.ts'],
    outfile: join(out, 'index.js'),
    minify: true,
    legalComments: 'eof',
    metafile: true,
    banner: { js: ACTION_BANNER },
    plugins: [actionGuards],
  });
  await writeFile(join(out, 'licenses.txt'), await thirdPartyLicenses(action.metafile));
}

async function buildCli(common, out) {
  const entry = 'src/cli/index.ts';
  // esbuild keeps the entry's own hashbang; a second one from a banner would be a syntax error
  const hasHashbang = (await readFile(join(PROJECT_ROOT, entry), 'utf8')).startsWith('#!');
  await esbuild.build({
    ...common,
    entryPoints: [entry],
    outfile: join(out, 'cli.js'),
    packages: 'external',
    ...(hasHashbang ? {} : { banner: { js: '#!/usr/bin/env node' } }),
  });
}

function formatBytes(bytes) {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(2)} MiB`
    : `${(bytes / 1024).toFixed(1)} KiB`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await build();
  for (const file of files)
    console.log(`${relative(PROJECT_ROOT, file.path).padEnd(20)} ${formatBytes(file.bytes)}`);
}
