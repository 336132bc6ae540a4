/**
 * The number walk end to end: repositories whose numbers interleave issues and numbers that are nothing any more
 * (NOT_FOUND), with pull requests merging, closing and appearing mid-walk, end exactly equal to GitHub. Where the
 * numbers are mostly issues the probe hands the repository to the window walk, which ends exact as well.
 */
import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.ts';
import { engineEnvironmentFor, truth } from '../support/engine-environment.ts';

// every change lands mid-walk, before the refresh that follows (a change after a run's last read is the next run's)
const changes = { everyPages: 2, transitions: 2, growth: 1, maxEvents: 3 };
const repositories = [
  // 80% of the numbers are pull requests: by number
  { owner: 'acme', name: 'dense', pullRequests: 8_000, issueShare: 0.2, changes },
  // 95% are issues: 150 pull requests per 3,000 lookups, fewer than the windows bring
  { owner: 'acme', name: 'sparse', pullRequests: 1_500, issueShare: 0.95, changes },
];

describe('the number walk', () => {
  const env = engineEnvironmentFor({ dataset: { seed: 11, repositories } });
  const events: EngineEvent[] = [];

  test('ends with every repository equal to GitHub, field by field', async () => {
    const summary = await env.run({}, { onEvent: (e) => events.push(e) });
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    for (const r of repositories) {
      const stored = await env.stored(r.owner, r.name);
      expect(stored, r.name).toEqual(truth(env.sim, r.owner, r.name, 'core'));
    }
  }, 120_000);

  test('the dense repository went by number, the sparse one by window after its probe', () => {
    const operations = (name: string) =>
      env.sim.requests
        .filter((r) => r.variables?.name === name && r.status === 200)
        .map((r) => r.operationName);
    const dense = operations('dense');
    expect(dense.filter((op) => op === 'PullRequestPage')).toEqual([]);
    expect(dense.filter((op) => op === 'PullRequestNumbers').length).toBeGreaterThan(3);
    const sparse = operations('sparse').filter((op) => op !== 'UpdatedPullRequests');
    expect(sparse[0]).toBe('PullRequestNumbers');
    expect(sparse.slice(1).every((op) => op === 'PullRequestPage')).toBe(true);
  });

  test('the dense repository took more than 1,000 pull requests per point (lookups grow 250 → 500 → … → 3,000)', () => {
    const pages = events.filter(
      (e): e is Extract<EngineEvent, { type: 'page.committed' }> =>
        e.type === 'page.committed' && e.repository === 'acme/dense',
    );
    const prs = pages.reduce((n, e) => n + e.prs, 0);
    const points = pages.reduce((n, e) => n + e.points, 0);
    expect(prs).toBeGreaterThanOrEqual(8_000);
    expect(prs / points).toBeGreaterThan(1_000);
  });
});

describe('the number walk when time binds', () => {
  // GitHub's time grows with the nodes asked for: 1,000 lookups take 5 s (simulated; the fast clock skips it)
  const env = engineEnvironmentFor({
    dataset: {
      seed: 12,
      repositories: [{ owner: 'acme', name: 'hurried', pullRequests: 12_000, issueShare: 0.2, changes }],
    },
    latencyMs: ({ nodeCount }) => 5 * nodeCount,
    // 40 points above the reserve: too few for the window walk (about 45), so time binding keeps it by number
    token: { limit: 140 },
  });

  test('rounds go out as several full requests at once, and the runs end exactly equal to GitHub', async () => {
    const events: EngineEvent[] = [];
    const refreshed = async () =>
      (await env.db.client.query('select refreshed_at from progressive_backfill.backfill_state')).rows[0]
        ?.refreshed_at != null;
    // 15,000 numbers at 5 s per 1,000 is 75 s of GitHub's time: a 60-second run cannot do it one at a time. Runs
    // follow one another until the walk is done and refreshed (pull requests opened mid-walk have numbers past the
    // walk's newest: the refresh stores them; the machine's own time counts too, so it may take a few runs).
    for (let run = 0; run < 10 && !(await refreshed()); run++) {
      const summary = await env.run(
        { timeBudgetMs: 60_000, force: false },
        { onEvent: (e) => events.push(e) },
      );
      expect(summary.errors.critical).toEqual([]);
    }
    expect(await refreshed()).toBe(true);
    expect(await env.stored('acme', 'hurried')).toEqual(truth(env.sim, 'acme', 'hurried', 'core'));
    const largest = Math.max(...events.map((e) => (e.type === 'page.committed' ? e.prs : 0)));
    // one request of 1,000 numbers brings at most 1,000 pull requests: a larger page is a round of several
    expect(largest).toBeGreaterThan(1_000);
  }, 120_000);
});

describe('where lookups by number are not answered', () => {
  // an API that refuses `issueOrPullRequest` as an unknown field (an older GitHub Enterprise Server, an imitation)
  const env = engineEnvironmentFor({
    dataset: {
      seed: 13,
      repositories: [{ owner: 'acme', name: 'plain', pullRequests: 1_200, issueShare: 0.2 }],
    },
    refuseNumberLookups: true,
  });

  test('the refused probe hands the walk to the windows, which end exactly equal to GitHub', async () => {
    const summary = await env.run({});
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    expect(await env.stored('acme', 'plain')).toEqual(truth(env.sim, 'acme', 'plain', 'core'));
    const refused = env.sim.requests.filter((r) => r.operationName === 'PullRequestNumbers');
    expect(refused.map((r) => r.cost)).toEqual([0]); // asked once, refused, not charged
    expect(env.sim.requests.some((r) => r.operationName === 'PullRequestPage' && r.status === 200)).toBe(
      true,
    );
  }, 120_000);
});

describe('where a query may hold only so many lookups by number', () => {
  // an API that refuses a query of more than 400 lookups: the walk grows 250 → 500, is refused once, keeps 250
  const env = engineEnvironmentFor({
    dataset: {
      seed: 14,
      repositories: [{ owner: 'acme', name: 'capped', pullRequests: 3_000, issueShare: 0.2 }],
    },
    maxNumberLookups: 400,
  });

  test('the refused size is halved for good, and the walk by number ends exactly equal to GitHub', async () => {
    const summary = await env.run({});
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    expect(await env.stored('acme', 'capped')).toEqual(truth(env.sim, 'acme', 'capped', 'core'));
    const numbers = env.sim.requests.filter((r) => r.operationName === 'PullRequestNumbers');
    expect(numbers.filter((r) => r.cost === 0)).toHaveLength(1);
    expect(numbers.filter((r) => r.cost > 0).length).toBeGreaterThan(5);
    expect(env.sim.requests.some((r) => r.operationName === 'PullRequestPage')).toBe(false);
  }, 120_000);
});
