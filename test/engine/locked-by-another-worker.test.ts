/**
 * A run that meets another worker's lease never reports `completed`: a live holder (on a direct connection, its
 * session holds its key) leaves the repository `locked`, said with whom and until when, and exit code 6; the moment
 * that holder's session ends the next run takes the work over. Through PostgREST, where a holder's liveness cannot
 * be seen, the run waits for the lease to expire when that fits its budget (time passes by back-dating the lease,
 * never by sleeping) and then continues.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diffAgainstGroundTruth, isExact } from '../../scripts/harness/ground-truth-diff.ts';
import { DEFAULTS } from '../../src/engine/options.ts';
import { runBackfill } from '../../src/engine/run.ts';
import type { BackfillOptions, Clock, EngineEvent, RunSummary } from '../../src/engine/types.ts';
import { ExitCode, exitCodeFor } from '../../src/shared-entry/exit-codes.ts';
import { summaryLine } from '../../src/shared-entry/format.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import { createSupabaseStore } from '../../src/store/supabase.ts';
import type { Store } from '../../src/store/types.ts';
import { type EngineEnvironment, startEngineEnvironment } from '../support/engine-environment.ts';
import { type PostgrestShim, startPostgrestShim } from '../support/postgrest-shim.ts';

const SERVICE_ROLE_KEY = 'test-service-role-key-0123456789';
const OWNER = 'locks';
const repositories = ['held-alive', 'held-rest', 'held-short'].map((name) => ({
  owner: OWNER,
  name,
  pullRequests: 300,
}));

describe('a repository held by another worker’s lease', () => {
  let env: EngineEnvironment;
  let shim: PostgrestShim;
  let rest: Store;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 12, repositories } });
    shim = await startPostgrestShim({ databaseUrl: env.db.url, serviceRoleKey: SERVICE_ROLE_KEY });
    rest = createSupabaseStore(shim.url, SERVICE_ROLE_KEY);
  });
  afterAll(async () => {
    await rest?.close();
    await shim?.close();
    await env?.close();
  });

  const only = (name: string): Partial<BackfillOptions> => ({ repositories: [{ owner: OWNER, name }] });

  function run(store: Store, options: Partial<BackfillOptions>, clock: Clock = env.clock) {
    const events: EngineEvent[] = [];
    const summary = runBackfill(env.options({ chunkSize: 50, ...options }), {
      store,
      github: env.github,
      clock,
      onEvent: (event) => events.push(event),
    });
    return summary.then((s) => ({ summary: s, events }));
  }

  /** Starts the backfill with one page, then has `holder` claim its next chunk and keep it. */
  async function heldBy(holder: Store, name: string, workerId: string): Promise<number> {
    await run(env.store, { ...only(name), maxChunks: 1 });
    const row = await env.store.getRepository({ owner: OWNER, name });
    const lease = await holder.claimChunk({ repositoryId: row!.id, workerId, leaseSeconds: 120 });
    expect(lease).not.toBeNull();
    return row!.id;
  }

  async function expectEqualToGitHub(name: string): Promise<void> {
    expect(isExact(await diffAgainstGroundTruth(env.db, env.sim, OWNER, name))).toBe(true);
  }

  function expectLocked(summary: RunSummary, name: string, by: string, why: RegExp): void {
    const report = summary.repositories.find((r) => r.fullName === `${OWNER}/${name}`);
    expect(report?.outcome).toBe('locked');
    expect(report?.detail).toMatch(new RegExp(`^locked by ${by} until \\d{4}-\\d\\d-\\d\\dT`));
    expect(report?.detail).toMatch(why);
    expect(summary.outcome).toBe('partial');
    expect(exitCodeFor(summary)).toBe(ExitCode.Locked);
    expect(summaryLine(summary)).toContain(`locked by another worker: ${OWNER}/${name} locked by ${by}`);
  }

  test('a live holder keeps it: named or from the tracked set, the run says locked, by whom, until when', async () => {
    const alive = createPostgresStore(env.db.url);
    try {
      await heldBy(alive, 'held-alive', 'alive-worker');

      const named = await run(env.store, only('held-alive'));
      expectLocked(named.summary, 'held-alive', 'alive-worker', /its worker is alive/);
      expect(named.summary.prsWritten).toBe(0);

      const tracked = await run(env.store, { repositories: [], force: false, minPrs: 0 });
      expectLocked(tracked.summary, 'held-alive', 'alive-worker', /its worker is alive/);
      expect(tracked.summary.candidates).toBeGreaterThan(0);
    } finally {
      await alive.close(); // the holder's process ends: its session, and with it its key, is gone
    }

    const rerun = await run(env.store, only('held-alive'));
    expect(rerun.summary.outcome).toBe('completed');
    expect(rerun.summary.repositories[0]).toMatchObject({ outcome: 'completed' });
    await expectEqualToGitHub('held-alive');
  });

  test('through PostgREST the run waits out a lease whose holder cannot be seen, then continues', async () => {
    const repositoryId = await heldBy(rest, 'held-rest', 'rest-worker');
    // Time passes for the database too: every wait the engine makes moves the running leases back by as much.
    const waits: number[] = [];
    const passing: Clock = {
      now: env.clock.now,
      async sleep(ms, signal) {
        waits.push(ms);
        await env.db.client.query(
          `update progressive_backfill.backfill_chunks
              set lease_expires_at = lease_expires_at - make_interval(secs => $1::float8 / 1000)
            where status = 'running'`,
          [ms],
        );
        await env.clock.sleep(ms, signal);
      },
    };

    const { summary, events } = await run(rest, only('held-rest'), passing);

    const waiting = events.find((e) => e.type === 'repository.waiting');
    expect(waiting).toMatchObject({ repository: `${OWNER}/held-rest` });
    expect(waiting && 'detail' in waiting && waiting.detail).toMatch(
      /^locked by rest-worker until .*cannot be seen/,
    );
    const waitMs = waiting && 'waitMs' in waiting ? waiting.waitMs : 0;
    expect(waitMs).toBeGreaterThan((120 + DEFAULTS.runRecovery.graceSeconds - 5) * 1000);
    expect(waitMs).toBeLessThanOrEqual((120 + DEFAULTS.runRecovery.graceSeconds + 1) * 1000);
    expect(waits).toContain(waitMs);
    expect(summary.recovery?.requeued).toBe(1);
    expect(summary.outcome).toBe('completed');
    expect(summary.repositories[0]?.outcome).toBe('completed');
    expect((await env.store.leases([repositoryId])).length).toBe(0);
    await expectEqualToGitHub('held-rest');
  });

  test('through PostgREST a lease that outlasts the time budget is not waited for: locked, and why', async () => {
    await heldBy(rest, 'held-short', 'rest-worker');
    const { summary, events } = await run(rest, { ...only('held-short'), timeBudgetMs: 60_000 });

    expect(events.some((e) => e.type === 'repository.waiting')).toBe(false);
    expectLocked(
      summary,
      'held-short',
      'rest-worker',
      /cannot be seen, and waiting \d+ s .* does not fit the time budget/,
    );
  });
});
