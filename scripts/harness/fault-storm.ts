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
  /** with `refreshChanges`: the refresh that followed, in the same storm */
  refresh?: { runs: number; outcome: string | undefined; requests: number; faults: number };
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
  /**
   * once the backfill completed, the children of this many pull requests change (new, edited and deleted comments,
   * a new review with its own comment) and runs refresh them, still in the storm; the diffs come after the refresh
   */
  refreshChanges?: number;
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
    const run = () =>
      runBackfill(
        env.options({
          reservePoints: input.reserve,
          timeBudgetMs: 24 * 3_600_000,
          fieldProfile: input.profile ?? 'core',
        }),
        { store: env.store, github: env.github, clock: env.clock },
      );
    for (;;) {
      summary = await run();
      if (summary.repositories[0]?.outcome === 'completed' || shortRuns.length >= MAX_RUNS - 1) break;
      shortRuns.push(
        `${summary.outcome}: ${summary.errors.critical.map((e) => e.message).join('; ') || summary.stopReason}`,
      );
    }
    const refresh = input.refreshChanges ? await refreshInStorm(env, input.refreshChanges, run) : undefined;
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
      ...(refresh ? { refresh } : {}),
    };
  } finally {
    await env.close();
  }
}

/** Changes the children of the first `changes` pull requests, then refreshes (run after run, as a schedule would). */
async function refreshInStorm(
  env: EngineEnvironment,
  changes: number,
  run: () => Promise<RunSummary>,
): Promise<NonNullable<FaultStormResult['refresh']>> {
  const [repository] = env.sim.dataset.repositories;
  if (!repository) throw new Error('the storm has no repository');
  const now = Math.floor(env.clock.now() / 1000) + 60;
  for (let index = 0; index < changes; index++) repository.changeChildren(index, now);
  const seen = env.sim.requests.length;
  let runs = 0;
  let outcome: string | undefined;
  while (runs < MAX_RUNS && outcome !== 'refreshed') {
    runs++;
    outcome = (await run()).repositories[0]?.outcome;
  }
  const graphql = env.sim.requests.slice(seen).filter((r) => r.path.endsWith('graphql'));
  return { runs, outcome, requests: graphql.length, faults: graphql.filter((r) => r.fault !== null).length };
}
