import type { FieldProfile } from '../domain/pull-request.ts';
import type { BackfillScope } from '../domain/scope.ts';
import type { GitHubClient, GitHubErrorKind } from '../github/types.ts';
import type { RecoverResult, Store } from '../store/types.ts';

/** `owner/name`, or `owner/*` for every repository of an owner. */
export type RepositorySpec = { owner: string; name: string } | { owner: string; name: '*' };

export interface BackfillOptions {
  repositories: RepositorySpec[];
  completenessThreshold: number; // 0..1, default 0.8
  minPrs: number; // default 100
  fieldProfile: FieldProfile; // default core
  /** which pull requests to backfill (since, states, base); the whole repository when absent */
  scope?: BackfillScope;
  chunkSize?: number; // 1..100 override of the planned page size
  maxChunks?: number; // override of the planned number of pages this run
  reservePoints?: number; // default max(10% of the limit, 100)
  timeBudgetMs: number;
  dryRun: boolean;
  concurrency?: number; // repositories at once; planned when absent
  workerId: string;
  trigger: 'workflow' | 'cli' | 'function' | 'test';
  triggerRef: string | null;
  leaseSeconds?: number;
  /** named repositories are backfilled whatever min-prs and the threshold say (`run --repo`) */
  force?: boolean;
  /** pages one chunk lease covers before it is handed back (default 25) */
  pagesPerChunk?: number;
  /** consecutive errors before a repository is paused (default 5) and for how long (default 15 min) */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** extra graded checks run before every chunk, after the built-in ones */
  healthChecks?: import('./health.ts').HealthCheck[];
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface EngineDeps {
  store: Store;
  github: GitHubClient;
  clock?: Clock;
  onEvent?: (event: EngineEvent) => void;
  /** aborting finishes the page in flight, releases leases and records the run as interrupted */
  signal?: AbortSignal;
}

export interface Plan {
  pageSize: number;
  /** the operator set the page size (chunk-size): windows of exactly it, so the walk goes by window */
  pageSizeFixed?: boolean;
  /** at most: windows close as their partitions finish */
  windowsPerRequest: number;
  pointsPerPage: number;
  pagesAffordable: number;
  pagesPlanned: number;
  concurrency: number;
  remaining: number;
  reserve: number;
  resetAt: string;
  reason: string;
}

export type RepositoryOutcome =
  | 'completed'
  | 'in_progress'
  | 'paused'
  | 'failed'
  | 'skipped'
  /** held by another worker's lease: the report's detail says by whom and until when */
  | 'locked'
  | 'dry_run'
  | 'refreshed';

export interface RepositoryReport {
  repositoryId: number | null;
  fullName: string;
  completenessBefore: number | null;
  completenessAfter: number | null;
  storedBefore: number;
  storedAfter: number;
  prTotalCount: number | null;
  prsWritten: number;
  pointsSpent: number;
  pages: number;
  outcome: RepositoryOutcome;
  detail?: string;
}

export type ErrorSeverity = 'critical' | 'warning';

export interface ErrorEntry {
  severity: ErrorSeverity;
  repository: string | null;
  kind: GitHubErrorKind | 'store' | 'health' | 'internal' | 'stalled';
  message: string;
  chunkId?: number;
  at: string;
}

export interface ErrorSummary {
  totalErrors: number;
  critical: ErrorEntry[];
  warnings: ErrorEntry[];
  byRepository: Record<string, { critical: number; warnings: number }>;
}

export type RunOutcomeKind = 'completed' | 'interrupted' | 'failed' | 'partial';

export interface RunSummary {
  runId: number | null;
  outcome: RunOutcomeKind;
  dryRun: boolean;
  plan: Plan | null;
  prsWritten: number;
  pointsSpent: number;
  repositories: RepositoryReport[];
  errors: ErrorSummary;
  startedAt: string;
  durationMs: number;
  stopReason: string | null;
  /** what the recovery at the start found (absent on a dry run, or when the run failed before it) */
  recovery?: RecoverResult;
  /** repositories selected to work on: 0 means no repository needs backfilling */
  candidates?: number;
}

export type HealthStatus = 'ok' | 'warn' | 'halt';

export type EngineEvent =
  | { type: 'run.started'; runId: number | null; dryRun: boolean; at: string }
  | { type: 'run.planned'; plan: Plan; candidates: number }
  | { type: 'run.recovered'; recovery: RecoverResult }
  | {
      type: 'repository.started';
      repository: string;
      completeness: number | null;
      stored: number;
      total: number | null;
    }
  | {
      type: 'follow-ups.committed';
      repository: string;
      /** follow-up pages applied, rows written, follow-ups still queued for the repository */
      pages: number;
      rows: number;
      remaining: number;
      points: number;
    }
  | {
      type: 'page.committed';
      repository: string;
      prs: number;
      inserted: number;
      stored: number;
      total: number | null;
      points: number;
      remaining: number;
      pageSize: number;
      durationMs: number;
    }
  | { type: 'repository.finished'; report: RepositoryReport; durationMs: number }
  /** waiting for another worker's lease to expire before taking its work over */
  | { type: 'repository.waiting'; repository: string; waitMs: number; detail: string }
  | { type: 'health'; check: string; status: HealthStatus; reason: string }
  | { type: 'error'; entry: ErrorEntry }
  | { type: 'run.finished'; summary: RunSummary };
