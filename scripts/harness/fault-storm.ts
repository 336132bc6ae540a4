/**
 * A fault storm: one GraphQL request in five fails the way GitHub fails (502 as JSON and HTML, 504, "Something went
 * wrong", secondary limits as 403 and as 200 with retry-after, connection resets), on an hourly budget small enough
 * that the engine must wait for resets. Shared by test/engine/fault-storm.test.ts and the chaos script.
 */
import { runBackfill } from '../../src/engine/run.ts';
import type { RunSummary } from '../../src/engine/types.ts';
import type { Fault } from '../../src/simulator/server.ts';
import { type ChildrenDiff, diffChildren } from './children-diff.ts';
import { type EngineEnvironment, startEngineEnvironment, TOKEN } from './engine-environment.ts';
import { diffAgainstGroundTruth, type GroundTruthDiff } from './ground-truth-diff.ts';

export const FAULT_POOL: Fault[] = [
  { kind: '502', body: 'json' },
  { kind: '502', body: 'html' },
  { kind: '504' },
  { kind: 'something-went-wrong' },
  { kind: 'secondary', retryAfterSeconds: 30, variant: '403' },
  { kind: 'secondary', retryAfterSeconds: 5, variant: '200' },
  { kind: 'reset' },
];

const MAX_RUNS = 5;

export interface FaultStormResult extends GroundTruthDiff {
  /** the last run's summary */
  summary: RunSummary;
  /** runs it took, as a scheduler would start one after another, and why the ones before the last fell short */
  runs: number;
  shortRuns: string[];
  requests: number;
  faults: number;
  /** the fewest points any charged request left: must stay at or above the reserve */
  lowestRemaining: number;
  simulatedMs: number;
  /** `full` storms: how the children differ from GitHub's */
  children?: ChildrenDiff;
}

export async function runFaultStorm(input: {
  pullRequests: number;
  seed: number;
  limit: number;
  reserve: number;
  rate?: number;
  /** the Postgres server to create the storm's database on */
  adminUrl: string;
  /** `full`: the repository carries the hard child cases and its children are compared too */
  profile?: 'core' | 'full';
}): Promise<FaultStormResult> {
  const full = input.profile === 'full';
  const repo = { owner: 'storm', name: 'repo', pullRequests: input.pullRequests, childCases: full };
  const env: EngineEnvironment = await startEngineEnvironment({
    dataset: { seed: 7, repositories: [repo] },
    token: { limit: input.limit },
    faults: { rate: input.rate ?? 0.2, seed: input.seed, pool: FAULT_POOL },
    adminUrl: input.adminUrl,
  });
  try {
    // A run the storm cuts short (a fault on a start-up request fails it) is followed by the next scheduled one.
    const shortRuns: string[] = [];
    const began = env.clock.now();
    let summary: RunSummary;
    for (;;) {
      summary = await runBackfill(
        env.options({
          reservePoints: input.reserve,
          timeBudgetMs: 24 * 3_600_000,
          fieldProfile: input.profile ?? 'core',
        }),
        { store: env.store, github: env.github, clock: env.clock },
      );
      if (summary.repositories[0]?.outcome === 'completed' || shortRuns.length >= MAX_RUNS - 1) break;
      shortRuns.push(
        `${summary.outcome}: ${summary.errors.critical.map((e) => e.message).join('; ') || summary.stopReason}`,
      );
    }
    const graphql = env.sim.requests.filter((r) => r.path.endsWith('graphql'));
    const charged = env.sim.requests.filter((r) => r.token === TOKEN && r.remaining !== null && r.cost > 0);
    return {
      summary,
      runs: shortRuns.length + 1,
      shortRuns,
      requests: graphql.length,
      faults: graphql.filter((r) => r.fault !== null).length,
      lowestRemaining: Math.min(...charged.map((r) => r.remaining!)),
      simulatedMs: env.clock.now() - began,
      ...(await diffAgainstGroundTruth(env.db, env.sim, repo.owner, repo.name, input.profile)),
      ...(full ? { children: await diffChildren(env.db, env.sim, repo.owner, repo.name) } : {}),
    };
  } finally {
    await env.close();
  }
}
