/**
 * No dependency the product does not use: every runtime dependency in package.json is imported by the product's own
 * code (src/, or the Supabase functions' entry points), and every dev dependency is imported by the tests, scripts or
 * configuration, run as a command by them, or types a package that is imported.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(entry)) out.push(path);
  }
  return out;
}

const SOURCE = /\.(ts|mts|mjs|js|cjs)$/;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Package names a file imports or resolves: `from '…'`, `import '…'`, `import('…')`, `require(.resolve)('…')`. */
function importedPackages(text: string): Set<string> {
  const found = new Set<string>();
  const specifiers =
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\.resolve(?:\.paths)?\(\s*)['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(specifiers)) {
    const specifier = (match[1] ?? '').replace(/^npm:/, '');
    if (/^(\.|\/|node:|jsr:|https?:)/.test(specifier)) continue;
    const parts = specifier.split('/');
    found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
  }
  return found;
}

function importsOf(paths: string[]): Set<string> {
  const all = new Set<string>();
  for (const path of paths)
    for (const name of importedPackages(read(path))) all.add(name.replace(/@[\d^~].*$/, ''));
  return all;
}

describe('declared dependencies', () => {
  test('every runtime dependency is imported by the product', () => {
    const product = importsOf([
      ...filesUnder('src', SOURCE),
      ...filesUnder('supabase/functions', SOURCE).filter((path) => !path.includes('/tests/')),
    ]);
    const unused = Object.keys(manifest.dependencies).filter((name) => !product.has(name));
    expect(unused, 'declared in dependencies, imported nowhere in src/').toEqual([]);
  });

  test('every dev dependency is imported, run or types something imported', () => {
    const tooling = [
      ...filesUnder('src', SOURCE),
      ...filesUnder('test', SOURCE),
      ...filesUnder('scripts', SOURCE),
      ...filesUnder('supabase/functions', SOURCE),
      ...readdirSync(ROOT).filter((entry) => /\.config\.(ts|mjs|js)$/.test(entry)),
    ];
    const imported = importsOf(tooling);
    // commands: package.json scripts, CI, workflows, and tests that run binaries from node_modules/.bin
    const commandText = [
      ...Object.values(manifest.scripts),
      ...filesUnder('.ci', /.*/).map(read),
      ...filesUnder('.github', /\.ya?ml$/).map(read),
      ...tooling.map(read),
    ].join('\n');
    const binariesOf = (name: string): string[] => {
      const bin = (
        JSON.parse(read(join('node_modules', name, 'package.json'))) as {
          bin?: string | Record<string, string>;
        }
      ).bin;
      if (!bin) return [];
      return typeof bin === 'string' ? [name.split('/').pop()!] : Object.keys(bin);
    };
    const runs = (name: string) =>
      binariesOf(name).some((bin) =>
        new RegExp(`(^|[\\s/'"\`(])${bin.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(['"\`\\s)]|$)`, 'm').test(
          commandText,
        ),
      );
    const typesUsed = (name: string) => {
      const typed = name.replace(/^@types\//, '');
      const pkg = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
      return pkg === 'node' || imported.has(pkg);
    };
    const unused = Object.keys(manifest.devDependencies).filter(
      (name) => !(imported.has(name) || runs(name) || (name.startsWith('@types/') && typesUsed(name))),
    );
    expect(unused, 'declared in devDependencies, neither imported nor run').toEqual([]);
  });

  test('the import scanner sees every form the code uses', () => {
    const text = [
      "import { a } from '@scope/pkg/sub';",
      "import b from 'plain/deep.js';",
      "import 'side-effect';",
      "const c = await import('dynamic');",
      "export { d } from 'reexported';",
      "createRequire(import.meta.url).resolve.paths('@data/files') ?? [];",
      "import e from './relative.ts';",
      "import f from 'node:fs';",
    ].join('\n');
    expect([...importedPackages(text)].sort()).toEqual(
      ['@scope/pkg', '@data/files', 'dynamic', 'plain', 'reexported', 'side-effect'].sort(),
    );
  });
});
