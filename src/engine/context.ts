import type { FieldProfile } from '../domain/pull-request.ts';
import type { GitHubClient } from '../github/types.ts';
import type { Store } from '../store/types.ts';
import type { BudgetLedger } from './budget.ts';
import type { ErrorCollector } from './error-summary.ts';
import type { HealthCheck } from './health.ts';
import type { Clock, EngineEvent, ErrorEntry, Plan } from './types.ts';

/** What a repository worker needs from its run: the ports, the plan, and the run's shared state. */
export interface RunContext {
  store: Store;
  github: GitHubClient;
  clock: Clock;
  emit: (event: EngineEvent) => void;
  signal: AbortSignal;
  plan: Plan;
  ledger: BudgetLedger;
  errors: ErrorCollector;
  runId: number | null;
  workerId: string;
  profile: FieldProfile;
  leaseSeconds: number;
  pagesPerChunk: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  deadline: number;
  healthChecks: HealthCheck[];
  pageTimer: PageTimer;
  /** first reason the whole run must stop (signal, time, budget, fatal); null while it may go on */
  stopReason(): string | null;
  halt(reason: string): void;
  record(entry: Omit<ErrorEntry, 'at'>): void;
}

/** A moving estimate of one page's wall time, for the time-budget check. */
export class PageTimer {
  private estimate: number;

  constructor(initialMs: number) {
    this.estimate = initialMs;
  }

  observe(ms: number): void {
    this.estimate = this.estimate * 0.8 + ms * 0.2;
  }

  get ms(): number {
    return Math.ceil(this.estimate);
  }
}
