import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackfillScope } from '../../src/domain/scope.ts';
import { inScope } from '../../src/domain/scope.ts';
import { parseSince } from '../../src/engine/options.ts';
import { runBackfill } from '../../src/engine/run.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const repositories = [
  // quiet data: pull requests leaving the scope are the refresh's concern (refresh-removes-out-of-scope.test.ts)
  { owner: 'acme', name: 'states', pullRequests: 900 },
  { owner: 'acme', name: 'recent', pullRequests: 900 },
];

describe('a scoped backfill', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 7, repositories } });
  });
  afterAll(() => env?.close());

  async function backfill(name: string, scope: BackfillScope) {
    return runBackfill(env.options({ repositories: [{ owner: 'acme', name }], scope, chunkSize: 50 }), {
      store: env.store,
      github: env.github,
      clock: env.clock,
    });
  }

  async function expectExactlyTheScope(name: string, scope: BackfillScope) {
    const expected = truth(env.sim, 'acme', name, 'core').filter((pr) => inScope(pr, scope));
    const stored = await env.stored('acme', name);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length, `${name} row count`).toBe(expected.length);
    expect(stored).toEqual(expected);
  }

  test('by states and base: stores exactly the pull requests of the scope, and is complete against it', async () => {
    const scope: BackfillScope = { states: ['OPEN', 'CLOSED'], base: 'main' };
    const summary = await backfill('states', scope);
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    await expectExactlyTheScope('states', scope);
    const { rows } = await env.db.client.query(
      `select s.status, s.scope, r.pr_total_count from progressive_backfill.backfill_state s
         join progressive_backfill.repositories r on r.id = s.repository_id where r.name = 'states'`,
    );
    expect(rows[0]).toMatchObject({ status: 'completed', scope });
    expect(rows[0].pr_total_count).toBeLessThan(repositories[0]!.pullRequests);
  }, 120_000);

  test('since a date, merged only: stores exactly the pull requests created on or after it', async () => {
    const created = truth(env.sim, 'acme', 'recent', 'core')
      .map((pr) => pr.created_at)
      .sort();
    const since = parseSince(created[Math.floor(created.length * 0.7)]!);
    const scope: BackfillScope = { since, states: ['MERGED'] };
    const summary = await backfill('recent', scope);
    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    await expectExactlyTheScope('recent', scope);
  }, 120_000);

  test('a run with another scope is refused with what to do, and writes nothing', async () => {
    const before = await env.stored('acme', 'states');
    const summary = await backfill('states', { states: ['MERGED'] });
    expect(summary.outcome).not.toBe('completed');
    const messages = summary.errors.critical.map((e) => e.message).join('\n');
    expect(messages).toMatch(
      /repository acme\/states is being backfilled with scope .*; run with the same scope, or `progressive-backfill cancel acme\/states` first/,
    );
    expect(await env.stored('acme', 'states')).toEqual(before);
  }, 120_000);
});
