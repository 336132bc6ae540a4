/**
 * The text of the issues the reporter files: titles, bodies, comments, and the hidden marker that lets a later run
 * find the issue again. Pure functions; redaction happens where text leaves the process (the reporter).
 */
import type { ErrorEntry } from '../engine/types.ts';

export type ErrorKind = ErrorEntry['kind'];

/** The repository an issue is about (null: the whole run, e.g. a rejected token) and the kind of error. */
export interface Fingerprint {
  repository: string | null;
  kind: ErrorKind;
}

const RUN_WIDE = '*';
const MARKER_PREFIX = '<!-- progressive-backfill:fingerprint=';
const MARKER_PATTERN = /<!-- progressive-backfill:fingerprint=(\S+) -->/;
const OCCURRENCES_PATTERN = /^\| Occurrences \| (\d+) \|$/m;
const LAST_SEEN_PATTERN = /^\| Last seen \| .* \|$/m;
/** GitHub rejects bodies over 65,536 characters; a long upstream message is not worth more than this. */
const MAX_MESSAGE_CHARS = 2_000;
const MAX_LISTED_OCCURRENCES = 20;

const ADVICE: Record<ErrorKind, string> = {
  primary_rate_limit:
    'The token ran out of GraphQL points. Lower `max-chunks` or `chunk-size`, raise `reserve-points`, or schedule runs less often; the backfill resumes after the reset.',
  secondary_rate_limit:
    'GitHub throttled a burst of requests. Schedule runs less often or lower `chunk-size`; the backfill resumes by itself.',
  transient:
    'GitHub kept failing or timing out. This usually passes; if it persists, lower `chunk-size` or use `field-profile: core`.',
  auth: 'GitHub rejected the token (401). Renew the `github-token` input or the `BACKFILL_GITHUB_TOKEN` secret.',
  permission:
    "The token cannot read this repository. Give it read access to the repository's metadata and pull requests.",
  not_found:
    'The repository is gone, renamed or invisible to the token. Fix or remove it in the `repositories` input.',
  partial:
    'GitHub returned data with errors and the page was refused. Try `field-profile: core`; report it if it persists.',
  invalid:
    'GitHub rejected the query: a bug in progressive-backfill. Please report it with a link to this issue.',
  unknown: 'GitHub answered in an unexpected way. Check the run log for the full response.',
  store:
    'The database was unreachable or rejected a write. Check `database-url` / `supabase-url`, the service-role key, and that the migrations are applied.',
  health: 'A health check halted the backfill. The run log names the check and its reason.',
  internal: 'progressive-backfill failed internally. Please report it with the run log.',
  stalled:
    'A chunk of this backfill lost its lease too often (its workers kept dying or timing out) and recovery stopped it. Check that runs are not killed mid-page (job timeout above `time-budget`), then name the repository in `repositories` (or `run --repo`) to restart it.',
};

export function fingerprintOf(entry: Pick<ErrorEntry, 'repository' | 'kind'>): Fingerprint {
  // GitHub names are case-insensitive: `Octo/Repo` and `octo/repo` are one repository and one issue.
  return { repository: entry.repository ? entry.repository.toLowerCase() : null, kind: entry.kind };
}

export function fingerprintKey(fingerprint: Fingerprint): string {
  return `${fingerprint.repository ?? RUN_WIDE}:${fingerprint.kind}`;
}

export function parseFingerprintKey(key: string): Fingerprint | null {
  const separator = key.lastIndexOf(':');
  if (separator <= 0) return null;
  const repository = key.slice(0, separator);
  const kind = key.slice(separator + 1);
  if (!(kind in ADVICE)) return null;
  return { repository: repository === RUN_WIDE ? null : repository, kind: kind as ErrorKind };
}

/** The fingerprint key hidden in an issue body, or null for an issue this tool did not write. */
export function fingerprintKeyInBody(body: string | null | undefined): string | null {
  return body?.match(MARKER_PATTERN)?.[1] ?? null;
}

export function issueTitle(fingerprint: Fingerprint): string {
  return fingerprint.repository
    ? `Backfill failing for ${fingerprint.repository}: ${fingerprint.kind}`
    : `Backfill failing: ${fingerprint.kind}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A fence longer than any backtick run in the text, so a message cannot close its own code block. */
function fenced(text: string): string {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}\n${text}\n${fence}`;
}

function runLink(runUrl: string | null): string {
  return runUrl ? `[workflow run](${runUrl})` : 'not available';
}

function occurrenceList(entries: readonly ErrorEntry[]): string {
  const shown = entries.slice(0, MAX_LISTED_OCCURRENCES).map((entry) => {
    const chunk = entry.chunkId === undefined ? '' : ` (chunk ${entry.chunkId})`;
    const firstLine = truncate(entry.message.split('\n')[0] ?? '', 200).replaceAll('`', "'");
    return `- ${entry.at}${chunk}: \`${firstLine}\``;
  });
  const hidden = entries.length - shown.length;
  return hidden > 0 ? [...shown, `- … and ${hidden} more`].join('\n') : shown.join('\n');
}

export interface IssueContent {
  fingerprint: Fingerprint;
  /** this run's critical errors with this fingerprint, oldest first (at least one) */
  entries: readonly ErrorEntry[];
  runUrl: string | null;
}

export function issueBody({ fingerprint, entries, runUrl }: IssueContent): string {
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  const subject = fingerprint.repository ? `**${fingerprint.repository}**` : 'the whole run';
  const lines = [
    `${MARKER_PREFIX}${fingerprintKey(fingerprint)} -->`,
    `The progressive backfill hit a critical \`${fingerprint.kind}\` error for ${subject}.`,
    '',
    '| | |',
    '|---|---|',
    `| Repository | ${fingerprint.repository ? `\`${fingerprint.repository}\`` : 'all (run-wide)'} |`,
    `| Error kind | \`${fingerprint.kind}\` |`,
    `| Chunk | ${first.chunkId ?? 'none'} |`,
    `| Run | ${runLink(runUrl)} |`,
    `| First seen | ${first.at} |`,
    `| Last seen | ${last.at} |`,
    `| Occurrences | ${entries.length} |`,
    '',
    '**Error**',
    '',
    fenced(truncate(first.message, MAX_MESSAGE_CHARS)),
    '',
    `**What to do:** ${ADVICE[fingerprint.kind]}`,
  ];
  if (entries.length > 1) lines.push('', '**Occurrences in this run**', '', occurrenceList(entries));
  lines.push(
    '',
    '_This issue is updated on every failing run and closed when the repository backfills again._',
  );
  return lines.join('\n');
}

export function occurrenceComment(
  entries: readonly ErrorEntry[],
  runUrl: string | null,
  total: number | null,
): string {
  const count = entries.length === 1 ? 'Seen again' : `Seen ${entries.length} more times`;
  const totalText = total === null ? '' : ` (${total} occurrences in all)`;
  return [
    `${count} in ${runLink(runUrl)}${totalText}.`,
    '',
    occurrenceList(entries),
    '',
    '**Latest error**',
    '',
    fenced(truncate(entries[entries.length - 1]!.message, MAX_MESSAGE_CHARS)),
  ].join('\n');
}

export function recoveryComment(fingerprint: Fingerprint, runUrl: string | null): string {
  const subject = fingerprint.repository ? `\`${fingerprint.repository}\`` : 'The backfill';
  return `${subject} committed pages again in ${runLink(runUrl)}; closing. A new failure will open a new issue.`;
}

export function occurrencesInBody(body: string): number | null {
  const match = body.match(OCCURRENCES_PATTERN);
  return match ? Number(match[1]) : null;
}

/** The body with its occurrence count and last-seen time replaced; null when a human edited the table away. */
export function bodyWithOccurrences(body: string, occurrences: number, lastSeen: string): string | null {
  if (!OCCURRENCES_PATTERN.test(body)) return null;
  return body
    .replace(OCCURRENCES_PATTERN, `| Occurrences | ${occurrences} |`)
    .replace(LAST_SEEN_PATTERN, `| Last seen | ${lastSeen} |`);
}
