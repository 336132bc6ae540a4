import { expect, test } from 'vitest';
import { type RunEnd, type RunFacts, runOutcome } from '../../src/engine/run-outcome.ts';

/** A run that did everything it set out to do, without errors; each case changes what it names. */
const clean: RunFacts = {
  runFailed: false,
  criticalKinds: [],
  queueLeft: 0,
  repositoryOutcomes: ['completed', 'skipped', 'refreshed'],
  stopReason: null,
};

test.each<[string, Partial<RunFacts>, RunEnd]>([
  ['everything done, nothing wrong: completed', {}, { outcome: 'completed', stopReason: null }],
  ['nothing to do: completed', { repositoryOutcomes: [] }, { outcome: 'completed', stopReason: null }],
  ['a dry run: completed', { repositoryOutcomes: ['dry_run'] }, { outcome: 'completed', stopReason: null }],
  [
    'a stop reason with nothing left undone is not reported: completed',
    { stopReason: 'time budget spent' },
    { outcome: 'completed', stopReason: null },
  ],
  [
    'the time budget ran out mid-repository: interrupted',
    { repositoryOutcomes: ['completed', 'in_progress'], stopReason: 'time budget spent' },
    { outcome: 'interrupted', stopReason: 'time budget spent' },
  ],
  [
    'a stop signal before every candidate started: interrupted',
    { queueLeft: 2, stopReason: 'stop signal received' },
    { outcome: 'interrupted', stopReason: 'stop signal received' },
  ],
  [
    'a repository paused by a rate limit that stopped the run: interrupted',
    { repositoryOutcomes: ['paused'], stopReason: 'primary rate limit reached' },
    { outcome: 'interrupted', stopReason: 'primary rate limit reached' },
  ],
  [
    'a repository paused by its breaker, the run not stopped: partial',
    { repositoryOutcomes: ['completed', 'paused'] },
    { outcome: 'partial', stopReason: null },
  ],
  [
    'a chunk waiting on a retry backoff past the run: partial',
    { repositoryOutcomes: ['in_progress'] },
    { outcome: 'partial', stopReason: null },
  ],
  [
    'a repository failed, the others done: partial',
    { repositoryOutcomes: ['completed', 'failed'], criticalKinds: ['not_found'] },
    { outcome: 'partial', stopReason: null },
  ],
  [
    'a bad token: failed, whatever else happened',
    { criticalKinds: ['auth'], repositoryOutcomes: ['in_progress'], stopReason: 'bad credentials' },
    { outcome: 'failed', stopReason: 'bad credentials' },
  ],
  [
    'a failure outside any repository: failed',
    { runFailed: true, criticalKinds: ['internal'] },
    { outcome: 'failed', stopReason: null },
  ],
])('%s', (_name, change, end) => {
  expect(runOutcome({ ...clean, ...change })).toEqual(end);
});
