/**
 * A GitHub simulator on loopback, a fresh real Postgres database, and the product's own client and store wired to
 * them: what the engine's end-to-end tests run against.
 */
import type { FieldProfile, PullRequestRecord } from '../../src/domain/pull-request.ts';
import { runBackfill } from '../../src/engine/run.ts';
import type { BackfillOptions, Clock, EngineDeps, RunSummary } from '../../src/engine/types.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import type { DatasetOptions } from '../../src/simulator/dataset.ts';
import {
  type FaultPlan,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  type TokenOptions,
} from '../../src/simulator/server.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { PageLimits, Store } from '../../src/store/types.ts';
import { createDatabaseOn, type TestDatabase } from './database.ts';
import { fastClock } from './fast-clock.ts';

export const TOKEN = 'ghp_testtoken0000000000000000000000000000';

export interface EngineEnvironment {
  sim: Simulator;
  db: TestDatabase;
  store: Store;
  clock: Clock;
  github: ReturnType<typeof createGitHubClient>;
  options(overrides?: Partial<BackfillOptions>): BackfillOptions;
  /** one engine run against this environment: its options with these overrides, its store, client and clock */
  run(
    overrides?: Partial<BackfillOptions>,
    deps?: Omit<EngineDeps, 'store' | 'github' | 'clock'>,
  ): Promise<RunSummary>;
  stored(owner: string, name: string): Promise<PullRequestRecord[]>;
  close(): Promise<void>;
}

export interface EngineEnvironmentInput {
  dataset: DatasetOptions;
  token?: TokenOptions;
  faults?: FaultPlan;
  latencyMs?: SimulatorOptions['latencyMs'];
  /** shared by the simulator and the engine (default: a fast clock, so latency and waits cost nothing) */
  clock?: Clock;
  /** a Postgres admin URL to create the database on (the tests' wrapper defaults it to the test run's server) */
  adminUrl?: string;
  /** an already migrated database to work in instead of a fresh one (closing the environment drops it) */
  database?: TestDatabase;
  /** the store the engine writes through (default: the Postgres adapter on the database's URL) */
  store?: Store;
  /** the default store, as one that asks for smaller pages (as PGlite does) */
  pageLimits?: PageLimits;
  /** a GitHub-like API without lookups by number (see SimulatorOptions) */
  refuseNumberLookups?: boolean;
  /** a GitHub-like API that caps lookups by number per query (see SimulatorOptions) */
  maxNumberLookups?: number;
}

export async function startEngineEnvironment(input: EngineEnvironmentInput): Promise<EngineEnvironment> {
  const clock = input.clock ?? fastClock();
  const sim = await startSimulator({
    dataset: input.dataset,
    tokens: { [TOKEN]: input.token ?? {} },
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
    latencyMs: input.latencyMs ?? 0,
    ...(input.faults ? { faults: input.faults } : {}),
    ...(input.refuseNumberLookups ? { refuseNumberLookups: true } : {}),
    ...(input.maxNumberLookups !== undefined ? { maxNumberLookups: input.maxNumberLookups } : {}),
  });
  if (!input.database && !input.adminUrl)
    throw new Error('startEngineEnvironment: give a database or an adminUrl');
  const db = input.database ?? (await createDatabaseOn(input.adminUrl!));
  const defaultStore = (): Store => {
    const postgres = createPostgresStore(db.url);
    return input.pageLimits ? { ...postgres, pageLimits: input.pageLimits } : postgres;
  };
  const store = input.store ?? defaultStore();
  const github = createGitHubClient({
    token: TOKEN,
    apiUrl: sim.url,
    retry: { retries: 0 },
    secondaryLimit: { maxRetries: 0, scaleWaitMs: () => 0 },
  });
  const options = (overrides: Partial<BackfillOptions> = {}): BackfillOptions => ({
    repositories: input.dataset.repositories.map((r) => ({ owner: r.owner, name: r.name })),
    completenessThreshold: 0.8,
    minPrs: 100,
    fieldProfile: 'core',
    timeBudgetMs: 3_600_000,
    dryRun: false,
    workerId: 'test-worker',
    trigger: 'test',
    triggerRef: null,
    force: true,
    ...overrides,
  });
  return {
    sim,
    db,
    store,
    clock,
    github,
    options,
    run: (overrides = {}, deps = {}) => runBackfill(options(overrides), { store, github, clock, ...deps }),
    stored: (owner, name) => readStored(db, owner, name),
    async close() {
      await store.close();
      await db.drop();
      await sim.stop();
    },
  };
}

const TIMESTAMPS = ['created_at', 'updated_at', 'closed_at', 'merged_at'] as const;

/** The stored rows in the record shape, timestamps normalised so both sides spell instants the same way. */
export async function readStored(
  db: TestDatabase,
  owner: string,
  name: string,
): Promise<PullRequestRecord[]> {
  const { rows } = await db.client.query<{ pr: Record<string, unknown> }>(
    `select to_jsonb(p) - 'id' - 'repository_id' - 'captured_at' - 'children_sync' as pr
       from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id
      where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
      order by p.number`,
    [owner, name],
  );
  return rows.map(({ pr }) => normalise(pr));
}

export function normalise(record: Record<string, unknown>): PullRequestRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue; // absent and null mean the same: not known
    if ((TIMESTAMPS as readonly string[]).includes(key)) out[key] = new Date(value as string).toISOString();
    else if (key === 'github_id' || key === 'author_github_id') out[key] = String(value);
    else out[key] = value;
  }
  return out as unknown as PullRequestRecord;
}

export function truth(
  sim: Simulator,
  owner: string,
  name: string,
  profile: FieldProfile,
): PullRequestRecord[] {
  return sim.groundTruth(owner, name, profile).map((r) => normalise(r as unknown as Record<string, unknown>));
}
