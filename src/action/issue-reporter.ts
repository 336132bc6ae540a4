/**
 * Files a GitHub issue for each critical error of a run, one issue per repository and error kind, and closes those
 * issues once the repository backfills again.
 *
 * Issues are found again through a hidden marker in their body, by listing the open issues that carry the configured
 * labels: the search API lags behind writes by up to a minute, which would file duplicates on back-to-back runs.
 */
import { Octokit } from '@octokit/core';
import { redactSecrets } from '../domain/redact.ts';
import type { ErrorEntry, RunSummary } from '../engine/types.ts';
import {
  bodyWithOccurrences,
  type Fingerprint,
  fingerprintKey,
  fingerprintKeyInBody,
  fingerprintOf,
  issueBody,
  issueTitle,
  occurrenceComment,
  occurrencesInBody,
  parseFingerprintKey,
  recoveryComment,
} from './issue-body.ts';

/** The part of `octokit.request` the reporter uses; tests and other runtimes may pass their own. */
export type RestRequest = (
  route: string,
  parameters?: Record<string, unknown>,
) => Promise<{ status: number; data: unknown }>;

export interface ReporterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface IssueReporterOptions {
  /** required unless `request` is given */
  token?: string;
  apiUrl?: string;
  fetch?: typeof fetch;
  /** an Octokit-like `request`, used instead of building an Octokit from token/apiUrl/fetch */
  request?: RestRequest;
  /** where the issues are filed */
  repository: { owner: string; repo: string };
  labels: string[];
  runUrl?: string | null;
  /** spacing between content-creating requests: GitHub's secondary limits punish bursts of writes */
  minIntervalMs?: number;
  clock?: ReporterClock;
  /** values to redact from everything sent, in addition to the token and token-shaped text */
  secrets?: string[];
}

/** `report`: an unexpected error outside any one request */
export type ReportAction = 'list' | 'create' | 'comment' | 'update' | 'close' | 'report';

export interface ReportFailure {
  action: ReportAction;
  /** fingerprint key (`owner/name:kind`, `*:kind` for run-wide errors); null for the listing */
  fingerprint: string | null;
  issueNumber?: number;
  status?: number;
  message: string;
}

export interface ReportOutcome {
  created: number[];
  commented: number[];
  closed: number[];
  failures: ReportFailure[];
}

export interface IssueReporter {
  /** never throws: every failure is recorded in the outcome */
  report(summary: RunSummary): Promise<ReportOutcome>;
}

interface OpenIssue {
  number: number;
  body: string;
  fingerprint: Fingerprint;
  key: string;
}

interface ErrorGroup {
  fingerprint: Fingerprint;
  key: string;
  entries: ErrorEntry[];
}

const DEFAULT_API_URL = 'https://api.github.com';
const PER_PAGE = 100;
/** 5,000 open issues with our labels means something else is wrong; stop rather than page forever. */
const MAX_LIST_PAGES = 50;

const systemClock: ReporterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function restRequestFrom(options: IssueReporterOptions): RestRequest {
  if (options.request) return options.request;
  if (!options.token) throw new Error('createIssueReporter needs a token or a request function');
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'progressive-backfill',
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  return (route, parameters) => octokit.request(route, parameters);
}

function groupCriticalErrors(summary: RunSummary): Map<string, ErrorGroup> {
  const groups = new Map<string, ErrorGroup>();
  const ordered = [...summary.errors.critical].sort((a, b) => a.at.localeCompare(b.at));
  for (const entry of ordered) {
    const fingerprint = fingerprintOf(entry);
    const key = fingerprintKey(fingerprint);
    const group = groups.get(key) ?? { fingerprint, key, entries: [] };
    group.entries.push(entry);
    groups.set(key, group);
  }
  return groups;
}

/**
 * Repositories that show this run could backfill them: pages were committed, or the repository completed without a
 * critical error. Null stands for the run as a whole, which recovered when any repository committed pages.
 */
function recoveredScopes(summary: RunSummary, groups: Map<string, ErrorGroup>): Set<string | null> {
  const failing = new Set([...groups.values()].map((group) => group.fingerprint.repository));
  const recovered = new Set<string | null>();
  for (const report of summary.repositories) {
    const repository = report.fullName.toLowerCase();
    const completedCleanly = report.outcome === 'completed' && !failing.has(repository);
    if (report.prsWritten > 0 || completedCleanly) recovered.add(repository);
    if (report.prsWritten > 0) recovered.add(null);
  }
  return recovered;
}

function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createIssueReporter(options: IssueReporterOptions): IssueReporter {
  const request = restRequestFrom(options);
  const { owner, repo } = options.repository;
  const clock = options.clock ?? systemClock;
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const runUrl = options.runUrl ?? null;
  const secrets = [...(options.token ? [options.token] : []), ...(options.secrets ?? [])];
  const redact = (text: string) => redactSecrets(text, secrets);
  let lastWriteAt: number | null = null;

  /** Every write goes through here: it is spaced from the previous one and its text is redacted. */
  async function write(route: string, parameters: Record<string, unknown>): Promise<unknown> {
    if (lastWriteAt !== null) {
      const wait = lastWriteAt + minIntervalMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
    const redacted = { ...parameters };
    for (const field of ['title', 'body'] as const) {
      if (typeof redacted[field] === 'string') redacted[field] = redact(redacted[field]);
    }
    try {
      return (await request(route, { owner, repo, ...redacted })).data;
    } finally {
      lastWriteAt = clock.now();
    }
  }

  async function listOpenIssues(): Promise<OpenIssue[]> {
    const issues: OpenIssue[] = [];
    // Hand-paged: @octokit/plugin-paginate-rest is not a dependency, and page numbers are all this listing needs.
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const { data } = await request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        state: 'open',
        ...(options.labels.length > 0 ? { labels: options.labels.join(',') } : {}),
        per_page: PER_PAGE,
        page,
      });
      const items = Array.isArray(data)
        ? (data as { number: number; body?: string | null; pull_request?: unknown }[])
        : [];
      for (const item of items) {
        if (item.pull_request) continue; // this endpoint lists pull requests too
        const key = fingerprintKeyInBody(item.body);
        const fingerprint = key ? parseFingerprintKey(key) : null;
        if (key && fingerprint) issues.push({ number: item.number, body: item.body ?? '', fingerprint, key });
      }
      if (items.length < PER_PAGE) break;
    }
    return issues;
  }

  async function createIssue(group: ErrorGroup, outcome: ReportOutcome): Promise<void> {
    const created = (await write('POST /repos/{owner}/{repo}/issues', {
      title: issueTitle(group.fingerprint),
      body: issueBody({ fingerprint: group.fingerprint, entries: group.entries, runUrl }),
      labels: options.labels,
    })) as { number: number };
    outcome.created.push(created.number);
  }

  async function recordOccurrence(
    issue: OpenIssue,
    group: ErrorGroup,
    outcome: ReportOutcome,
  ): Promise<void> {
    const previous = occurrencesInBody(issue.body);
    const total = previous === null ? null : previous + group.entries.length;
    await write('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      issue_number: issue.number,
      body: occurrenceComment(group.entries, runUrl, total),
    });
    outcome.commented.push(issue.number);
    const body = total === null ? null : bodyWithOccurrences(issue.body, total, group.entries.at(-1)!.at);
    if (body === null) return; // the count table was edited away; the comment still records the occurrence
    try {
      await write('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { issue_number: issue.number, body });
    } catch (error) {
      outcome.failures.push(failure('update', group.key, error, issue.number));
    }
  }

  async function closeRecovered(issue: OpenIssue, outcome: ReportOutcome): Promise<void> {
    await write('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      issue_number: issue.number,
      body: recoveryComment(issue.fingerprint, runUrl),
    });
    await write('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'completed',
    });
    outcome.closed.push(issue.number);
  }

  function failure(
    action: ReportAction,
    key: string | null,
    error: unknown,
    issueNumber?: number,
  ): ReportFailure {
    const status = errorStatus(error);
    return {
      action,
      fingerprint: key,
      ...(issueNumber === undefined ? {} : { issueNumber }),
      ...(status === undefined ? {} : { status }),
      message: redact(errorMessage(error)),
    };
  }

  return {
    async report(summary) {
      const outcome: ReportOutcome = { created: [], commented: [], closed: [], failures: [] };
      try {
        const groups = groupCriticalErrors(summary);
        const recovered = recoveredScopes(summary, groups);
        if (groups.size === 0 && recovered.size === 0) return outcome;

        let open: OpenIssue[];
        try {
          open = await listOpenIssues();
        } catch (error) {
          // Without the list every new issue could be a duplicate: report nothing this time.
          outcome.failures.push(failure('list', null, error));
          return outcome;
        }
        const oldestByKey = new Map<string, OpenIssue>();
        for (const issue of [...open].sort((a, b) => a.number - b.number)) {
          if (!oldestByKey.has(issue.key)) oldestByKey.set(issue.key, issue);
        }

        for (const group of groups.values()) {
          const existing = oldestByKey.get(group.key);
          try {
            if (existing) await recordOccurrence(existing, group, outcome);
            else await createIssue(group, outcome);
          } catch (error) {
            outcome.failures.push(
              failure(existing ? 'comment' : 'create', group.key, error, existing?.number),
            );
          }
        }

        for (const issue of open) {
          if (groups.has(issue.key) || !recovered.has(issue.fingerprint.repository)) continue;
          try {
            await closeRecovered(issue, outcome);
          } catch (error) {
            outcome.failures.push(failure('close', issue.key, error, issue.number));
          }
        }
      } catch (error) {
        outcome.failures.push(failure('report', null, error));
      }
      return outcome;
    },
  };
}
