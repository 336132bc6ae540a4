/**
 * The scheduled tick takes no scope: it carries each backfill on in the scope stored with it. A scoped backfill begun
 * by a run that named it (here with `states` and `base`) is finished by ticks over the tracked set, to exactly the
 * pull requests of its scope, its completeness counted against that scope.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BackfillScope, inScope } from '../../src/domain/scope.ts';
import { handleBackfillTick } from '../../src/edge-functions/backfill-tick.ts';
import type { RunSummary } from '../../src/engine/types.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const KEY = 'tick-scope-service-role-key';
const SCOPE: BackfillScope = { states: ['OPEN', 'MERGED'], base: 'main' };

describe('ticks over the tracked set and a scoped backfill', () => {
  let env: EngineEnvironment;
  const summaries: RunSummary[] = [];

  beforeAll(async () => {
    env = await startEngineEnvironment({
      dataset: { seed: 29, repositories: [{ owner: 'acme', name: 'ticked', pullRequests: 700 }] },
    });
    const begun = await env.run({ scope: SCOPE, chunkSize: 20, maxChunks: 1 });
    expect(begun.errors.critical).toEqual([]);
    for (let i = 0; i < 30; i++) {
      const response = await handleBackfillTick(
        new Request('http://localhost/functions/v1/backfill-tick', {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          // no repositories and no scope: the tracked set, each backfill in its own scope
          body: JSON.stringify({ chunkSize: 20, maxChunks: 3 }),
        }),
        {
          store: env.store,
          github: env.github,
          clock: env.clock,
          budgetMs: 60_000,
          authorizedTokens: [KEY],
          invocationId: () => `tick-${i}`,
        },
      );
      expect(response.status).toBe(200);
      summaries.push(((await response.json()) as { summary: RunSummary }).summary);
      const { rows } = await env.db.client.query('select status from progressive_backfill.backfill_state');
      if (rows[0]?.status === 'completed') break;
    }
  }, 120_000);
  afterAll(() => env?.close());

  test('the ticks continued it without a refusal, several of them', () => {
    expect(summaries.length).toBeGreaterThan(1);
    for (const summary of summaries) expect(summary.errors.critical).toEqual([]);
  });

  test('it completed in its scope, to exactly the scope, complete against the scope', async () => {
    const expected = truth(env.sim, 'acme', 'ticked', 'core').filter((pr) => inScope(pr, SCOPE));
    const { rows } = await env.db.client.query(
      `select s.status, s.scope, r.pr_total_count, r.stored_pr_count from progressive_backfill.backfill_state s
         join progressive_backfill.repositories r on r.id = s.repository_id`,
    );
    expect(rows).toEqual([
      {
        status: 'completed',
        scope: SCOPE,
        pr_total_count: expected.length,
        stored_pr_count: expected.length,
      },
    ]);
    expect(expected.length).toBeLessThan(700);
    expect(await env.stored('acme', 'ticked')).toEqual(expected);
  });
});
