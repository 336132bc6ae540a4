/**
 * The action's `command` input: an operator's command on the named repositories instead of a backfill, as the
 * dispatch workflow passes it, run from the bundle as the runner runs it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runActionBundle } from '../../scripts/harness/action-runner.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type ActionBundle, currentActionBundle } from './bundle.ts';

const TOKEN = 'ghp_operatorCommandToken0000000000000000';

describe('the action’s command input', () => {
  let bundle: ActionBundle;
  let db: TestDatabase;
  let repositoryId: number;

  beforeAll(async () => {
    bundle = await currentActionBundle();
    db = await createTestDatabase();
    const store = createPostgresStore(db.url);
    try {
      const row = await store.trackRepository({
        owner: 'acme',
        name: 'widgets',
        githubId: '1',
        nodeId: 'R_1',
        prTotalCount: 500,
      });
      await store.startBackfill(row.id, 'core');
      repositoryId = row.id;
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await db?.drop();
    await bundle?.dispose();
  });

  const act = (inputs: Record<string, string>) =>
    runActionBundle({
      bundle: bundle.path,
      eventName: 'workflow_dispatch',
      inputs: {
        'github-token': TOKEN,
        'github-api-url': 'http://127.0.0.1:9',
        'database-url': db.url,
        repositories: 'acme/widgets',
        'report-issues': 'false',
        ...inputs,
      },
    });
  const state = async () =>
    (
      await db.client.query(
        'select status, pause_reason, resume_at from progressive_backfill.backfill_state where repository_id = $1',
        [repositoryId],
      )
    ).rows[0];

  test('pause with a reason and an end, resume by repository id, and no backfill runs', async () => {
    const paused = await act({ command: 'pause', reason: 'release freeze', until: '2h' });
    expect(paused.exitCode, paused.stdout + paused.stderr).toBe(0);
    expect(paused.stdout).toContain('::group::Pause');
    expect(paused.stdout).toContain('acme/widgets: paused');
    expect(await state()).toMatchObject({ status: 'paused', pause_reason: 'release freeze' });

    const resumed = await act({ command: 'resume', repositories: '', 'repository-id': String(repositoryId) });
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('acme/widgets: active');
    expect(await state()).toMatchObject({ status: 'active', pause_reason: null });

    const { rows } = await db.client.query(
      'select count(*)::int as n from progressive_backfill.backfill_runs',
    );
    expect(rows[0].n).toBe(0);
  });

  test('cancel, retry back to work, then untrack: each from the command input, and no backfill runs', async () => {
    const cancelled = await act({ command: 'cancel', reason: 'wrong repository' });
    expect(cancelled.exitCode, cancelled.stdout + cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('acme/widgets: cancelled');
    expect(await state()).toMatchObject({ status: 'cancelled' });

    const retried = await act({ command: 'retry' });
    expect(retried.exitCode, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toContain('acme/widgets: active');
    expect(await state()).toMatchObject({ status: 'active' });

    const untracked = await act({ command: 'untrack' });
    expect(untracked.exitCode, untracked.stdout + untracked.stderr).toBe(0);
    expect(untracked.stdout).toContain('acme/widgets: active, untracked');
    const tracked = async () =>
      (
        await db.client.query('select tracked from progressive_backfill.repositories where id = $1', [
          repositoryId,
        ])
      ).rows[0].tracked;
    expect(await tracked()).toBe(false);
    const { rows } = await db.client.query(
      'select count(*)::int as n from progressive_backfill.backfill_runs',
    );
    expect(rows[0].n).toBe(0);
    // tracked again, as `track` does, for the tests after this one
    const store = createPostgresStore(db.url);
    try {
      await store.trackRepository({
        owner: 'acme',
        name: 'widgets',
        githubId: '1',
        nodeId: 'R_1',
        prTotalCount: 500,
      });
    } finally {
      await store.close();
    }
    expect(await tracked()).toBe(true);
  });

  test('a command the state does not allow, or missing input, fails the step and says why', async () => {
    const retried = await act({ command: 'retry' });
    expect(retried.exitCode).toBe(1);
    expect(retried.stdout).toContain('::error::acme/widgets: cannot retry a active backfill');

    const noReason = await act({ command: 'pause' });
    expect(noReason.exitCode).toBe(1);
    expect(noReason.stdout).toContain('::error::reason: a pause needs a reason');
    expect(await state()).toMatchObject({ status: 'active' });
  });

  test('retry with chunk-id puts a stalled chunk back to work; a chunk not failed or stalled fails the step', async () => {
    const { rows } = await db.client.query(
      `select (progressive_backfill.backfill_claim_chunk(p_worker_id => 'gone', p_lease_seconds => 60)->>'chunkId')::bigint as id`,
    );
    const chunkId = Number(rows[0].id);
    await db.client.query(
      "update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 hour' where id = $1",
      [chunkId],
    );
    await db.client.query(
      'select progressive_backfill.backfill_recover_stuck_chunks(p_requeue_limit => 0, p_grace_seconds => 0)',
    );
    expect(await state()).toMatchObject({ status: 'stalled' });

    const retried = await act({ command: 'retry', repositories: '', 'chunk-id': String(chunkId) });
    expect(retried.exitCode, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toContain(`chunk ${chunkId}: acme/widgets: active`);
    expect(await state()).toMatchObject({ status: 'active' });

    const again = await act({ command: 'retry', repositories: '', 'chunk-id': String(chunkId) });
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toContain(
      `::error::chunk ${chunkId} of acme/widgets is pending: only a failed or stalled chunk can be retried`,
    );
  });
});
