/**
 * What a finished run leaves behind in the workflow: step outputs, annotations and the job summary. Pure functions
 * of the (already redacted) run summary, so main.ts only hands their results to @actions/core.
 */
import { redactJson } from '../domain/redact.ts';
import type { ErrorEntry, ErrorSummary, RepositoryReport, RunSummary } from '../engine/types.ts';
import {
  formatCount,
  formatDuration,
  formatPercent,
  NOTHING_TO_BACKFILL,
  recoveryLine,
  summaryLine,
} from '../shared-entry/format.ts';

/** GitHub shows at most 10 annotations of each kind per step; the rest would be dropped silently. */
export const MAX_ANNOTATIONS = 10;
const MAX_TABLE_ROWS = 100;
const MAX_CHART_BARS = 30;
const MAX_LISTED_ERRORS = 25;
const MAX_MESSAGE = 300;
/** The job summary limit is 1 MiB per step; stay far below it whatever the run produced. */
const MAX_SUMMARY_CHARS = 200_000;
/** error-summary output: enough to act on, small enough for downstream `fromJSON` and the 1 MiB output limit */
const MAX_OUTPUT_ERRORS = 50;

/** The summary with every text field scrubbed, so no later rendering can leak a secret. */
export function redactSummary(summary: RunSummary, secrets: readonly string[]): RunSummary {
  return redactJson(summary, secrets);
}

function clip(text: string, max = MAX_MESSAGE): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export interface ActionOutputs {
  'prs-processed': string;
  'repositories-processed': string;
  'points-spent': string;
  'error-count': string;
  'has-critical-errors': string;
  'error-summary': string;
}

/** Repositories the run planned or worked on: not those skipped by the threshold or missing on GitHub. */
export function repositoriesProcessed(summary: RunSummary): number {
  // A repository missing on GitHub is reported as failed without an id; a dry run's untracked ones have none yet.
  return summary.repositories.filter(
    (r) => r.outcome === 'dry_run' || (r.outcome !== 'skipped' && r.repositoryId !== null),
  ).length;
}

function cappedErrors(errors: ErrorSummary): ErrorSummary & { truncated?: true } {
  const cap = (list: ErrorEntry[]) =>
    list.slice(0, MAX_OUTPUT_ERRORS).map((e) => ({ ...e, message: clip(e.message, 500) }));
  const truncated = errors.critical.length > MAX_OUTPUT_ERRORS || errors.warnings.length > MAX_OUTPUT_ERRORS;
  return {
    totalErrors: errors.totalErrors,
    critical: cap(errors.critical),
    warnings: cap(errors.warnings),
    byRepository: errors.byRepository,
    ...(truncated ? { truncated: true as const } : {}),
  };
}

export function actionOutputs(summary: RunSummary): ActionOutputs {
  return {
    'prs-processed': String(summary.prsWritten),
    'repositories-processed': String(repositoriesProcessed(summary)),
    'points-spent': String(summary.pointsSpent),
    'error-count': String(summary.errors.totalErrors),
    'has-critical-errors': String(summary.errors.critical.length > 0),
    'error-summary': JSON.stringify(cappedErrors(summary.errors)),
  };
}

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
}

/** Critical errors as error annotations and warnings as warning annotations, each kind capped at GitHub's 10. */
export function annotations(summary: RunSummary): Annotation[] {
  const of = (level: Annotation['level'], list: ErrorEntry[]): Annotation[] => {
    const shown = list.length > MAX_ANNOTATIONS ? list.slice(0, MAX_ANNOTATIONS - 1) : list;
    const out = shown.map((e) => ({
      level,
      title: `progressive-backfill: ${e.repository ?? 'run'} (${e.kind})`,
      message: clip(e.message, 1000),
    }));
    if (shown.length < list.length) {
      out.push({
        level,
        title: 'progressive-backfill',
        message: `${list.length - shown.length} more ${level === 'error' ? 'critical errors' : 'warnings'}: see the job summary and the error-summary output`,
      });
    }
    return out;
  };
  return [...of('error', summary.errors.critical), ...of('warning', summary.errors.warnings)];
}

/** Text safe inside a markdown table cell and inline HTML. */
function cell(text: string): string {
  return clip(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

const OUTCOME_LABEL: Record<RepositoryReport['outcome'], string> = {
  completed: '✅ completed',
  in_progress: '🔄 in progress',
  paused: '⏸️ paused',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  locked: '🔒 locked',
  dry_run: '📝 dry run',
  refreshed: '🔁 refreshed',
};

function repositoryTable(repositories: RepositoryReport[]): string[] {
  const lines = [
    '| Repository | Completeness | Stored / on GitHub | PRs written | Points | Status |',
    '| --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const r of repositories.slice(0, MAX_TABLE_ROWS)) {
    const status = r.detail ? `${OUTCOME_LABEL[r.outcome]}: ${r.detail}` : OUTCOME_LABEL[r.outcome];
    lines.push(
      `| ${cell(r.fullName)} | ${formatPercent(r.completenessBefore)} → ${formatPercent(r.completenessAfter)} | ` +
        `${formatCount(r.storedAfter)} / ${formatCount(r.prTotalCount)} | ${formatCount(r.prsWritten)} | ` +
        `${formatCount(r.pointsSpent)} | ${cell(status)} |`,
    );
  }
  if (repositories.length > MAX_TABLE_ROWS) {
    lines.push('', `…and ${repositories.length - MAX_TABLE_ROWS} more repositories (not shown).`);
  }
  return lines;
}

/** A mermaid bar chart of completeness after the run; the rows with the least progress come first. */
function completenessChart(repositories: RepositoryReport[]): string[] {
  const known = repositories
    .filter((r) => r.completenessAfter !== null)
    .sort((a, b) => a.completenessAfter! - b.completenessAfter! || a.fullName.localeCompare(b.fullName))
    .slice(0, MAX_CHART_BARS);
  if (known.length === 0) return [];
  // mermaid labels are double-quoted strings; repository names cannot hold quotes, but be safe anyway
  const label = (name: string) => `"${name.replace(/["\\]/g, '')}"`;
  const pct = (ratio: number | null) => (Math.floor((ratio ?? 0) * 1000) / 10).toFixed(1);
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Completeness after this run (%)"',
    `  x-axis [${known.map((r) => label(r.fullName)).join(', ')}]`,
    '  y-axis "Stored pull requests (%)" 0 --> 100',
    `  bar [${known.map((r) => pct(r.completenessAfter)).join(', ')}]`,
    `  line [${known.map((r) => pct(r.completenessBefore)).join(', ')}]`,
    '```',
    '',
    '<sub>Bars: after this run. Line: before it.</sub>',
  ];
}

function errorList(title: string, list: ErrorEntry[]): string[] {
  if (list.length === 0) return [];
  const items = list
    .slice(0, MAX_LISTED_ERRORS)
    .map((e) => `<li><code>${cell(e.kind)}</code> ${cell(e.repository ?? 'run')}: ${cell(e.message)}</li>`);
  if (list.length > MAX_LISTED_ERRORS) items.push(`<li>…and ${list.length - MAX_LISTED_ERRORS} more</li>`);
  return [
    `<details${title.startsWith('Critical') ? ' open' : ''}><summary>${title} (${list.length})</summary>`,
    '',
    `<ul>${items.join('')}</ul>`,
    '</details>',
    '',
  ];
}

export interface SummaryContext {
  runUrl: string | null;
  eventName: string;
}

export function jobSummaryMarkdown(summary: RunSummary, context: SummaryContext): string {
  const plan = summary.plan;
  const lines = [
    `## Progressive backfill: ${summary.dryRun ? 'dry run ' : ''}${summary.outcome}`,
    '',
    `${summaryLine(summary)}${context.eventName ? ` · triggered by \`${cell(context.eventName)}\`` : ''}`,
    '',
  ];
  if (plan) {
    lines.push(
      `Plan: pages of ${plan.pageSize} pull requests at ${plan.pointsPerPage} points, ` +
        `${formatCount(plan.pagesPlanned)} pages planned; ${formatCount(plan.remaining)} points were left ` +
        `(${formatCount(plan.reserve)} kept in reserve, reset at ${plan.resetAt}).`,
      '',
    );
  }
  const locked = summary.repositories.filter((r) => r.outcome === 'locked');
  if (summary.outcome === 'partial' && summary.errors.critical.length > 0) {
    lines.push(
      '> [!WARNING]',
      '> Some repositories had critical errors (see below); the others were backfilled. The step stays green and sets `has-critical-errors` to `true`.',
      '',
    );
  }
  if (locked.length > 0) {
    lines.push(
      '> [!NOTE]',
      `> ${locked.length === 1 ? 'One repository is' : `${locked.length} repositories are`} held by another worker's lease, ` +
        `so this run left ${locked.length === 1 ? 'it' : 'them'} alone: ` +
        `${locked.map((r) => cell(`${r.fullName} ${r.detail ?? ''}`.trim())).join('; ')}. A later run continues ${locked.length === 1 ? 'it' : 'them'}.`,
      '',
    );
  }
  if (summary.outcome === 'interrupted' && summary.stopReason) {
    lines.push(
      `Stopped early (${cell(summary.stopReason)}); progress is saved and the next run continues.`,
      '',
    );
  }
  const recovery = recoveryLine(summary.recovery);
  if (recovery) lines.push(`${recovery}.`, '');
  const idle = summary.candidates === 0 && summary.outcome !== 'failed';
  if (idle) lines.push(`${NOTHING_TO_BACKFILL}.`, '');
  if (summary.repositories.length > 0) {
    lines.push('### Repositories', '', ...repositoryTable(summary.repositories), '');
    const chart = completenessChart(summary.repositories);
    if (chart.length > 0) lines.push('### Progress', '', ...chart, '');
  } else if (!idle) {
    lines.push('No repositories matched.', '');
  }
  lines.push(
    ...errorList('Critical errors', summary.errors.critical),
    ...errorList('Warnings', summary.errors.warnings),
  );
  lines.push(
    `<sub>Duration ${formatDuration(summary.durationMs)}${context.runUrl ? ` · [this run](${context.runUrl})` : ''}</sub>`,
    '',
  );
  const markdown = lines.join('\n');
  return markdown.length > MAX_SUMMARY_CHARS
    ? `${markdown.slice(0, MAX_SUMMARY_CHARS)}\n\n…(summary truncated)\n`
    : markdown;
}
