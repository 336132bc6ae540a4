import { describe, expect, test } from 'vitest';
import { InvalidRepositorySpecError } from '../../src/domain/repository-spec.ts';
import { ConfigError } from '../../src/engine/options.ts';
import type { ErrorEntry, RunSummary } from '../../src/engine/types.ts';
import { GitHubError } from '../../src/github/types.ts';
import { ExitCode, exitCodeFor, SIGNAL_STOP_REASON } from '../../src/shared-entry/exit-codes.ts';
import { StoreError } from '../../src/store/types.ts';

function summary(
  outcome: RunSummary['outcome'],
  critical: ErrorEntry['kind'][] = [],
  stopReason: string | null = null,
) {
  const entries = critical.map((kind) => ({
    severity: 'critical' as const,
    repository: 'a/b',
    kind,
    message: kind,
    at: '',
  }));
  return {
    runId: 1,
    outcome,
    dryRun: false,
    plan: null,
    prsWritten: 0,
    pointsSpent: 0,
    repositories: [],
    errors: { totalErrors: entries.length, critical: entries, warnings: [], byRepository: {} },
    startedAt: '',
    durationMs: 0,
    stopReason,
  } satisfies RunSummary;
}

describe('exit codes', () => {
  test.each([
    ['a completed run', summary('completed'), ExitCode.Ok],
    ['a run stopped by its time budget', summary('interrupted', [], 'time budget spent'), ExitCode.Ok],
    ['a run stopped by a signal', summary('interrupted', [], SIGNAL_STOP_REASON), ExitCode.Interrupted],
    ['a run failed on a bad token', summary('failed', ['auth']), ExitCode.Auth],
    ['a run whose only critical errors are permissions', summary('partial', ['permission']), ExitCode.Auth],
    ['a run with a repository not found', summary('partial', ['not_found', 'permission']), ExitCode.Partial],
    ['a run that failed otherwise', summary('failed', ['internal']), ExitCode.Unexpected],
    ['a config error', new ConfigError('chunk-size', 'bad'), ExitCode.BadInput],
    ['an invalid repository', new InvalidRepositorySpecError('bad'), ExitCode.BadInput],
    ['a missing schema', new StoreError('schema_missing', 'run migrate'), ExitCode.Database],
    ['an unreachable database', new StoreError('connection', 'refused'), ExitCode.Database],
    ['an invalid database URL', new StoreError('invalid_input', 'bad url'), ExitCode.BadInput],
    ['a rejected token', new GitHubError('auth', 'Bad credentials'), ExitCode.Auth],
    ['anything else', new TypeError('x is undefined'), ExitCode.Unexpected],
  ])('%s', (_name, input, code) => {
    expect(exitCodeFor(input)).toBe(code);
  });
});
