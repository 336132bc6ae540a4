/**
 * The incremental refresh resumes where it stopped: a refresh of more updated pull requests (and their children's
 * follow-ups) than one run's page allowance can carry goes on in the next runs from its stored position — never
 * from the top again — and ends exactly equal to GitHub. A walk that completes as its run's allowance ends is
 * refreshed by the very next run, not an hour later.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childrenExact, diffChildren } from '../../scripts/harness/children-diff.ts';
import type { RunSummary } from '../../src/engine/types.ts';
import type { RequestLogEntry } from '../../src/simulator/server.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const busy = { owner: 'refresh', name: 'busy', pullRequests: 420, childCases: true };
const quick = { owner: 'refresh', name: 'quick', pullRequests: 150 };

const refreshPages = (requests: readonly RequestLogEntry[]) =>
  requests.filter((r) => r.operationName === 'UpdatedPullRequests' && r.status === 200);

describe('a refresh larger than one run', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 23, repositories: [busy, quick] } });
  });
  afterAll(() => env?.close());

  const position = async (name: string) => {
    const { rows } = await env.db.client.query(
      `select s.refresh_cursor, s.refresh_target_watermark, s.watermark, s.refreshed_at, s.completed_at,
              (select count(*)::int from progressive_backfill.child_follow_ups f where f.repository_id = r.id) as queued
         from progressive_backfill.backfill_state s join progressive_backfill.repositories r on r.id = s.repository_id
        where r.name = $1`,
      [name],
    );
    return rows[0];
  };

  test('resumes run after run from its stored position and ends equal to GitHub, children included', async () => {
    const first = await env.run({ repositories: [busy], fieldProfile: 'full' });
    expect(first.outcome).toBe('completed');

    const repository = env.sim.dataset.repository(busy.owner, busy.name)!;
    const now = Math.floor(env.clock.now() / 1000) + 60;
    // 260 pull requests change (new, edited and deleted comments, a new review with its own comment): three refresh
    // pages of 100, and a follow-up for every new review's comments
    for (let index = 0; index < 260; index++) repository.changeChildren(index, now);
    expect(childrenExact(await diffChildren(env.db, env.sim, busy.owner, busy.name))).toBe(false);

    const seen = env.sim.requests.length;
    // named, so it refreshes now; two page requests are all this run may send
    const started = await env.run({ repositories: [busy], fieldProfile: 'full', maxChunks: 2 });
    expect(started.outcome).toBe('interrupted');
    const midway = await position(busy.name);
    expect(midway.refresh_cursor).not.toBeNull();

    // then runs as a schedule makes them: the tracked set, nothing named, the usual hour between refreshes
    const runs: RunSummary[] = [];
    for (let run = 0; run < 40; run++) {
      const state = await position(busy.name);
      if (state.refresh_cursor === null && state.queued === 0) break;
      runs.push(await env.run({ repositories: [], force: false, fieldProfile: 'full', maxChunks: 2 }));
    }
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.at(-1)?.repositories.find((r) => r.fullName === 'refresh/busy')?.outcome).toBe('refreshed');
    const done = await position(busy.name);
    expect(done).toMatchObject({ refresh_cursor: null, queued: 0 });
    expect(Date.parse(done.watermark)).toBeGreaterThanOrEqual(now * 1000);

    // one refresh, never restarted: its first page once, then each page from where the last one ended
    const pages = refreshPages(env.sim.requests.slice(seen));
    expect(pages.filter((r) => r.variables?.updatedAfter === null)).toHaveLength(1);
    expect(pages).toHaveLength(3);

    expect(await env.stored(busy.owner, busy.name)).toEqual(truth(env.sim, busy.owner, busy.name, 'full'));
    expect(childrenExact(await diffChildren(env.db, env.sim, busy.owner, busy.name))).toBe(true);
  }, 300_000);

  test('a walk that completes as its run ends is refreshed by the next scheduled run', async () => {
    // one six-window page of 100 walks all 150 pull requests: the allowance ends with the walk
    const walked = await env.run({ repositories: [quick], maxChunks: 1, chunkSize: 100 });
    expect(walked.repositories.find((r) => r.fullName === 'refresh/quick')?.outcome).toBe('completed');
    const before = await position(quick.name);
    expect(before.refreshed_at).toBeNull();

    const repository = env.sim.dataset.repository(quick.owner, quick.name)!;
    repository.changePullRequest(3, Math.floor(env.clock.now() / 1000) + 60, { baseRefName: 'hotfix' });
    const next = await env.run({ repositories: [], force: false });
    expect(next.repositories.find((r) => r.fullName === 'refresh/quick')?.outcome).toBe('refreshed');
    expect((await position(quick.name)).refreshed_at).not.toBeNull();
    expect(await env.stored(quick.owner, quick.name)).toEqual(
      truth(env.sim, quick.owner, quick.name, 'core'),
    );
  }, 120_000);
});
