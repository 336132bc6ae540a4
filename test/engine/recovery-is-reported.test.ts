import { setupServer } from 'msw/node';
import { describe, expect, test } from 'vitest';
import { issueTitle } from '../../src/action/issue-body.ts';
import { createIssueReporter } from '../../src/action/issue-reporter.ts';
import { logLine } from '../../src/action/log-lines.ts';
import { jobSummaryMarkdown } from '../../src/action/report.ts';
import { DEFAULTS } from '../../src/engine/options.ts';
import type { EngineEvent, RunSummary } from '../../src/engine/types.ts';
import { FakeIssuesApi } from '../action/fake-issues-api.ts';
import { expireLease } from '../sql/fixtures.ts';
import { engineEnvironmentFor } from '../support/engine-environment.ts';

const ISSUES_API = 'https://github.example/api/v3';

const repositories = [
  { owner: 'acme', name: 'dies-often', pullRequests: 600 },
  { owner: 'acme', name: 'died-once', pullRequests: 600 },
];

describe('the recovery a run starts with is said out loud', () => {
  const env = engineEnvironmentFor({ dataset: { seed: 5, repositories } });

  /** A worker that claimed the repository's chunk and died: its lease is an hour old. */
  async function dyingWorker(name: string): Promise<void> {
    const row = await env.store.getRepository({ owner: 'acme', name });
    const lease = await env.store.claimChunk({
      repositoryId: row!.id,
      workerId: 'dead-worker',
      leaseSeconds: 60,
      runId: null,
    });
    await expireLease(env.db.client, lease!.chunkId);
  }

  test('requeued and stalled chunks are in the events, the summary and the errors; a stall files an issue', async () => {
    // one page each: both backfills are started and have a pending chunk
    await env.run({ maxChunks: 2, chunkSize: 10, concurrency: 2 });
    // `dies-often` lost its lease as many times as recovery allows; the next loss stalls it
    for (let i = 0; i < DEFAULTS.runRecovery.requeueLimit; i++) {
      await dyingWorker('dies-often');
      await env.store.recoverStuckChunks(DEFAULTS.runRecovery);
    }
    await dyingWorker('dies-often');
    await dyingWorker('died-once');

    const events: EngineEvent[] = [];
    const summary = await env.run(
      { maxChunks: 1, chunkSize: 10 },
      { onEvent: (event) => events.push(event) },
    );

    expect(summary.recovery).toEqual({ requeued: 1, stalled: 1, runsInterrupted: 0 });
    const recovered = events.find((event) => event.type === 'run.recovered');
    expect(recovered && logLine(recovered, [])).toBe(
      'Recovery: 1 chunk requeued, 1 chunk stalled, 0 runs of vanished workers marked interrupted',
    );
    expect(summary.errors.critical).toEqual([
      expect.objectContaining({
        repository: 'acme/dies-often',
        kind: 'stalled',
        message: expect.stringContaining('run --repo acme/dies-often'),
      }),
    ]);
    expect(jobSummaryMarkdown(summary, { eventName: 'schedule', runUrl: null })).toContain('1 chunk stalled');
    // the action's reporter files an issue for it, with its own title and advice
    const api = new FakeIssuesApi(ISSUES_API, 'acme/ops');
    const issuesServer = setupServer(...api.handlers);
    issuesServer.listen({ onUnhandledRequest: 'error' });
    try {
      const reporter = createIssueReporter({
        token: 'ghs_reporterToken0123456789abcdefABCDEF',
        apiUrl: ISSUES_API,
        repository: { owner: 'acme', repo: 'ops' },
        labels: ['progressive-backfill'],
        runUrl: null,
      });
      const outcome = await reporter.report(summary);
      expect(outcome.failures).toEqual([]);
    } finally {
      issuesServer.close();
    }
    expect(api.issues.map((issue) => issue.title)).toEqual([
      issueTitle({ repository: 'acme/dies-often', kind: 'stalled' }),
    ]);
    expect(api.issues[0]?.body).toMatch(/lost its lease/);
  });
});

describe('a run with nothing to do', () => {
  const env = engineEnvironmentFor({ dataset: { seed: 6, repositories: [] } });

  test('says "No repositories need backfilling"', async () => {
    const events: EngineEvent[] = [];
    const summary: RunSummary = await env.run(
      { repositories: [], force: false },
      { onEvent: (event) => events.push(event) },
    );
    expect(summary.outcome).toBe('completed');
    expect(summary.candidates).toBe(0);
    const planned = events.find((event) => event.type === 'run.planned');
    expect(planned && logLine(planned, [])).toBe('No repositories need backfilling');
    expect(jobSummaryMarkdown(summary, { eventName: 'schedule', runUrl: null })).toContain(
      'No repositories need backfilling.',
    );
  });
});
