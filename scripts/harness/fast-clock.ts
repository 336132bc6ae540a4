import type { Clock } from '../../src/engine/types.ts';

/**
 * Real time plus every wait anyone asked for, skipped instead of slept: backoffs, retry-afters and simulated
 * latency cost nothing, and the engine and the simulator (which share it) agree on what time it is.
 */
export function fastClock(): Clock & { skipped(): number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      if (ms > 0) offset += ms;
      await Promise.resolve();
    },
    skipped: () => offset,
  };
}
