import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BackfillScope, inScope } from '../../src/domain/scope.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

// Runs that give no scope — the tick, the action's tracked set, `run` without --since/--states/--base — work each
// backfill in the scope stored with it; one that gives another scope is refused before anything is written.
const repositories = [
  { owner: 'acme', name: 'scoped', pullRequests: 900 },
  { owner: 'acme', name: 'whole', pullRequests: 300 },
];
const SCOPE: BackfillScope = { states: ['CLOSED', 'MERGED'], base: 'main' };

describe('a run without a scope', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 11, repositories } });
  });
  afterAll(() => env?.close());

  const stateOf = async (name: string) =>
    (
      await env.db.client.query(
        `select s.status, s.scope, r.pr_total_count from progressive_backfill.backfill_state s
           join progressive_backfill.repositories r on r.id = s.repository_id where r.name = $1`,
        [name],
      )
    ).rows[0];

  /** Every row a run could touch, but the runs table (a refused run is still recorded as a run). */
  const snapshot = async () => {
    const read = async (sql: string) => (await env.db.client.query(sql)).rows;
    return {
      repositories: await read('select * from progressive_backfill.repositories order by id'),
      state: await read('select * from progressive_backfill.backfill_state order by repository_id'),
      chunks: await read(
        'select id, status, start_cursor, end_cursor, attempts, lease_owner from progressive_backfill.backfill_chunks order by id',
      ),
      scoped: await env.stored('acme', 'scoped'),
      whole: await env.stored('acme', 'whole'),
    };
  };

  test('carries a scoped backfill on in its scope to exactly the scope, and starts a new one on the whole repository', async () => {
    // the scoped backfill is begun by a run that names it with its scope, and stopped after one page
    const first = await env.run({
      repositories: [{ owner: 'acme', name: 'scoped' }],
      scope: SCOPE,
      chunkSize: 50,
      maxChunks: 1,
    });
    expect(first.errors.critical).toEqual([]);
    expect(await stateOf('scoped')).toMatchObject({ status: 'active', scope: SCOPE });
    const scopedTotal = truth(env.sim, 'acme', 'scoped', 'core').filter((pr) => inScope(pr, SCOPE)).length;
    expect((await stateOf('scoped')).pr_total_count).toBe(scopedTotal);
    await env.store.trackRepository({
      owner: 'acme',
      name: 'whole',
      githubId: null,
      nodeId: null,
      prTotalCount: null,
    });

    // then the tracked set, no scope given, run after run (as the tick does) until both are done
    for (let run = 0; run < 30; run++) {
      const summary = await env.run({ repositories: [], force: false, chunkSize: 50, maxChunks: 2 });
      expect(summary.errors.critical).toEqual([]);
      const states = [await stateOf('scoped'), await stateOf('whole')];
      if (states.every((s) => s.status === 'completed')) break;
    }
    expect(await stateOf('scoped')).toMatchObject({
      status: 'completed',
      scope: SCOPE,
      pr_total_count: scopedTotal,
    });
    const expected = truth(env.sim, 'acme', 'scoped', 'core').filter((pr) => inScope(pr, SCOPE));
    expect(expected.length).toBeLessThan(repositories[0]!.pullRequests);
    expect(await env.stored('acme', 'scoped')).toEqual(expected);

    expect(await stateOf('whole')).toMatchObject({ status: 'completed', scope: {}, pr_total_count: 300 });
    expect(await env.stored('acme', 'whole')).toEqual(truth(env.sim, 'acme', 'whole', 'core'));

    // a later run without a scope that names it refreshes it in its scope: still exactly the scope
    const again = await env.run({ repositories: [{ owner: 'acme', name: 'scoped' }] });
    expect(again.errors.critical).toEqual([]);
    expect(await env.stored('acme', 'scoped')).toEqual(expected);
    expect(await stateOf('scoped')).toMatchObject({ scope: SCOPE, pr_total_count: scopedTotal });
  }, 300_000);

  test('a run that gives another scope is refused, says what to do, and writes nothing', async () => {
    const before = await snapshot();
    for (const repositoriesOfRun of [[], [{ owner: 'acme', name: 'scoped' }]]) {
      const summary = await env.run({ repositories: repositoriesOfRun, scope: { states: ['OPEN'] } });
      expect(summary.outcome).toBe('partial');
      const messages = summary.errors.critical.map((e) => e.message).join('\n');
      expect(messages).toContain(
        'repository acme/scoped is being backfilled with scope "states CLOSED,MERGED, base main", and this run gives "states OPEN"; run with the same scope, or `progressive-backfill cancel acme/scoped` first',
      );
      if (repositoriesOfRun.length === 0) expect(messages).toMatch(/acme\/whole .*"the whole repository"/);
      expect(summary.prsWritten).toBe(0);
      expect(summary.pointsSpent).toBe(0);
      expect(await snapshot()).toEqual(before);
    }
  }, 120_000);

  test('cancelled, it takes a new scope from a run that names it, and walks afresh to exactly that scope', async () => {
    await env.store.cancelBackfill(
      (await env.store.getRepository({ owner: 'acme', name: 'scoped' }))!.id,
      'rescope',
    );
    const open: BackfillScope = { states: ['OPEN'] };
    const summary = await env.run({ repositories: [{ owner: 'acme', name: 'scoped' }], scope: open });
    expect(summary.errors.critical).toEqual([]);
    expect(await stateOf('scoped')).toMatchObject({ status: 'completed', scope: open });
    // the merged and closed ones stored under the old scope stay: removing what left a scope is the refresh's job
    const stored = await env.stored('acme', 'scoped');
    const openTruth = truth(env.sim, 'acme', 'scoped', 'core').filter((pr) => inScope(pr, open));
    expect(stored.filter((pr) => pr.state === 'OPEN')).toEqual(openTruth);
  }, 120_000);
});
