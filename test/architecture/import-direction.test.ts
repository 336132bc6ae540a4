/**
 * The rooms of src/ and the one direction imports go between them, as the README's picture draws it. Type-only
 * imports count: a type from a higher room ties the lower one to it just the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Each room and the rooms it may import from: lower in the README's picture. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  store: ['domain'],
  github: ['domain'],
  engine: ['domain', 'store', 'github'],
  'shared-entry': ['domain', 'store', 'github', 'engine'],
  action: ['domain', 'store', 'github', 'engine', 'shared-entry'],
  cli: ['domain', 'store', 'github', 'engine', 'shared-entry'],
  'edge-functions': ['domain', 'store', 'github', 'engine', 'shared-entry'],
  simulator: ['domain', 'github'],
};

/** The one file outside the simulator that runs it: the offline demo. */
const MAY_IMPORT_SIMULATOR = ['cli/commands/demo.ts'];

const sourceFiles = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((file) => /\.(ts|mts)$/.test(file))
  .map((file) => file.split(sep).join('/'));

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

interface Edge {
  file: string;
  from: string;
  to: string;
  target: string;
}

/** Every relative import of every file under src/, as room → room (target outside src/ keeps its path). */
const edges: Edge[] = sourceFiles.flatMap((file) => {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(SPECIFIER)].map((match) => {
    const target = relative(SRC, resolve(dirname(join(SRC, file)), match[1]!))
      .split(sep)
      .join('/');
    return {
      file,
      from: file.split('/')[0]!,
      to: target.startsWith('..') ? target : target.split('/')[0]!,
      target,
    };
  });
});

const rooms = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('the rooms of src/', () => {
  test('every folder of src/ is a room with its rule, and there is nothing loose beside them', () => {
    expect(rooms).toEqual(Object.keys(MAY_IMPORT).sort());
    expect(sourceFiles.filter((file) => !file.includes('/'))).toEqual([]);
  });

  test('the parser finds the imports (a check that could not fail would prove nothing)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual(
      expect.objectContaining({
        file: 'engine/run.ts',
        from: 'engine',
        to: 'engine',
        target: 'engine/options.ts',
      }),
    );
  });

  test('imports go only down: each room imports only the rooms below it', () => {
    const wrong = edges
      .filter(({ from, to }) => from !== to && !to.startsWith('..'))
      .filter(({ from, to }) => !MAY_IMPORT[from]?.includes(to))
      .filter(({ file, to }) => !(to === 'simulator' && MAY_IMPORT_SIMULATOR.includes(file)))
      .map(({ file, target }) => `${file} → ${target}`);
    expect(wrong).toEqual([]);
  });

  test('nothing under src/ reaches outside it except for package.json', () => {
    const outside = edges
      .filter(({ to }) => to.startsWith('..'))
      .map(({ file, target }) => `${file} → ${target}`);
    expect(outside.every((line) => line.endsWith('→ ../package.json'))).toBe(true);
  });

  test('no cycle between rooms', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      if (from === to || to.startsWith('..')) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
    const cycles: string[] = [];
    const visit = (room: string, path: string[]) => {
      if (path.includes(room)) {
        cycles.push([...path.slice(path.indexOf(room)), room].join(' → '));
        return;
      }
      for (const next of graph.get(room) ?? []) visit(next, [...path, room]);
    };
    for (const room of graph.keys()) visit(room, []);
    expect([...new Set(cycles)]).toEqual([]);
  });

  test('the README picture names every room', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const picture = readme.slice(readme.indexOf('## How it works')).split('```')[1] ?? '';
    const drawn = [...new Set([...picture.matchAll(/\bsrc\/([a-z-]+)/g)].map((m) => m[1]!))].sort();
    expect(drawn).toEqual(rooms);
  });

  test('scripts/ import only from src/ and scripts/ (the harness the tests share lives in scripts/harness)', () => {
    const scripts = join(ROOT, 'scripts');
    const files = (readdirSync(scripts, { recursive: true }) as string[]).filter((file) =>
      /\.(ts|mts|mjs)$/.test(file),
    );
    expect(files.length).toBeGreaterThan(10);
    const outside = files.flatMap((file) =>
      [...readFileSync(join(scripts, file), 'utf8').matchAll(SPECIFIER)]
        .map((match) =>
          relative(ROOT, resolve(dirname(join(scripts, file)), match[1]!))
            .split(sep)
            .join('/'),
        )
        .filter(
          (target) =>
            !target.startsWith('src/') && !target.startsWith('scripts/') && target !== 'package.json',
        )
        .map((target) => `scripts/${file} → ${target}`),
    );
    expect(outside).toEqual([]);
  });
});
