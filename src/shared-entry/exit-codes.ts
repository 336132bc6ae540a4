/**
 * Process exit codes shared by the CLI and documented in the README, so scripts can tell a typo from a revoked
 * token from a database that needs `migrate`.
 */
import { InvalidRepositorySpecError } from '../domain/repository-spec.ts';
import { ConfigError } from '../engine/options.ts';
import type { ErrorEntry, RunSummary } from '../engine/types.ts';
import { GitHubError } from '../github/types.ts';
import { StoreError } from '../store/types.ts';

export const ExitCode = {
  /** done; also a run that stopped at its time budget or rate-limit reserve with progress saved */
  Ok: 0,
  /** a bug or an error nobody anticipated */
  Unexpected: 1,
  /** an invalid flag, input or setting */
  BadInput: 2,
  /** GitHub rejected the token, or it lacks access */
  Auth: 3,
  /** the run finished but some repositories had critical errors (not found, failed) */
  Partial: 4,
  /** the database cannot be reached, or its schema is missing or behind: run `migrate` */
  Database: 5,
  /** some repositories were left alone because another worker's lease holds them (the report says by whom, until when) */
  Locked: 6,
  /** stopped by SIGINT/SIGTERM; leases were released and the run recorded as interrupted */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What the engine sets as `stopReason` when its abort signal fired. */
export const SIGNAL_STOP_REASON = 'stop signal received';

const AUTH_KINDS = new Set<ErrorEntry['kind']>(['auth', 'permission']);

function isRunSummary(value: unknown): value is RunSummary {
  return typeof value === 'object' && value !== null && 'outcome' in value && 'errors' in value;
}

function exitCodeForSummary(summary: RunSummary): ExitCodeValue {
  const critical = summary.errors.critical;
  if (summary.outcome === 'interrupted' && summary.stopReason === SIGNAL_STOP_REASON)
    return ExitCode.Interrupted;
  if (summary.outcome === 'failed' || summary.outcome === 'partial') {
    if (critical.some((e) => e.kind === 'auth')) return ExitCode.Auth;
    if (critical.length > 0 && critical.every((e) => AUTH_KINDS.has(e.kind))) return ExitCode.Auth;
    if (summary.outcome === 'failed') return ExitCode.Unexpected;
    if (critical.length === 0 && summary.repositories.some((r) => r.outcome === 'locked'))
      return ExitCode.Locked;
    return ExitCode.Partial;
  }
  return critical.length > 0 ? ExitCode.Partial : ExitCode.Ok;
}

function exitCodeForError(error: unknown): ExitCodeValue {
  if (error instanceof ConfigError || error instanceof InvalidRepositorySpecError) return ExitCode.BadInput;
  if (error instanceof StoreError) {
    return error.code === 'invalid_input' ? ExitCode.BadInput : ExitCode.Database;
  }
  if (error instanceof GitHubError) {
    if (error.kind === 'auth' || error.kind === 'permission') return ExitCode.Auth;
    return ExitCode.Unexpected;
  }
  if (error instanceof Error && error.name === 'AbortError') return ExitCode.Interrupted;
  return ExitCode.Unexpected;
}

/** The exit code for a finished run's summary or for an error thrown before or around it. */
export function exitCodeFor(errorOrSummary: unknown): ExitCodeValue {
  return isRunSummary(errorOrSummary) ? exitCodeForSummary(errorOrSummary) : exitCodeForError(errorOrSummary);
}
