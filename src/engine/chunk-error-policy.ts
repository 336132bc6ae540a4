/**
 * What to do when a chunk fails: a pure function of what went wrong, so the whole policy reads as one table and is
 * tested as one. The repository worker turns the error into a `ChunkFailure`, asks here, and carries the decision
 * out (store calls, error records, halting the run).
 *
 * Two steps, because a chunk that may be retried asks the contract first (fail_chunk counts its failures and the
 * repository's consecutive errors): `onChunkError` decides on the error, `afterChunkFailed` on what the contract
 * answered.
 */
import type { GitHubErrorKind } from '../github/types.ts';
import type { StoreErrorCode } from '../store/types.ts';
import type { ErrorEntry } from './types.ts';

/** A chunk's failure, as plain data. */
export type ChunkFailure =
  | { source: 'stop' }
  | { source: 'budget'; message: string }
  | { source: 'store'; code: StoreErrorCode; message: string }
  | { source: 'github'; kind: GitHubErrorKind; message: string; resetAt?: string }
  | { source: 'internal'; message: string };

/** How a chunk ended, for the repository's loop. */
export type ChunkEnd = 'done' | 'allowance' | 'stopped' | 'budget' | 'paused' | 'failed' | 'retry' | 'lost';

/** What happens to the lease or the repository. */
export type ChunkAction =
  /** hand the chunk back untouched, for the next run */
  | { kind: 'release' }
  /** nothing: the lease was recovered and handed on, the new holder owns the cursor */
  | { kind: 'nothing' }
  | { kind: 'pause-repository'; reason: string; resumeAt: number }
  /** the repository cannot be backfilled (gone, or the token cannot see it) */
  | { kind: 'fail-repository'; reason: string };

/** The kind and message a failed chunk is recorded with. */
export type FailedWith = Pick<ErrorEntry, 'kind' | 'message'>;

/** An error to record: about the chunk (repository and chunk id), the repository only, or the whole run. */
export type ErrorRecord = Pick<ErrorEntry, 'severity' | 'kind' | 'message'> & {
  about: 'chunk' | 'repository' | 'run';
};

export type ChunkErrorDecision =
  | {
      action: ChunkAction;
      record: ErrorRecord | null;
      /** stop the whole run, for this reason */
      halt: string | null;
      end: ChunkEnd;
    }
  /**
   * count the failure in the contract, which queues the chunk again or gives up on it; the rest is decided by
   * `afterChunkFailed`, from the contract's answer
   */
  | { failChunk: { retryable: boolean; error: FailedWith } };

/** When GitHub names no reset time for a spent primary rate limit: its window is an hour. */
const RATE_LIMIT_WINDOW_MS = 3_600_000;

export function onChunkError(failure: ChunkFailure, now: number): ChunkErrorDecision {
  switch (failure.source) {
    case 'stop':
      return { action: { kind: 'release' }, record: null, halt: null, end: 'stopped' };
    case 'budget':
      return { action: { kind: 'release' }, record: null, halt: failure.message, end: 'budget' };
    case 'store': {
      const handedOn = failure.code === 'stale_lease' || failure.code === 'cursor_conflict';
      return handedOn
        ? {
            action: { kind: 'nothing' },
            record: { about: 'chunk', severity: 'warning', kind: 'store', message: failure.message },
            halt: null,
            end: 'lost',
          }
        : {
            action: { kind: 'release' },
            record: { about: 'chunk', severity: 'critical', kind: 'store', message: failure.message },
            halt: null,
            end: 'failed',
          };
    }
    case 'github':
      return onGitHubError(failure, now);
    case 'internal':
      return failChunk('internal', failure.message, true);
  }
}

function onGitHubError(
  failure: Extract<ChunkFailure, { source: 'github' }>,
  now: number,
): ChunkErrorDecision {
  const { kind, message } = failure;
  switch (kind) {
    case 'primary_rate_limit': {
      const reason = 'primary rate limit reached';
      const resumeAt = failure.resetAt ? Date.parse(failure.resetAt) : now + RATE_LIMIT_WINDOW_MS;
      return {
        action: { kind: 'pause-repository', reason, resumeAt },
        record: { about: 'chunk', severity: 'warning', kind, message },
        halt: reason,
        end: 'paused',
      };
    }
    case 'auth':
      // a bad token fails every repository alike: stop the run, and say so once, not per repository
      return {
        action: { kind: 'release' },
        record: { about: 'run', severity: 'critical', kind, message },
        halt: message,
        end: 'stopped',
      };
    case 'not_found':
    case 'permission':
      return {
        action: { kind: 'fail-repository', reason: message },
        record: { about: 'chunk', severity: 'critical', kind, message },
        halt: null,
        end: 'failed',
      };
    default:
      // a query GitHub rejects fails the same way every time: count it, never retry it
      return failChunk(kind, message, kind !== 'invalid');
  }
}

function failChunk(kind: ErrorRecord['kind'], message: string, retryable: boolean): ChunkErrorDecision {
  return { failChunk: { retryable, error: { kind, message } } };
}

/** What the contract's fail_chunk answered. */
export interface ChunkFailedAnswer {
  chunkStatus: string;
  consecutiveErrors: number;
  retryAt: string | null;
}

export interface BreakerSettings {
  breakerThreshold: number;
  breakerCooldownMs: number;
}

export interface AfterFailedDecision {
  end: 'failed' | 'paused' | 'retry';
  record: ErrorRecord;
  pause?: { reason: string; resumeAt: number };
  retryAt?: number;
}

export function afterChunkFailed(
  answer: ChunkFailedAnswer,
  error: FailedWith,
  breaker: BreakerSettings,
  now: number,
): AfterFailedDecision {
  const { kind, message } = error;
  if (answer.chunkStatus === 'failed') {
    return {
      end: 'failed',
      record: {
        about: 'chunk',
        severity: 'critical',
        kind,
        message: `gave up after repeated failures: ${message}`,
      },
    };
  }
  if (answer.consecutiveErrors >= breaker.breakerThreshold) {
    const resumeAt = now + breaker.breakerCooldownMs;
    const errors = answer.consecutiveErrors;
    return {
      end: 'paused',
      pause: { reason: `circuit breaker: ${errors} consecutive errors`, resumeAt },
      record: {
        about: 'repository',
        severity: 'warning',
        kind,
        message: `paused until ${new Date(resumeAt).toISOString()} after ${errors} consecutive errors: ${message}`,
      },
    };
  }
  return {
    end: 'retry',
    record: { about: 'chunk', severity: 'warning', kind, message: `chunk will be retried: ${message}` },
    ...(answer.retryAt ? { retryAt: Date.parse(answer.retryAt) } : {}),
  };
}
