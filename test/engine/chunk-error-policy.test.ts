import { describe, expect, test } from 'vitest';
import {
  afterChunkFailed,
  type ChunkErrorDecision,
  type ChunkFailure,
  type ErrorRecord,
  onChunkError,
} from '../../src/engine/chunk-error-policy.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
/** an error record about the chunk, unless it says otherwise */
const record = (
  severity: ErrorRecord['severity'],
  kind: ErrorRecord['kind'],
  message: string,
  about: ErrorRecord['about'] = 'chunk',
): ErrorRecord => ({ about, severity, kind, message });
const HOUR = 3_600_000;
const github = (
  kind: Extract<ChunkFailure, { source: 'github' }>['kind'],
  resetAt?: string,
): ChunkFailure => ({
  source: 'github',
  kind,
  message: `github said ${kind}`,
  ...(resetAt ? { resetAt } : {}),
});

describe('the chunk-error policy', () => {
  test.each<[string, ChunkFailure, ChunkErrorDecision]>([
    [
      'a stop request hands the chunk back',
      { source: 'stop' },
      { action: { kind: 'release' }, record: null, halt: null, end: 'stopped' },
    ],
    [
      'a spent budget hands the chunk back and stops the run',
      { source: 'budget', message: 'rate-limit reserve reached' },
      { action: { kind: 'release' }, record: null, halt: 'rate-limit reserve reached', end: 'budget' },
    ],
    [
      'a stale lease: the chunk went to another worker, nothing to undo',
      { source: 'store', code: 'stale_lease', message: 'lease lost' },
      {
        action: { kind: 'nothing' },
        record: record('warning', 'store', 'lease lost'),
        halt: null,
        end: 'lost',
      },
    ],
    [
      'a cursor conflict is a stale lease too',
      { source: 'store', code: 'cursor_conflict', message: 'cursor moved' },
      {
        action: { kind: 'nothing' },
        record: record('warning', 'store', 'cursor moved'),
        halt: null,
        end: 'lost',
      },
    ],
    [
      'any other store error hands the chunk back and fails the repository’s turn',
      { source: 'store', code: 'connection', message: 'connection refused' },
      {
        action: { kind: 'release' },
        record: record('critical', 'store', 'connection refused'),
        halt: null,
        end: 'failed',
      },
    ],
    [
      'a primary rate limit pauses the repository until GitHub’s reset and stops the run',
      github('primary_rate_limit', '2026-01-01T00:20:00Z'),
      {
        action: {
          kind: 'pause-repository',
          reason: 'primary rate limit reached',
          resumeAt: Date.parse('2026-01-01T00:20:00Z'),
        },
        record: record('warning', 'primary_rate_limit', 'github said primary_rate_limit'),
        halt: 'primary rate limit reached',
        end: 'paused',
      },
    ],
    [
      'a primary rate limit without a reset time pauses for the hour GitHub’s window lasts',
      github('primary_rate_limit'),
      {
        action: { kind: 'pause-repository', reason: 'primary rate limit reached', resumeAt: NOW + HOUR },
        record: record('warning', 'primary_rate_limit', 'github said primary_rate_limit'),
        halt: 'primary rate limit reached',
        end: 'paused',
      },
    ],
    [
      'a rejected token stops the whole run, recorded once for the run',
      github('auth'),
      {
        action: { kind: 'release' },
        record: record('critical', 'auth', 'github said auth', 'run'),
        halt: 'github said auth',
        end: 'stopped',
      },
    ],
    [
      'a repository gone fails that repository alone',
      github('not_found'),
      {
        action: { kind: 'fail-repository', reason: 'github said not_found' },
        record: record('critical', 'not_found', 'github said not_found'),
        halt: null,
        end: 'failed',
      },
    ],
    [
      'a repository the token cannot read fails that repository alone',
      github('permission'),
      {
        action: { kind: 'fail-repository', reason: 'github said permission' },
        record: record('critical', 'permission', 'github said permission'),
        halt: null,
        end: 'failed',
      },
    ],
    [
      'a transient failure is counted and may be retried',
      github('transient'),
      { failChunk: { retryable: true, error: { kind: 'transient', message: 'github said transient' } } },
    ],
    [
      'a secondary rate limit is counted and may be retried',
      github('secondary_rate_limit'),
      {
        failChunk: {
          retryable: true,
          error: { kind: 'secondary_rate_limit', message: 'github said secondary_rate_limit' },
        },
      },
    ],
    [
      'a partial response is counted and may be retried',
      github('partial'),
      { failChunk: { retryable: true, error: { kind: 'partial', message: 'github said partial' } } },
    ],
    [
      'a query GitHub rejects is counted and never retried',
      github('invalid'),
      { failChunk: { retryable: false, error: { kind: 'invalid', message: 'github said invalid' } } },
    ],
    [
      'an unexpected error in our own code is counted and may be retried',
      { source: 'internal', message: 'boom' },
      { failChunk: { retryable: true, error: { kind: 'internal', message: 'boom' } } },
    ],
  ])('%s', (_name, failure, decision) => {
    expect(onChunkError(failure, NOW)).toEqual(decision);
  });
});

describe('after the contract counted the failure', () => {
  const breaker = { breakerThreshold: 5, breakerCooldownMs: 15 * 60_000 };
  const error = { kind: 'transient' as const, message: 'bad gateway' };

  test.each([
    [
      'the contract gave up on the chunk: the repository’s turn failed',
      { chunkStatus: 'failed', consecutiveErrors: 9, retryAt: null },
      {
        end: 'failed',
        record: record('critical', 'transient', 'gave up after repeated failures: bad gateway'),
      },
    ],
    [
      'as many consecutive errors as the breaker allows: the repository pauses for the cool-down',
      { chunkStatus: 'pending', consecutiveErrors: 5, retryAt: '2026-01-01T00:00:04Z' },
      {
        end: 'paused',
        pause: { reason: 'circuit breaker: 5 consecutive errors', resumeAt: NOW + 15 * 60_000 },
        record: record(
          'warning',
          'transient',
          'paused until 2026-01-01T00:15:00.000Z after 5 consecutive errors: bad gateway',
          'repository',
        ),
      },
    ],
    [
      'below the breaker: the chunk is retried when the contract says',
      { chunkStatus: 'pending', consecutiveErrors: 4, retryAt: '2026-01-01T00:00:04Z' },
      {
        end: 'retry',
        retryAt: NOW + 4_000,
        record: record('warning', 'transient', 'chunk will be retried: bad gateway'),
      },
    ],
    [
      'below the breaker without a retry time: retried, at no set time',
      { chunkStatus: 'pending', consecutiveErrors: 1, retryAt: null },
      {
        end: 'retry',
        record: record('warning', 'transient', 'chunk will be retried: bad gateway'),
      },
    ],
  ])('%s', (_name, answer, decision) => {
    expect(afterChunkFailed(answer, error, breaker, NOW)).toEqual(decision);
  });
});
