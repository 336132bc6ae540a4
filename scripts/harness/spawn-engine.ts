/**
 * Starts scripts/harness/engine-process.ts as a child process: its stdout as lines (one per committed page) and its
 * exit. Shared by the crash test, the worker race and the chaos script.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENGINE_PROCESS = fileURLToPath(new URL('./engine-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface EngineChild {
  child: ChildProcess;
  lines: AsyncIterable<string>;
  /** exit code, or null when killed by a signal */
  exit: Promise<number | null>;
}

export function startEngine(env: Record<string, string>): EngineChild {
  const child = spawn(process.execPath, ['--import', 'tsx', ENGINE_PROCESS], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(stderr);
      resolve(code);
    }),
  );
  return { child, lines: createInterface({ input: child.stdout! }), exit };
}

/** A small seeded generator, so a trial's kill moments repeat from run to run. */
export function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}
