/**
 * One run of the engine: select → plan from the budget → work through the candidates with bounded concurrency →
 * record the run. Entry points (action, CLI, edge functions) call this and render its events and summary.
 */
import { GitHubError, type RateLimitState } from '../github/types.ts';
import {
  type LeaseRow,
  type RecoverResult,
  type RepositoryCandidate,
  type RepositoryRow,
  type Store,
  StoreError,
} from '../store/types.ts';
import { BudgetLedger, pageShapes, planRun } from './budget.ts';
import { isoAt, systemClock } from './clock.ts';
import { PageTimer, type RunContext } from './context.ts';
import { ErrorCollector } from './error-summary.ts';
import { databaseLoadCheck, type HealthCheck, rateLimitFloorCheck, timeBudgetCheck } from './health.ts';
import { lockedDetail, lockVerdict } from './locks.ts';
import { DEFAULTS, validateOptions } from './options.ts';
import { recoverAndReport } from './recovery.ts';
import { refreshRepository } from './refresh.ts';
import { backfillRepository, type RepositoryTarget } from './repository-worker.ts';
import { runOutcome } from './run-outcome.ts';
import { type Selection, selectRepositories } from './select.ts';
import type { BackfillOptions, EngineDeps, ErrorEntry, Plan, RepositoryReport, RunSummary } from './types.ts';

const INITIAL_PAGE_ESTIMATE_MS = 1_500;

/** Failures that pass by themselves: a run that meets one outside a chunk stops as interrupted, not failed. */
const PASSING_KINDS = new Set(['primary_rate_limit', 'secondary_rate_limit', 'transient']);

export async function runBackfill(options: BackfillOptions, deps: EngineDeps): Promise<RunSummary> {
  validateOptions(options);
  const clock = deps.clock ?? systemClock;
  const emit = deps.onEvent ?? (() => {});
  const { store, github } = deps;
  const started = clock.now();
  const deadline = started + options.timeBudgetMs;
  const errors = new ErrorCollector();
  const record = (entry: Omit<ErrorEntry, 'at'>) => {
    const full = { ...entry, at: isoAt(clock) };
    errors.add(full);
    emit({ type: 'error', entry: full });
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  if (deps.signal?.aborted) stop.abort();
  let haltReason: string | null = null;
  const pageTimer = new PageTimer(INITIAL_PAGE_ESTIMATE_MS);
  const stopReason = () => {
    if (deps.signal?.aborted) return 'stop signal received';
    if (haltReason) return haltReason;
    if (clock.now() + pageTimer.ms > deadline) return 'time budget spent';
    return null;
  };

  await store.assertSchema();
  const runId = options.dryRun
    ? null
    : await store.startRun({
        trigger: options.trigger,
        triggerRef: options.triggerRef,
        workerId: options.workerId,
        dryRun: false,
      });
  emit({ type: 'run.started', runId, dryRun: options.dryRun, at: isoAt(clock) });

  const reports = new Map<string, RepositoryReport>();
  let plan: Plan | null = null;
  let runFailed = false;
  let queueLeft = 0;
  let recovery: RecoverResult | undefined;
  let candidateCount: number | undefined;
  try {
    if (!options.dryRun) recovery = await recoverAndReport(store, DEFAULTS.runRecovery, emit, record);
    const rateLimit = await github.rateLimit();
    const selection = await selectRepositories(store, github, options);
    for (const fullName of selection.missing) {
      record({
        severity: 'critical',
        repository: fullName,
        kind: 'not_found',
        message: `${fullName} does not exist or the token cannot see it`,
      });
      reports.set(fullName, emptyReport(fullName, null, 'failed', 'not found on GitHub'));
    }
    for (const r of selection.refused) {
      record({ severity: 'critical', repository: r.fullName, kind: 'store', message: r.message });
      reports.set(
        r.fullName,
        emptyReport(r.fullName, null, 'failed', 'refused: the run gives another scope'),
      );
    }
    for (const s of selection.skipped) {
      const report = emptyReport(s.fullName, s.repositoryId, 'skipped', s.reason);
      if (s.row) fillCounts(report, s.row.storedPrCount, s.row.prTotalCount);
      reports.set(s.fullName, report);
    }
    const candidates = selection.candidates;
    for (const c of candidates) {
      const report = emptyReport(c.fullName, c.repositoryId > 0 ? c.repositoryId : null, 'skipped');
      fillCounts(report, c.storedPrCount, c.prTotalCount);
      reports.set(c.fullName, report);
    }
    // Work someone else's lease holds is never reported as done: each such repository says locked, by whom,
    // until when, and one whose holder's liveness cannot be seen is waited for at the end of the queue.
    const locked = options.dryRun ? [] : await lockedElsewhere(store, selection, options);
    for (const lease of locked) {
      const report = reports.get(lease.fullName) ?? emptyReport(lease.fullName, lease.repositoryId, 'locked');
      report.outcome = 'locked';
      report.detail = lockedDetail(lease, 'held by another worker');
      reports.set(lease.fullName, report);
    }
    candidateCount = candidates.length + locked.length;

    const shapes = pageShapes(github, options.fieldProfile);
    const planFor = (budget: RateLimitState) =>
      planRun({
        rateLimit: budget,
        shapes,
        candidates: candidates.length,
        timeBudgetMs: options.timeBudgetMs,
        pageLatencyMs: INITIAL_PAGE_ESTIMATE_MS,
        now: clock.now(),
        ...pick(options, ['reservePoints', 'chunkSize', 'maxChunks', 'concurrency']),
      });
    plan = planFor(rateLimit);
    emit({ type: 'run.planned', plan, candidates: candidates.length });

    if (options.dryRun) {
      describeDryRun(candidates, reports, plan);
    } else {
      const ledger = new BudgetLedger(rateLimit, plan.reserve, plan.pagesPlanned);
      const healthChecks = (budget: BudgetLedger) => [
        rateLimitFloorCheck({
          canAfford: () => !budget.exhausted(plan!.pointsPerPage),
          resetsAt: () => budget.resetsAt(),
          deadline,
          clock,
        }),
        timeBudgetCheck({ deadline, clock, pageEstimateMs: () => pageTimer.ms }),
        ...(store.databaseLoad ? [databaseLoadCheck(() => store.databaseLoad!())] : []),
        ...(options.healthChecks ?? []),
      ];
      const ctx: RunContext = {
        store,
        github,
        clock,
        emit,
        signal: stop.signal,
        plan,
        ledger,
        errors,
        runId,
        workerId: options.workerId,
        profile: options.fieldProfile,
        leaseSeconds: options.leaseSeconds ?? DEFAULTS.leaseSeconds,
        pagesPerChunk: options.pagesPerChunk ?? DEFAULTS.pagesPerChunk,
        breakerThreshold: options.breakerThreshold ?? DEFAULTS.breakerThreshold,
        breakerCooldownMs: options.breakerCooldownMs ?? DEFAULTS.breakerCooldownMs,
        deadline,
        pageTimer,
        healthChecks: healthChecks(ledger),
        stopReason,
        halt: (reason) => {
          haltReason ??= reason;
        },
        record,
      };
      const contextFor = budgetContexts(ctx, planFor, healthChecks);
      const queue: QueueItem[] = [
        ...candidates.map((candidate) => ({ candidate })),
        ...locked.map((lease) => ({ lease })),
      ];
      const recovered = (more: RecoverResult) => {
        if (!recovery) return;
        recovery.requeued += more.requeued;
        recovery.stalled += more.stalled;
        recovery.runsInterrupted += more.runsInterrupted;
      };
      const worker = async () => {
        for (let item = queue.shift(); item && stopReason() === null; item = queue.shift()) {
          if ('candidate' in item) {
            const c = item.candidate;
            await processCandidate(ctx, contextFor, c, reports.get(c.fullName)!, options);
          } else {
            const report = reports.get(item.lease.fullName)!;
            await waitOutLease(ctx, contextFor, item.lease, report, options, recovered);
          }
        }
      };
      await Promise.all(Array.from({ length: plan.concurrency }, worker));
      queueLeft = queue.length;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof GitHubError && PASSING_KINDS.has(error.kind)) {
      // GitHub is busy or out of budget for now (after the client's own retries): nothing is wrong with the
      // setup, so the run stops to be tried again instead of failing.
      haltReason ??=
        error.kind === 'primary_rate_limit' ? 'primary rate limit reached' : `GitHub unavailable: ${message}`;
      queueLeft = Math.max(queueLeft, 1);
      record({ severity: 'warning', repository: null, kind: error.kind, message });
    } else {
      runFailed = true;
      record({
        severity: 'critical',
        repository: null,
        kind: error instanceof GitHubError ? error.kind : 'internal',
        message,
      });
    }
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }

  const repositories = [...reports.values()];
  const { outcome, stopReason: reportedStop } = runOutcome({
    runFailed,
    criticalKinds: errors.summary().critical.map((e) => e.kind),
    queueLeft,
    repositoryOutcomes: repositories.map((r) => r.outcome),
    stopReason: stopReason(),
  });
  const summary: RunSummary = {
    runId,
    outcome,
    dryRun: options.dryRun,
    plan,
    prsWritten: repositories.reduce((n, r) => n + r.prsWritten, 0),
    pointsSpent: repositories.reduce((n, r) => n + r.pointsSpent, 0),
    repositories,
    errors: errors.summary(),
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
    stopReason: reportedStop,
    ...(recovery ? { recovery } : {}),
    ...(candidateCount === undefined ? {} : { candidates: candidateCount }),
  };
  if (runId !== null) {
    await store.finishRun({ runId, outcome, errorSummary: summary.errors });
  }
  emit({ type: 'run.finished', summary });
  return summary;
}

type QueueItem = { candidate: RepositoryCandidate } | { lease: LeaseRow };

/** The running leases of the repositories this run would work on but did not select (all, for the tracked set). */
async function lockedElsewhere(
  store: Store,
  selection: Selection,
  options: BackfillOptions,
): Promise<LeaseRow[]> {
  const selected = new Set(selection.candidates.map((c) => c.repositoryId));
  const refused = new Set(selection.refused.map((r) => r.fullName.toLowerCase()));
  const named = selection.named.filter((r) => r.id > 0).map((r) => r.id);
  if (options.repositories.length > 0 && named.length === 0) return [];
  const leases = await store.leases(options.repositories.length > 0 ? named : undefined);
  return leases.filter(
    (lease) => !selected.has(lease.repositoryId) && !refused.has(lease.fullName.toLowerCase()),
  );
}

/**
 * A repository held by another worker's lease: left alone while its holder is alive; otherwise the lease is waited
 * out when that fits the time budget (recovery then requeues its chunk) and the work goes on here. A holder found
 * gone needs no wait: the claim takes its lease over.
 */
async function waitOutLease(
  ctx: RunContext,
  contextFor: (owner: string) => Promise<RunContext>,
  lease: LeaseRow,
  report: RepositoryReport,
  options: BackfillOptions,
  recovered: (result: RecoverResult) => void,
): Promise<void> {
  const [current] = await ctx.store.leases([lease.repositoryId]);
  if (current) {
    const verdict = lockVerdict(current, {
      graceSeconds: DEFAULTS.runRecovery.graceSeconds,
      msLeft: ctx.deadline - ctx.clock.now(),
      pageEstimateMs: ctx.pageTimer.ms,
    });
    if (!verdict.wait) {
      report.detail = verdict.detail;
      return;
    }
    if (verdict.waitMs > 0) {
      report.detail = lockedDetail(
        current,
        'whether its worker is alive cannot be seen; waited for it to expire',
      );
      ctx.emit({
        type: 'repository.waiting',
        repository: report.fullName,
        waitMs: verdict.waitMs,
        detail: lockedDetail(current, 'whether its worker is alive cannot be seen: waiting for it to expire'),
      });
      await ctx.clock.sleep(verdict.waitMs, ctx.signal);
      if (ctx.stopReason() !== null) return;
      recovered(await ctx.store.recoverStuckChunks(DEFAULTS.runRecovery));
    }
  }
  const row = await ctx.store.getRepository({ id: lease.repositoryId });
  if (row?.backfillStatus !== 'active') {
    report.outcome = 'skipped';
    report.detail = `backfill is ${row?.backfillStatus ?? 'gone'} after its lease ended`;
    return;
  }
  fillCounts(report, row.storedPrCount, row.prTotalCount);
  await processCandidate(ctx, contextFor, inProgressCandidate(row), report, options);
}

/** A backfill in progress as selection would have listed it, had its lease not been held. */
function inProgressCandidate(row: RepositoryRow): RepositoryCandidate {
  const total = row.prTotalCount;
  return {
    repositoryId: row.id,
    owner: row.owner,
    name: row.name,
    fullName: row.fullName,
    priority: row.priority,
    storedPrCount: row.storedPrCount,
    prTotalCount: total,
    completeness: total ? row.storedPrCount / total : null,
    backfillStatus: row.backfillStatus,
    needsStart: false,
    needsRefresh: false,
    watermark: null,
    scope: row.scope,
  };
}

/**
 * The run's context as one owner's repositories see it: the client and ledger of the budget they draw on. A token
 * has one budget; each GitHub App installation has its own, planned from its own rate limit (so `max-chunks`
 * bounds each installation's pages).
 */
function budgetContexts(
  ctx: RunContext,
  planFor: (budget: RateLimitState) => Plan,
  healthChecks: (ledger: BudgetLedger) => HealthCheck[],
): (owner: string) => Promise<RunContext> {
  const routed = ctx.github.budgetFor?.bind(ctx.github);
  if (!routed) return async () => ctx;
  const ledgers = new Map<string, Promise<BudgetLedger>>();
  return async (owner) => {
    const { key, github } = await routed(owner);
    let ledger = ledgers.get(key);
    if (!ledger) {
      ledger = github.rateLimit().then((budget) => {
        const plan = planFor(budget);
        return new BudgetLedger(budget, plan.reserve, plan.pagesPlanned);
      });
      ledgers.set(key, ledger);
      ledger.catch(() => ledgers.delete(key));
    }
    const own = await ledger;
    return { ...ctx, github, ledger: own, healthChecks: healthChecks(own) };
  };
}

async function processCandidate(
  runCtx: RunContext,
  contextFor: (owner: string) => Promise<RunContext>,
  c: RepositoryCandidate,
  report: RepositoryReport,
  options: BackfillOptions,
): Promise<void> {
  let ctx = runCtx;
  const target: RepositoryTarget = {
    repositoryId: c.repositoryId,
    owner: c.owner,
    name: c.name,
    fullName: c.fullName,
    scope: c.scope,
  };
  const began = ctx.clock.now();
  ctx.emit({
    type: 'repository.started',
    repository: c.fullName,
    completeness: c.completeness,
    stored: c.storedPrCount,
    total: c.prTotalCount,
  });
  try {
    ctx = await contextFor(c.owner);
    if (c.needsStart || !c.needsRefresh) {
      // Also before carrying on a walk: start_backfill answers the scope the walk is in (a run that gives none
      // adopts the backfill's own), and refuses a given one that is not the backfill's, atomically.
      target.scope = await ctx.store.startBackfill(c.repositoryId, options.fieldProfile, options.scope);
      await backfillRepository(ctx, target, report);
    }
    // A walk that completed as this run's time ran out is refreshed by the next run: selection finds it due at
    // once (never refreshed since its walk completed), as it does a refresh in progress.
    const backfilled = report.outcome === 'completed' || (c.needsRefresh && !c.needsStart);
    if (backfilled && ctx.stopReason() === null) await refreshRepository(ctx, target, report);
  } catch (error) {
    // the contract refused the start: a backfill under another scope, which no retry of this run can change
    const refused = error instanceof StoreError && error.code === 'invalid_transition';
    const kind = error instanceof GitHubError ? error.kind : refused ? 'store' : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    const budget = error instanceof Error && error.name === 'BudgetExhausted';
    if (budget) ctx.halt(message);
    else
      ctx.record({
        severity: (error instanceof GitHubError && error.fatal) || refused ? 'critical' : 'warning',
        repository: c.fullName,
        kind,
        message,
      });
  }
  const total = report.prTotalCount;
  report.completenessAfter = total ? Math.min(1, report.storedAfter / total) : report.completenessBefore;
  ctx.emit({ type: 'repository.finished', report, durationMs: ctx.clock.now() - began });
}

function describeDryRun(
  candidates: RepositoryCandidate[],
  reports: Map<string, RepositoryReport>,
  plan: Plan,
): void {
  let pagesLeft = plan.pagesPlanned;
  for (const c of candidates) {
    const report = reports.get(c.fullName)!;
    const remaining = Math.max(0, (c.prTotalCount ?? 0) - c.storedPrCount);
    const pages = Math.ceil(remaining / (plan.pageSize * plan.windowsPerRequest));
    const thisRun = Math.min(pages, pagesLeft);
    pagesLeft -= thisRun;
    report.outcome = 'dry_run';
    report.detail =
      c.needsRefresh && !c.needsStart
        ? 'would refresh pull requests updated since the watermark'
        : `would fetch ${thisRun} of ~${pages} pages (${thisRun * plan.pointsPerPage} points) this run`;
  }
}

function emptyReport(
  fullName: string,
  repositoryId: number | null,
  outcome: RepositoryReport['outcome'],
  detail?: string,
): RepositoryReport {
  return {
    repositoryId,
    fullName,
    completenessBefore: null,
    completenessAfter: null,
    storedBefore: 0,
    storedAfter: 0,
    prTotalCount: null,
    prsWritten: 0,
    pointsSpent: 0,
    pages: 0,
    outcome,
    ...(detail ? { detail } : {}),
  };
}

function fillCounts(report: RepositoryReport, stored: number, total: number | null): void {
  report.storedBefore = stored;
  report.storedAfter = stored;
  report.prTotalCount = total;
  report.completenessBefore = total ? Math.min(1, stored / total) : null;
  report.completenessAfter = report.completenessBefore;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
