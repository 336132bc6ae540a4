import type { Clock } from './types.ts';

/** Waits go through this port so tests and simulated-time benchmarks never sleep for real. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
