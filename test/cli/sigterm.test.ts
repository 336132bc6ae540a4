import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readStored, truth } from '../support/engine-environment.ts';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain, spawnCli } from './cli-harness.ts';

const PULL_REQUESTS = 400;

describe('SIGTERM during a run', () => {
  let env: CliEnvironment;
  // slow GitHub while the signal is sent, instant for the rerun
  let latencyMs = 400;
  beforeAll(async () => {
    env = await startCliEnvironment(
      { seed: 130, repositories: [{ owner: 'acme', name: 'slow', pullRequests: PULL_REQUESTS }] },
      { latencyMs: () => latencyMs },
    );
  });
  afterAll(() => env?.close());

  test('finishes the page in flight, exits 130 and records the run as interrupted; a rerun completes exactly', async () => {
    const cli = spawnCli(['run', '--repo', 'acme/slow', '--chunk-size', '20', ...env.flags], env.env);
    await cli.waitFor(/acme\/slow: \d+\.\d%/); // the first page is committed
    cli.child.kill('SIGTERM');
    const { code, stderr } = await cli.exited;

    expect(code).toBe(130);
    expect(stderr).toMatch(/Interrupted/);
    const runs = await env.db.client.query(
      'select outcome, finished_at from progressive_backfill.backfill_runs order by id',
    );
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0].outcome).toBe('interrupted');
    expect(runs.rows[0].finished_at).not.toBeNull();
    const running = await env.db.client.query(
      "select count(*)::int as n from progressive_backfill.backfill_chunks where status = 'running'",
    );
    expect(running.rows[0].n, 'leases are released').toBe(0);
    const stored = await env.db.client.query(
      'select count(*)::int as n from progressive_backfill.pull_requests',
    );
    expect(stored.rows[0].n).toBeGreaterThan(0);
    expect(stored.rows[0].n).toBeLessThan(PULL_REQUESTS);

    latencyMs = 0;
    const rerun = await runMain(['run', '--repo', 'acme/slow', '--chunk-size', '20', ...env.flags], env.env);
    expect(rerun.code).toBe(0);
    expect(await readStored(env.db, 'acme', 'slow')).toEqual(truth(env.sim, 'acme', 'slow', 'core'));
  });
});
