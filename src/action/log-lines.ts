/** The engine's events as one line of step log each; quiet events (healthy checks) give null. */
import { redactSecrets } from '../domain/redact.ts';
import type { EngineEvent } from '../engine/types.ts';
import {
  formatCount,
  formatDuration,
  formatPercent,
  NOTHING_TO_BACKFILL,
  recoveryLine,
  summaryLine,
} from '../shared-entry/format.ts';

function ofTotal(stored: number, total: number | null): string {
  return `${formatCount(stored)}/${formatCount(total)} (${formatPercent(total ? Math.min(1, stored / total) : null)})`;
}

/**
 * The line as it may be shown: `core.setSecret` masks only the values it was given, so shapes nobody configured (a
 * token GitHub echoed in an error) are redacted here, before the line reaches the log.
 */
export function logLine(event: EngineEvent, secrets: readonly string[]): string | null {
  const line = eventLine(event);
  return line === null ? null : redactSecrets(line, secrets);
}

function eventLine(event: EngineEvent): string | null {
  switch (event.type) {
    case 'run.started':
      return event.dryRun ? 'Dry run: planning only, nothing is written' : `Run ${event.runId} started`;
    case 'run.recovered':
      return recoveryLine(event.recovery);
    case 'run.planned': {
      const p = event.plan;
      if (event.candidates === 0) return NOTHING_TO_BACKFILL;
      return (
        `Plan: ${event.candidates} ${event.candidates === 1 ? 'repository' : 'repositories'} to work on; ` +
        `pages of ${p.pageSize} pull requests${p.windowsPerRequest > 1 ? `, up to ${p.windowsPerRequest} per request` : ''} ` +
        `(${p.pointsPerPage} points each), ${formatCount(p.pagesPlanned)} pages planned, ${p.concurrency} at once; ` +
        `${formatCount(p.remaining)} points left, ${formatCount(p.reserve)} kept in reserve, reset at ${p.resetAt}. ` +
        p.reason
      );
    }
    case 'repository.started':
      return `${event.repository}: starting at ${ofTotal(event.stored, event.total)}`;
    case 'page.committed':
      return (
        `${event.repository}: +${event.inserted} new of ${event.prs} fetched → ${ofTotal(event.stored, event.total)}` +
        ` · ${event.points} points, ${formatCount(event.remaining)} left · ${formatDuration(event.durationMs)}`
      );
    case 'follow-ups.committed':
      return (
        `${event.repository}: ${event.pages} follow-up pages of reviews and comments, ${formatCount(event.rows)} rows` +
        ` · ${formatCount(event.remaining)} queued · ${event.points} points`
      );
    case 'repository.finished': {
      const r = event.report;
      return (
        `${r.fullName}: ${r.outcome} · ${formatCount(r.prsWritten)} written in ${r.pages} pages · ` +
        `${formatPercent(r.completenessBefore)} → ${formatPercent(r.completenessAfter)}` +
        (r.detail ? ` · ${r.detail}` : '')
      );
    }
    case 'repository.waiting':
      return `${event.repository}: ${event.detail} (${formatDuration(event.waitMs)})`;
    case 'health':
      return event.status === 'ok' ? null : `Health check ${event.check}: ${event.status} (${event.reason})`;
    case 'error': {
      const e = event.entry;
      return `${e.severity === 'critical' ? 'Critical error' : 'Warning'} [${e.kind}] ${e.repository ?? 'run'}: ${e.message}`;
    }
    case 'run.finished':
      return summaryLine(event.summary);
  }
}
