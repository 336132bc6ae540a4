import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const repositories = [
  { owner: 'acme', name: 'empty', pullRequests: 0 },
  {
    owner: 'acme',
    name: 'middle',
    pullRequests: 1_234,
    // a six-window walk of it takes five pages: both changes land mid-walk, before the refresh that follows
    changes: { everyPages: 2, transitions: 2, growth: 1, maxEvents: 2 },
  },
  {
    owner: 'acme',
    name: 'large',
    pullRequests: 25_000,
    // every change lands mid-walk (the number walk takes about 80 pages of it), before the refresh that follows
    changes: { everyPages: 15, transitions: 3, growth: 2, maxEvents: 4 },
  },
];

describe('a three-repository backfill', () => {
  let env: EngineEnvironment;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 42, repositories } });
  });
  afterAll(() => env?.close());

  test('ends with the database equal to GitHub, field by field', async () => {
    const summary = await env.run({}, { onEvent: (e) => events.push(e) });
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    for (const r of repositories) {
      const stored = await env.stored(r.owner, r.name);
      const expected = truth(env.sim, r.owner, r.name, 'core');
      expect(stored.length, `${r.name} row count`).toBe(expected.length);
      expect(stored, r.name).toEqual(expected);
    }
  }, 180_000);

  test('the run is recorded with its totals, and each repository is completed', async () => {
    const { rows } = await env.db.client.query(
      `select outcome, prs_written, points_spent from progressive_backfill.backfill_runs order by id desc limit 1`,
    );
    expect(rows[0]).toMatchObject({ outcome: 'completed' });
    expect(Number(rows[0].prs_written)).toBeGreaterThanOrEqual(26_234);
    const states = await env.db.client.query(`select status from progressive_backfill.backfill_state`);
    expect(states.rows.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
  });

  test('the budget went at more than 250 pull requests per point', () => {
    const pages = events.filter((e) => e.type === 'page.committed');
    const points = pages.reduce((n, e) => n + (e.type === 'page.committed' ? e.points : 0), 0);
    const prs = pages.reduce((n, e) => n + (e.type === 'page.committed' ? e.prs : 0), 0);
    // by windows the merged partition (three quarters of the history) sets the pace at about 260 PRs per point; by
    // number a third of the numbers are pull requests, a third of up to 1,000 per point
    expect(prs / points).toBeGreaterThan(250);
  });
});
