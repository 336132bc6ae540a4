/**
 * What `supabase functions deploy` needs from each function: every npm package its import graph reaches is named in
 * the function's deno.json import map (the deploy bundler has no package.json to fall back on), at a range the
 * installed version satisfies, and the entry point type-checks under Deno.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const FUNCTIONS = ['github-webhook', 'backfill-tick'];
const DENO_FLAGS = ['--no-config', '--node-modules-dir=manual'];

interface DenoInfo {
  modules: { specifier: string; dependencies?: { specifier: string }[] }[];
}

async function deno(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(DENO, args, {
    cwd: ROOT,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return stdout;
}

/** Bare specifiers (npm packages) imported by the project's own modules, not by packages themselves. */
async function bareImports(entry: string): Promise<string[]> {
  const info = JSON.parse(await deno(['info', '--json', ...DENO_FLAGS, entry])) as DenoInfo;
  const found = new Set<string>();
  for (const module of info.modules) {
    if (!module.specifier.startsWith('file://') || module.specifier.includes('/node_modules/')) continue;
    for (const { specifier } of module.dependencies ?? []) {
      if (!/^(\.|\/|node:|npm:|jsr:|https?:)/.test(specifier)) found.add(specifier);
    }
  }
  return [...found].sort();
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function installedVersion(name: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** `^x.y.z` (the only form the import maps use) against an installed x.y.z. */
function satisfiesCaret(range: string, version: string): boolean {
  const wanted = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number);
  const have = /^(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!wanted || !have) return false;
  const [wMajor, wMinor, wPatch] = wanted as [number, number, number];
  const [hMajor, hMinor, hPatch] = have as [number, number, number];
  return hMajor === wMajor && (hMinor > wMinor || (hMinor === wMinor && hPatch >= wPatch));
}

describe.each(FUNCTIONS)('supabase/functions/%s', (name) => {
  const config = JSON.parse(readFileSync(join(ROOT, 'supabase', 'functions', name, 'deno.json'), 'utf8')) as {
    nodeModulesDir: string;
    imports: Record<string, string>;
  };

  test('maps every npm package it imports, at a range the installed version satisfies', async () => {
    expect(config.nodeModulesDir).toBe('manual');
    const imports = await bareImports(`supabase/functions/${name}/index.ts`);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      const target = config.imports[specifier];
      expect(target, `${specifier} is missing from supabase/functions/${name}/deno.json`).toBeDefined();
      const match = /^npm:((?:@[^/@]+\/)?[^/@]+)@([^/]+)(\/.*)?$/.exec(target ?? '');
      expect(match, `${specifier} → ${target}`).not.toBeNull();
      const [, mapped, range] = match as unknown as [string, string, string];
      expect(mapped).toBe(packageName(specifier));
      expect(satisfiesCaret(range, installedVersion(mapped)), `${mapped}@${range}`).toBe(true);
    }
  }, 60_000);
});

// one `deno check` for both entries: they share most of their graph, and checking it once halves the time
test('both function entry points type-check under Deno', async () => {
  const entries = FUNCTIONS.map((name) => `supabase/functions/${name}/index.ts`);
  await expect(deno(['check', ...DENO_FLAGS, ...entries])).resolves.toBeDefined();
}, 120_000);
