/**
 * The `full` profile stores a repository's complete history: every review, review comment, conversation comment,
 * label and contributor, including the cases that break naive code (a PR with 250 comments, one with 120 reviews,
 * a review with 120 review comments, 150 labels, every kind of author, 65,000-character bodies), then keeps it
 * current: a refresh picks up new, edited and deleted children of pull requests whose updatedAt moved.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childrenExact, diffChildren } from '../../scripts/harness/children-diff.ts';
import { createPgliteDatabase } from '../../scripts/harness/pglite-database.ts';
import { runBackfill } from '../../src/engine/run.ts';
import { createSupabaseStore } from '../../src/store/supabase.ts';
import { createTestDatabase } from '../support/database.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';
import { startPostgrestShim } from '../support/postgrest-shim.ts';

const repo = { owner: 'history', name: 'talk', pullRequests: 420, childCases: true };

const backends = {
  Postgres: async () => ({}),
  PGlite: () => createPgliteDatabase(),
  Supabase: async () => {
    const database = await createTestDatabase();
    const key = 'service-role-key-for-the-shim';
    const shim = await startPostgrestShim({ databaseUrl: database.url, serviceRoleKey: key });
    const rest = createSupabaseStore(shim.url, key);
    const close = async () => {
      await rest.close();
      await shim.close();
    };
    return { database, store: { ...rest, close } };
  },
};

describe.each(Object.keys(backends) as (keyof typeof backends)[])(
  'on %s, a full backfill of a repository with hard child cases',
  (backend) => {
    let env: EngineEnvironment;
    beforeAll(async () => {
      env = await startEngineEnvironment({
        dataset: { seed: 11, repositories: [repo] },
        ...(await backends[backend]()),
      });
    }, 120_000);
    afterAll(() => env?.close());

    const run = () =>
      runBackfill(env.options({ fieldProfile: 'full' }), {
        store: env.store,
        github: env.github,
        clock: env.clock,
      });

    test('stores every child exactly and charges what it predicted', async () => {
      const summary = await run();
      expect(summary.outcome).toBe('completed');
      expect(await env.stored(repo.owner, repo.name)).toEqual(truth(env.sim, repo.owner, repo.name, 'full'));
      const diff = await diffChildren(env.db, env.sim, repo.owner, repo.name);
      expect(diff.detail).toEqual({
        reviews: { lost: 0, extra: 0, differing: 0 },
        comments: { lost: 0, extra: 0, differing: 0 },
        contributors: { lost: 0, extra: 0, differing: 0 },
        labels: { lost: 0, extra: 0, differing: 0 },
      });
      const followUps = env.sim.requests.filter((r) => r.operationName === 'ChildPages');
      expect(followUps.length).toBeGreaterThan(0);
      expect(followUps.every((r) => r.cost === 1)).toBe(true);
      const queued = await env.db.client.query(
        'select count(*)::int as n from progressive_backfill.child_follow_ups',
      );
      expect(queued.rows[0].n).toBe(0);
    });

    test('a refresh picks up new, edited and deleted children of pull requests that changed', async () => {
      const repository = env.sim.dataset.repository(repo.owner, repo.name)!;
      const now = Math.floor(env.clock.now() / 1000) + 60;
      for (const index of [0, 2, 7, 300]) repository.changeChildren(index, now);
      const before = await diffChildren(env.db, env.sim, repo.owner, repo.name);
      expect(childrenExact(before)).toBe(false);

      const summary = await run();
      expect(summary.repositories[0]?.outcome).toBe('refreshed');
      expect(await env.stored(repo.owner, repo.name)).toEqual(truth(env.sim, repo.owner, repo.name, 'full'));
      const after = await diffChildren(env.db, env.sim, repo.owner, repo.name);
      expect(after.detail.comments).toEqual({ lost: 0, extra: 0, differing: 0 });
      expect(childrenExact(after)).toBe(true);
    });
  },
);
