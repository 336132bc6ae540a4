/**
 * The CLI killed with SIGKILL mid-run (a cancelled job, a runner timeout, `kill -9`), then run again at once, as a
 * user would: the rerun takes over the lease the dead process left — without waiting for it to expire — and goes
 * on to exactly GitHub's data. It never reports a green, empty run for a repository it skipped: while the holder is
 * alive, the rerun exits 6 and says who holds it until when.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPgliteDatabase } from '../../scripts/harness/pglite-database.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import { readStored, truth } from '../support/engine-environment.ts';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain, spawnCli } from './cli-harness.ts';

const PULL_REQUESTS = 400;

describe('a CLI rerun of a repository another process held: killed with SIGKILL, or alive', () => {
  let env: CliEnvironment;
  // slow GitHub while the process is killed, instant for the rerun
  let latencyMs = 400;
  beforeAll(async () => {
    env = await startCliEnvironment(
      {
        seed: 131,
        repositories: [
          { owner: 'acme', name: 'killed', pullRequests: PULL_REQUESTS },
          { owner: 'acme', name: 'held', pullRequests: 300 },
        ],
      },
      { latencyMs: () => latencyMs },
    );
  });
  afterAll(() => env?.close());

  test('the rerun takes the dead process’s live lease over at once and ends equal to GitHub', async () => {
    latencyMs = 400;
    const args = ['run', '--repo', 'acme/killed', '--chunk-size', '20', ...env.flags];
    const first = spawnCli(args, env.env);
    await first.waitFor(/acme\/killed: \d+\.\d%/); // the first page is committed
    first.child.kill('SIGKILL');
    expect((await first.exited).code).toBe(128); // killed by a signal

    // the dead process's lease is still running and far from expiry: only its vanished session frees it
    const { rows } = await env.db.client.query(
      `select count(*)::int as n, min(lease_expires_at - now()) > interval '30 seconds' as live
         from progressive_backfill.backfill_chunks where status = 'running'`,
    );
    expect(rows[0]).toEqual({ n: 1, live: true });

    latencyMs = 0;
    const rerun = await spawnCli(args, env.env).exited;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(`${rerun.stdout}\n${rerun.stderr}`).not.toMatch(/locked|another worker/i);
    expect(await readStored(env.db, 'acme', 'killed')).toEqual(truth(env.sim, 'acme', 'killed', 'core'));
  });

  test('on the embedded database (a PGlite folder) too: the killed folder opens, and the rerun ends equal to GitHub', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-sigkill-'));
    try {
      latencyMs = 400;
      const [, apiUrl] = env.flags.slice(env.flags.indexOf('--github-api-url'));
      const args = [
        'run',
        '--repo',
        'acme/killed',
        '--chunk-size',
        '20',
        '--data-dir',
        dir,
        '--github-api-url',
        apiUrl!,
      ];
      const first = spawnCli(args, env.env);
      await first.waitFor(/acme\/killed: \d+\.\d%/);
      first.child.kill('SIGKILL');
      expect((await first.exited).code).toBe(128);

      latencyMs = 0;
      const rerun = await spawnCli(args, env.env).exited;
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(`${rerun.stdout}\n${rerun.stderr}`).not.toMatch(/locked|another worker/i);
      const { database, store } = await createPgliteDatabase(dir);
      try {
        expect(await readStored(database, 'acme', 'killed')).toEqual(
          truth(env.sim, 'acme', 'killed', 'core'),
        );
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a live holder is never taken over: the rerun exits 6, says locked by whom until when, and writes nothing', async () => {
    latencyMs = 0;
    const args = ['run', '--repo', 'acme/held', '--chunk-size', '20', ...env.flags];
    expect((await runMain([...args, '--max-chunks', '1'], env.env)).code).toBe(0);
    const count = async () =>
      (
        await env.db.client.query(
          'select count(*)::int as n from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id where r.name = $1',
          ['held'],
        )
      ).rows[0].n;
    const before = await count();
    const alive = createPostgresStore(env.db.url);
    try {
      const row = await alive.getRepository({ owner: 'acme', name: 'held' });
      expect(
        await alive.claimChunk({ repositoryId: row!.id, workerId: 'alive-worker', leaseSeconds: 120 }),
      ).not.toBeNull();
      const rerun = await runMain(args, env.env);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(6);
      expect(`${rerun.stdout}\n${rerun.stderr}`).toMatch(/locked by alive-worker until \d{4}-\d\d-\d\dT/);
      expect(rerun.stdout).not.toMatch(/run completed/);
      expect(await count()).toBe(before);
    } finally {
      await alive.close();
    }
  });
});
