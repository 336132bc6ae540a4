/** Small text formatters shared by the CLI and the action's logs and job summary. */
import { describeScope, isWholeRepository } from '../domain/scope.ts';
import type { RepositoryReport, RunSummary } from '../engine/types.ts';
import type { LeaseRow, ProgressRow, RecoverResult, RepositoryRow } from '../store/types.ts';

/** `0.4567` → `45.7%`; null (unknown total) → `–`. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  const pct = ratio * 100;
  // 99.96% must not round up to a completed-looking 100.0%
  const shown = pct < 100 && pct >= 99.95 ? 99.9 : pct;
  return `${shown.toFixed(1)}%`;
}

/** Milliseconds as `850ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 04h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  if (total < 86_400) return `${Math.floor(total / 3600)}h ${pad(Math.floor((total % 3600) / 60))}m`;
  return `${Math.floor(total / 86_400)}d ${pad(Math.floor((total % 86_400) / 3600))}h`;
}

/** 1234567 → `1,234,567` (fixed locale, so logs and tests read the same everywhere). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export const REPORT_HEADERS = [
  'Repository',
  'Outcome',
  'Stored',
  'GitHub total',
  'Before',
  'After',
  'PRs written',
  'Points',
  'Detail',
];

export function repositoryReportRow(report: RepositoryReport): string[] {
  return [
    report.fullName,
    report.outcome,
    formatCount(report.storedAfter),
    formatCount(report.prTotalCount),
    formatPercent(report.completenessBefore),
    formatPercent(report.completenessAfter),
    formatCount(report.prsWritten),
    formatCount(report.pointsSpent),
    report.detail ?? '',
  ];
}

export const PROGRESS_HEADERS = [
  'Repository',
  'Status',
  'Stored',
  'GitHub total',
  'Progress',
  'PRs/hour',
  'ETA',
  'Note',
];

/** What `status` knows besides the progress rows: the running leases and the threshold runs select by. */
export interface StatusContext {
  leases: LeaseRow[];
  threshold: number;
}

/** Why a repository is where it is, in one line an operator can act on. */
export function statusNote(row: ProgressRow, context: StatusContext): string {
  const name = row.fullName;
  const lease = context.leases.find((l) => l.repositoryId === row.repositoryId);
  switch (row.backfillStatus) {
    case 'paused': {
      const until =
        row.pausedUntil === null || row.pausedUntil === 'infinity'
          ? 'until resumed'
          : `until ${row.pausedUntil}`;
      return `paused ${until}: ${row.pauseReason ?? '?'} (\`resume ${name}\` resumes it now)`;
    }
    case 'failed':
    case 'stalled':
    case 'cancelled': {
      const chunk = row.problemChunk;
      const where = chunk
        ? `chunk ${chunk.chunkNumber} ${chunk.status} after ${chunk.requeues} requeue(s), ${chunk.failures} failure(s): `
        : '';
      const retry =
        chunk?.id !== undefined && row.backfillStatus !== 'cancelled'
          ? `\`retry ${name}\` or \`retry --chunk ${chunk.id}\``
          : `\`retry ${name}\``;
      return `${where}${row.lastError ?? row.backfillStatus} (${retry} puts it back to work)`;
    }
    case 'active':
      if (lease) {
        const alive =
          lease.holderAlive === true
            ? 'alive'
            : lease.holderAlive === false
              ? 'gone: the next run takes over'
              : 'liveness unknown';
        return `locked by ${lease.leaseOwner} until ${lease.leaseExpiresAt} (chunk ${lease.chunkNumber}; worker ${alive})`;
      }
      return row.lastError
        ? `in progress; last error: ${row.lastError}`
        : 'in progress: the next run continues it';
    default: {
      const threshold = formatPercent(context.threshold);
      if (row.prTotalCount === null) return 'GitHub total unknown: the next run looks it up';
      const ratio = row.prTotalCount > 0 ? row.storedPrCount / row.prTotalCount : 1;
      return ratio < context.threshold
        ? `${formatPercent(ratio)} stored, below the ${threshold} threshold: the next run starts it`
        : `${formatPercent(ratio)} stored, at or above the ${threshold} threshold`;
    }
  }
}

/**
 * A repository `status` was asked about that is not tracked: what the database still knows of it (an untracked
 * repository keeps its rows and its backfill), and how to bring it in.
 */
export function untrackedNote(fullName: string, known: RepositoryRow | null): string {
  if (!known) {
    return (
      `${fullName} is not tracked, and nothing of it is stored: \`progressive-backfill track --repo ${fullName}\` ` +
      `tracks it, \`run --repo ${fullName}\` tracks and backfills it`
    );
  }
  const scope = isWholeRepository(known.scope) ? '' : `, scope ${describeScope(known.scope)}`;
  return (
    `${known.fullName} is not tracked (runs leave it alone): ${formatCount(known.storedPrCount)} pull requests ` +
    `stored of ${formatCount(known.prTotalCount)} on GitHub when last looked up, backfill ${known.backfillStatus}` +
    `${scope}; \`progressive-backfill track --repo ${known.fullName}\` brings it back where it was`
  );
}

export function progressRow(row: ProgressRow, context: StatusContext): string[] {
  const note = statusNote(row, context);
  return [
    row.fullName,
    row.backfillStatus,
    formatCount(row.storedPrCount),
    formatCount(row.prTotalCount),
    row.progressPct === null ? '–' : formatPercent(row.progressPct / 100),
    row.prsPerHour === null ? '–' : formatCount(row.prsPerHour),
    row.etaSeconds === null ? '–' : formatDuration(row.etaSeconds * 1000),
    note.length > 160 ? `${note.slice(0, 157)}...` : note,
  ];
}

const NUMERIC = /^[\d,.%–-]+$|^\d+(ms|s)$|^\d+[mhd] \d+[smh]$/;

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], header: boolean) =>
    cells
      .map((cell, i) => (!header && NUMERIC.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(headers, true),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(r, false)),
  ].join('\n');
}

/** The `status` table: one row per tracked repository. */
export function statusTable(rows: ProgressRow[], context: StatusContext): string {
  if (rows.length === 0)
    return 'No repositories are tracked yet: run `progressive-backfill track --repo owner/name`.';
  return textTable(
    PROGRESS_HEADERS,
    rows.map((row) => progressRow(row, context)),
  );
}

/** One line that says how a run ended, e.g. for the last line of a log. */
export function summaryLine(summary: RunSummary): string {
  const parts = [
    `${summary.dryRun ? 'dry run' : 'run'} ${summary.outcome}`,
    `${formatCount(summary.prsWritten)} pull requests written`,
    `${formatCount(summary.pointsSpent)} points`,
    formatDuration(summary.durationMs),
  ];
  if (summary.stopReason) parts.push(`stopped: ${summary.stopReason}`);
  const locked = summary.repositories.filter((r) => r.outcome === 'locked');
  if (locked.length > 0) {
    parts.push(
      `${locked.length} locked by another worker: ${locked.map((r) => `${r.fullName} ${r.detail ?? ''}`.trim()).join('; ')}`,
    );
  }
  const critical = summary.errors.critical.length;
  const warnings = summary.errors.warnings.length;
  if (critical + warnings > 0) parts.push(`${critical} critical error(s), ${warnings} warning(s)`);
  return parts.join(' · ');
}

/** Said whenever selection leaves nothing to work on, so an empty run never looks like a stuck one. */
export const NOTHING_TO_BACKFILL = 'No repositories need backfilling';

/** One line for logs and summaries, or null when recovery found nothing to do. */
export function recoveryLine(recovery: RecoverResult | undefined): string | null {
  if (!recovery) return null;
  const { requeued, stalled, runsInterrupted } = recovery;
  if (requeued + stalled + runsInterrupted === 0) return null;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    `Recovery: ${plural(requeued, 'chunk', 'chunks')} requeued, ${plural(stalled, 'chunk', 'chunks')} stalled, ` +
    `${plural(runsInterrupted, 'run', 'runs')} of vanished workers marked interrupted`
  );
}
