/**
 * Runs the CLI bundle as its own process the way `npx progressive-backfill` does: with the node flags of its
 * hashbang (npm's bin shims honour them), and the peak RSS reported by the process itself as it exits.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAX_RSS = pathToFileURL(fileURLToPath(new URL('./max-rss.mjs', import.meta.url))).href;

/** `--import` this into a node process to have it print `max-rss-kb N` on stderr as it exits. */
export const MAX_RSS_IMPORT = `--import ${MAX_RSS}`;

/** The node flags after `#!/usr/bin/env -S node` on the bundle's first line. */
export async function hashbangFlags(bundle: string): Promise<string[]> {
  const first = (await readFile(bundle, 'utf8')).slice(0, 200).split('\n')[0] ?? '';
  const match = /^#!\/usr\/bin\/env(?: -S)? node(.*)$/.exec(first);
  if (!match) throw new Error(`${bundle} does not start with a node hashbang`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

export interface MeasuredRun {
  code: number | null;
  stderr: string;
  /** peak resident set size of the process, MB */
  peakMb: number;
  seconds: number;
}

export async function runMeasuredCli(
  cli: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<MeasuredRun> {
  const flags = await hashbangFlags(cli);
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, '--import', MAX_RSS, cli, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000); // only the tail matters: the last line is the measurement
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const peakMb = Number(/max-rss-kb (\d+)/.exec(stderr)?.[1]) / 1024;
  return { code, stderr, peakMb, seconds: (performance.now() - started) / 1000 };
}
