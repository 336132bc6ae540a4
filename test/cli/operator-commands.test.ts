import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

describe('operator commands: pause, resume, cancel, retry, untrack', () => {
  let env: CliEnvironment;
  const db = () => ['--database-url', env.db.url];
  const state = async () =>
    (
      await env.db.client.query(
        `select s.status, s.pause_reason, s.resume_at, r.tracked
           from progressive_backfill.backfill_state s join progressive_backfill.repositories r on r.id = s.repository_id
          where r.full_name = 'ops/repo'`,
      )
    ).rows[0];

  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 21,
      repositories: [{ owner: 'ops', name: 'repo', pullRequests: 300 }],
    });
    const ran = await runMain(
      ['run', '--repo', 'ops/repo', '--chunk-size', '10', '--max-chunks', '1', ...env.flags],
      env.env,
    );
    expect(ran.code).toBe(0);
  });
  afterAll(() => env?.close());

  test('pause with a reason and an end, then resume', async () => {
    const paused = await runMain(['pause', 'ops/repo', '--reason', 'maintenance', '--until', '2h', ...db()]);
    expect(paused).toMatchObject({ code: 0, stdout: 'ops/repo: paused\n' });
    const row = await state();
    expect(row).toMatchObject({ status: 'paused', pause_reason: 'maintenance' });
    expect(new Date(row.resume_at).getTime()).toBeGreaterThan(Date.now() + 3_500_000);

    expect(await runMain(['resume', 'ops/repo', ...db()])).toMatchObject({
      code: 0,
      stdout: 'ops/repo: active\n',
    });
  });

  test('pause without --until lasts until resumed', async () => {
    expect((await runMain(['pause', 'ops/repo', '--reason', 'hold', ...db()])).code).toBe(0);
    expect((await state()).resume_at).toBe(Infinity);
    const status = JSON.parse((await runMain(['status', '--json', ...db()])).stdout) as { note: string }[];
    expect(status[0]?.note).toBe('paused until resumed: hold (`resume ops/repo` resumes it now)');
    expect((await runMain(['resume', 'ops/repo', ...db()])).code).toBe(0);
  });

  test('cancel, then retry puts it back to work', async () => {
    expect((await runMain(['cancel', 'ops/repo', '--reason', 'wrong repo', ...db()])).stdout).toBe(
      'ops/repo: cancelled\n',
    );
    expect((await runMain(['retry', 'ops/repo', ...db()])).stdout).toBe('ops/repo: active\n');
    const ran = await runMain(
      ['run', '--repo', 'ops/repo', '--chunk-size', '10', '--max-chunks', '1', ...env.flags],
      env.env,
    );
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/ops\/repo\s.*in_progress/);
  });

  test.each([
    [['pause', 'ops/repo', '--until', '1h'], /required option '--reason <text>' not specified/],
    [['pause', 'ops/repo', '--reason', 'x', '--until', '2020-01-01T00:00:00Z'], /is not in the future/],
    [['pause', 'ops/repo', '--reason', 'x', '--until', 'soonish'], /expected an ISO 8601 time/],
    [['pause', 'ops/*', '--reason', 'x'], /name one repository/],
    [['resume', 'ops/repo'], /ops\/repo: cannot resume a active backfill/],
    [['retry', 'ops/repo'], /ops\/repo: cannot retry a active backfill/],
    [['retry'], /name a repository \(owner\/name\) or a chunk \(--chunk <id>\), one of the two/],
    [['retry', 'ops/repo', '--chunk', '1'], /name a repository \(owner\/name\) or a chunk/],
    [['retry', '--chunk', '0'], /--chunk <id>.*is invalid/],
    [['retry', '--chunk', '987654321'], /unknown chunk 987654321/],
    [
      ['untrack', 'ops/missing'],
      /ops\/missing is not tracked: `progressive-backfill track --repo ops\/missing` first/,
    ],
  ])('%j is refused with exit 2 and says why', async (args, message) => {
    const before = await state();
    const result = await runMain([...args, ...db()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await state()).toEqual(before);
  });

  test('retry --chunk puts the stalled chunk that stopped the backfill back to work; status names it', async () => {
    const { rows } = await env.db.client.query(
      `select (progressive_backfill.backfill_claim_chunk(p_worker_id => 'gone', p_lease_seconds => 60)->>'chunkId')::bigint as id`,
    );
    const chunkId = Number(rows[0].id);
    await env.db.client.query(
      "update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 hour' where id = $1",
      [chunkId],
    );
    await env.db.client.query(
      'select progressive_backfill.backfill_recover_stuck_chunks(p_requeue_limit => 0, p_grace_seconds => 0)',
    );
    expect(await state()).toMatchObject({ status: 'stalled' });
    const status = JSON.parse((await runMain(['status', '--json', ...db()])).stdout) as { note: string }[];
    expect(status[0]?.note).toContain(
      `(\`retry ops/repo\` or \`retry --chunk ${chunkId}\` puts it back to work)`,
    );

    expect(await runMain(['retry', '--chunk', String(chunkId), ...db()])).toMatchObject({
      code: 0,
      stdout: 'ops/repo: active\n',
    });
    const { rows: chunk } = await env.db.client.query(
      'select status, requeues from progressive_backfill.backfill_chunks where id = $1',
      [chunkId],
    );
    expect(chunk[0]).toEqual({ status: 'pending', requeues: 0 });

    // once back to work, the chunk is no longer the operator's to retry
    const again = await runMain(['retry', '--chunk', String(chunkId), ...db()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `chunk ${chunkId} of ops/repo is pending: only a failed or stalled chunk can be retried`,
    );
  });

  test('untrack takes it out of status and runs; track brings it back where it was', async () => {
    expect((await runMain(['untrack', 'ops/repo', ...db()])).stdout).toBe('ops/repo: active, untracked\n');
    expect((await runMain(['status', ...db()])).stdout).not.toContain('ops/repo');
    expect(await state()).toMatchObject({ tracked: false, status: 'active' });
    expect((await runMain(['track', '--repo', 'ops/repo', ...env.flags], env.env)).code).toBe(0);
    expect(await state()).toMatchObject({ tracked: true, status: 'active' });
  });
});
