import { describe, expect, test } from 'vitest';
import { issueBody, issueTitle } from '../../src/action/issue-body.ts';
import { logLine } from '../../src/action/log-lines.ts';
import { jobSummaryMarkdown } from '../../src/action/report.ts';
import { DEFAULTS } from '../../src/engine/options.ts';
import type { EngineEvent, RunSummary } from '../../src/engine/types.ts';
import { expireLease } from '../sql/fixtures.ts';
import { engineEnvironmentFor } from '../support/engine-environment.ts';

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

  test('requeued and stalled chunks are in the events, the summary and the errors; a stall is a critical error', async () => {
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
    // what the reporter files for it: its own title and advice
    const fingerprint = { repository: 'acme/dies-often', kind: 'stalled' as const };
    expect(issueTitle(fingerprint)).toContain('acme/dies-often');
    expect(issueBody({ fingerprint, entries: summary.errors.critical, runUrl: null })).toMatch(
      /lost its lease/,
    );
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
