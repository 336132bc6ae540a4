/**
 * A store that takes only so many pull requests a commit (PGlite: its memory only grows) gets a number walk's large
 * page as several commits, each moving the cursor to the next one's first number: the walk still ends exactly equal
 * to GitHub, with pull requests changing mid-walk, and a failure between two of a page's commits loses nothing.
 */
import { describe, expect, test } from 'vitest';
import { runBackfill } from '../../src/engine/run.ts';
import type { CommitPageInput, Store } from '../../src/store/types.ts';
import { type EngineEnvironment, engineEnvironmentFor, truth } from '../support/engine-environment.ts';

const MAX = 120;
// every change lands mid-walk, before the refresh that follows (a change after a run's last read is the next run's)
const changes = { everyPages: 2, transitions: 2, growth: 1, maxEvents: 2 };
const repositories = [{ owner: 'acme', name: 'dense', pullRequests: 4_000, issueShare: 0.2, changes }];

/** The environment's store, recording every page commit, and failing the `failAt`-th one once. */
function recording(env: EngineEnvironment, failAt?: number): { store: Store; commits: CommitPageInput[] } {
  const commits: CommitPageInput[] = [];
  const store: Store = {
    ...env.store,
    commitPage: (input) => {
      commits.push(input);
      if (commits.length === failAt) return Promise.reject(new Error('connection lost'));
      return env.store.commitPage(input);
    },
  };
  return { store, commits };
}

describe('a number walk into a store that takes a few pull requests a commit', () => {
  const env = engineEnvironmentFor({
    dataset: { seed: 5, repositories },
    pageLimits: { prsPerCommit: MAX, numbersPerRequest: 3_000 },
  });

  test('commits at most that many at a time and ends exactly equal to GitHub', async () => {
    const { store, commits } = recording(env);
    const summary = await runBackfill(env.options({}), { store, github: env.github, clock: env.clock });
    expect(summary.outcome).toBe('completed');
    expect(await env.stored('acme', 'dense')).toEqual(truth(env.sim, 'acme', 'dense', 'core'));
    const requests = env.sim.requests.filter((r) => r.operationName === 'PullRequestNumbers');
    expect(Math.max(...commits.map((c) => c.prs.length))).toBeLessThanOrEqual(MAX);
    expect(commits.length).toBeGreaterThan(2 * requests.length);
    // each page's points are counted once, with its first commit
    const points = commits.reduce((n, c) => n + c.pointsSpent, 0);
    expect(points).toBe(requests.reduce((n, r) => n + r.cost, 0));
  }, 120_000);
});

describe('a failure between two commits of one page', () => {
  const env = engineEnvironmentFor({
    dataset: { seed: 6, repositories },
    pageLimits: { prsPerCommit: MAX, numbersPerRequest: 3_000 },
  });

  test('the next run resumes from the last commit and ends exactly equal to GitHub', async () => {
    // the 12th commit is the third request's 6th (the first two pages make 2 + 4): five of its commits landed
    const { store, commits } = recording(env, 12);
    const first = await runBackfill(env.options({}), { store, github: env.github, clock: env.clock });
    expect(first.repositories[0]?.outcome).toBe('in_progress');
    // neither the failed commit nor the one before it opened its page: the page was cut between its commits
    expect([commits[10]!.pointsSpent, commits[11]!.pointsSpent]).toEqual([0, 0]);
    // the chunk waits out its retry backoff: back-date it rather than wait
    await env.db.client.query(
      `update progressive_backfill.backfill_chunks set run_at = now() - interval '1 second'`,
    );
    const second = await env.run({});
    expect(second.outcome).toBe('completed');
    expect(await env.stored('acme', 'dense')).toEqual(truth(env.sim, 'acme', 'dense', 'core'));
  }, 120_000);
});
