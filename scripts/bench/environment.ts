/**
 * What the figures run against: a throwaway real PostgreSQL server (or DATABASE_URL's), the GitHub simulator with a
 * latency model, and the seed replay's own simulator so its budget never mixes with the engine's.
 */
import type { Clock } from '../../src/engine/types.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import type { DatasetOptions } from '../../src/simulator/dataset.ts';
import { type LatencyInput, type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { startTempPostgres } from '../harness/temp-postgres.ts';
import type { LatencyModel } from './types.ts';

export const SEED_TOKEN = 'ghp_seedreplaytoken00000000000000000000000';

export async function startBenchPostgres(): Promise<{ adminUrl: string; stop(): void }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, stop: () => {} };
  const server = await startTempPostgres();
  return { adminUrl: server.adminUrl, stop: () => server.stop() };
}

/**
 * GitHub's response time for a request. `per-request`: every request takes `ms` (the issue's "1 s per page").
 * `per-100-prs`: `ms` per 100 pull requests asked for, a tenth of it at least (rate-limit and lookup queries), so a
 * two-window request of 2 × 100 takes twice as long as a page of 100.
 *
 * The time counts from the request's arrival: what the simulator has already spent on it (resolving the query, and
 * waiting behind concurrent requests' resolving, since it runs on one thread of this machine where GitHub's servers
 * work side by side) is part of the response time, not added to it. The simulator's work still shows when it
 * exceeds the model's time.
 */
export function latency(model: LatencyModel, ms: number): (request: LatencyInput) => number {
  const total = (request: LatencyInput) =>
    model === 'per-request' ? ms : ms * Math.max(0.1, request.nodeCount / 100);
  return (request) => Math.max(0, total(request) - request.elapsedMs);
}

export interface SeedSide {
  sim: Simulator;
  github: ReturnType<typeof createGitHubClient>;
  stop(): Promise<void>;
}

/** A simulator of its own for the seed replay, on the same clock and dataset as the engine's. */
export async function startSeedSide(input: {
  dataset: DatasetOptions;
  clock: Clock;
  latencyMs?: number | ((request: LatencyInput) => number);
  limit?: number;
}): Promise<SeedSide> {
  const sim = await startSimulator({
    dataset: input.dataset,
    tokens: { [SEED_TOKEN]: input.limit ? { limit: input.limit } : {} },
    now: input.clock.now,
    sleep: (ms) => input.clock.sleep(ms),
    latencyMs: input.latencyMs ?? 0,
  });
  const github = createGitHubClient({ token: SEED_TOKEN, apiUrl: sim.url, retry: { retries: 0 } });
  return { sim, github, stop: () => sim.stop() };
}
