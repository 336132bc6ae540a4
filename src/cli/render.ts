/**
 * How a run shows itself: a progress bar per repository with an ETA on a terminal (cli-progress), plain log lines
 * when output is a file or CI, or nothing but the RunSummary JSON with --json.
 */
import cliProgress from 'cli-progress';
import type { EngineEvent, RunSummary } from '../engine/types.ts';
import { SIGNAL_STOP_REASON } from '../shared-entry/exit-codes.ts';
import {
  formatCount,
  formatDuration,
  formatPercent,
  NOTHING_TO_BACKFILL,
  REPORT_HEADERS,
  recoveryLine,
  repositoryReportRow,
  summaryLine,
  textTable,
} from '../shared-entry/format.ts';
import type { CliContext } from './context.ts';

export type RenderMode = 'bar' | 'lines' | 'json';

export interface Renderer {
  onEvent(event: EngineEvent): void;
  /** removes the bars before the report is printed; safe to call twice */
  stop(): void;
}

export function renderMode(json: boolean | undefined, ctx: CliContext): RenderMode {
  if (json) return 'json';
  const ci = ctx.env.CI !== undefined && ctx.env.CI !== '' && ctx.env.CI !== 'false';
  return ctx.io.isTTY && !ci ? 'bar' : 'lines';
}

export function createRenderer(mode: RenderMode, ctx: CliContext): Renderer {
  if (mode === 'json') return { onEvent: () => {}, stop: () => {} };
  return mode === 'bar' ? barRenderer(ctx) : lineRenderer(ctx);
}

function eventLine(event: EngineEvent): string | null {
  switch (event.type) {
    case 'run.started':
      return event.dryRun ? 'dry run: nothing will be written' : `run ${event.runId ?? ''} started`.trim();
    case 'run.recovered':
      return recoveryLine(event.recovery);
    case 'run.planned': {
      const p = event.plan;
      if (event.candidates === 0) return NOTHING_TO_BACKFILL;
      return (
        `plan: ${event.candidates} repositor${event.candidates === 1 ? 'y' : 'ies'} to work on, ` +
        `pages of ${p.pageSize}${p.windowsPerRequest > 1 ? `×${p.windowsPerRequest}` : ''} PRs, up to ${formatCount(p.pagesPlanned)} pages ` +
        `(${p.pointsPerPage} points each, ${formatCount(p.remaining)} points left until ${p.resetAt}), ` +
        `${p.concurrency} at once`
      );
    }
    case 'repository.waiting':
      return `${event.repository}: ${event.detail} (${formatDuration(event.waitMs)})`;
    case 'health':
      return event.status === 'ok' ? null : `health ${event.check}: ${event.status}: ${event.reason}`;
    case 'error': {
      const e = event.entry;
      return `${e.severity === 'critical' ? 'error' : 'warning'}${e.repository ? ` ${e.repository}` : ''}: ${e.kind}: ${e.message}`;
    }
    case 'repository.finished': {
      const r = event.report;
      return (
        `${r.fullName}: ${r.outcome}, ${formatCount(r.prsWritten)} PRs written, ${formatCount(r.pointsSpent)} points, ` +
        `${formatPercent(r.completenessAfter)} stored (${formatCount(r.storedAfter)}/${formatCount(r.prTotalCount)}) ` +
        `in ${formatDuration(event.durationMs)}${r.detail ? ` (${r.detail})` : ''}`
      );
    }
    default:
      return null;
  }
}

interface RepositoryProgress {
  startedAt: number;
  storedAtStart: number;
  lastLineAt: number;
  lastStep: number;
}

/** A log line per page would flood CI logs on a 200,000-PR repository: one per 10% step or 15 seconds instead. */
const LINE_STEP = 0.1;
const LINE_INTERVAL_MS = 15_000;

function lineRenderer(ctx: CliContext): Renderer {
  const progress = new Map<string, RepositoryProgress>();
  return {
    onEvent(event) {
      if (event.type === 'repository.started') {
        const now = Date.now();
        progress.set(event.repository, {
          startedAt: now,
          storedAtStart: event.stored,
          lastLineAt: 0,
          lastStep: -1,
        });
        ctx.err(
          `${event.repository}: starting at ${formatPercent(event.completeness)} ` +
            `(${formatCount(event.stored)}/${formatCount(event.total)} stored)`,
        );
        return;
      }
      if (event.type === 'page.committed') {
        const state = progress.get(event.repository);
        const now = Date.now();
        const ratio = event.total ? Math.min(1, event.stored / event.total) : null;
        const step = ratio === null ? 0 : Math.floor(ratio / LINE_STEP);
        if (
          state &&
          state.lastLineAt > 0 &&
          step === state.lastStep &&
          now - state.lastLineAt < LINE_INTERVAL_MS
        )
          return;
        if (state) {
          state.lastLineAt = now;
          state.lastStep = step;
        }
        ctx.err(
          `${event.repository}: ${formatPercent(ratio)} (${formatCount(event.stored)}/${formatCount(event.total)}), ` +
            `+${event.prs} PRs in ${formatDuration(event.durationMs)}, ${formatCount(event.remaining)} points left` +
            (state ? `, ETA ${formatDuration(eta(state, event.stored, event.total, now))}` : ''),
        );
        return;
      }
      const line = eventLine(event);
      if (line) ctx.err(line);
    },
    stop() {},
  };
}

function eta(state: RepositoryProgress, stored: number, total: number | null, now: number): number | null {
  const done = stored - state.storedAtStart;
  const elapsed = now - state.startedAt;
  if (total === null || done <= 0 || elapsed <= 0) return null;
  return (Math.max(0, total - stored) / done) * elapsed;
}

function barRenderer(ctx: CliContext): Renderer {
  const multibar = new cliProgress.MultiBar(
    {
      format: ' {repository} |{bar}| {percentage}% | {value}/{total} PRs | ETA {eta_formatted}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  let stopped = false;
  // bars line up while names are up to this long; longer ones push only their own bar right
  const label = (name: string) => name.padEnd(28);
  const log = (line: string) => multibar.log(`${ctx.redact(line)}\n`);
  return {
    onEvent(event) {
      if (stopped) return;
      if (event.type === 'repository.started') {
        const total = Math.max(event.total ?? 0, event.stored, 1);
        bars.set(
          event.repository,
          multibar.create(total, event.stored, { repository: label(event.repository) }),
        );
        return;
      }
      if (event.type === 'page.committed') {
        const bar = bars.get(event.repository);
        if (!bar) return;
        bar.setTotal(Math.max(event.total ?? 0, event.stored, 1));
        bar.update(event.stored);
        return;
      }
      if (event.type === 'repository.finished') {
        const bar = bars.get(event.report.fullName);
        bar?.update(event.report.storedAfter);
        bar?.stop();
      }
      if (
        event.type === 'run.planned' ||
        event.type === 'run.recovered' ||
        event.type === 'error' ||
        event.type === 'health'
      ) {
        const line = eventLine(event);
        if (line) log(line);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar.stop();
    },
  };
}

/** After the run: the report table and one summary line, or the summary as JSON. */
export function printSummary(summary: RunSummary, mode: RenderMode, ctx: CliContext): void {
  if (mode === 'json') {
    ctx.out(JSON.stringify(summary, null, 2));
    return;
  }
  if (summary.repositories.length > 0) {
    ctx.out(textTable(REPORT_HEADERS, summary.repositories.map(repositoryReportRow)));
  }
  if (summary.candidates === 0 && summary.outcome !== 'failed') {
    ctx.out(`${NOTHING_TO_BACKFILL} (name one with --repo owner/name to backfill it anyway).`);
  }
  const recovery = recoveryLine(summary.recovery);
  if (recovery) ctx.out(recovery);
  ctx.out(summaryLine(summary));
  for (const hint of hints(summary)) ctx.err(hint);
}

function hints(summary: RunSummary): string[] {
  const out: string[] = [];
  const kinds = new Set(summary.errors.critical.map((e) => e.kind));
  if (kinds.has('auth')) {
    out.push(
      'GitHub rejected the token: check that GITHUB_TOKEN (or GH_TOKEN) is set to a valid, unexpired token ' +
        '(`gh auth token` prints yours) and that --github-api-url points at the right GitHub.',
    );
  }
  if (kinds.has('permission')) {
    out.push(
      'The token cannot read pull requests of some repositories: give it "Pull requests: read" ' +
        '(fine-grained token) or the `repo` scope (classic token), and SSO authorisation for the organisation.',
    );
  }
  if (kinds.has('not_found')) {
    out.push('Some repositories were not found: check the spelling, or that the token can see private ones.');
  }
  if (summary.outcome === 'interrupted' && summary.stopReason && summary.stopReason !== SIGNAL_STOP_REASON) {
    out.push(`Stopped early (${summary.stopReason}); progress is saved, run again to continue.`);
  }
  if (summary.outcome === 'interrupted' && summary.stopReason === SIGNAL_STOP_REASON) {
    out.push('Interrupted: the page in flight was saved and the leases released; run again to continue.');
  }
  return out;
}
