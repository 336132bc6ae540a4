import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BackfillScope, inScope } from '../../src/domain/scope.ts';
import { readStored, truth } from '../support/engine-environment.ts';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

const SCOPE: BackfillScope = { states: ['MERGED'] };

describe('run and the scope stored with a backfill', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 5,
      repositories: [{ owner: 'acme', name: 'widgets', pullRequests: 400 }],
    });
  });
  afterAll(() => env?.close());

  const state = async () =>
    (
      await env.db.client.query(
        `select s.status, s.scope, s.cursor, r.pr_total_count, r.stored_pr_count from progressive_backfill.backfill_state s
           join progressive_backfill.repositories r on r.id = s.repository_id`,
      )
    ).rows[0];

  test('`run` without scope flags carries a scoped backfill on to exactly its scope', async () => {
    const begun = await runMain(
      [
        'run',
        '--repo',
        'acme/widgets',
        '--states',
        'merged',
        '--chunk-size',
        '20',
        '--max-chunks',
        '1',
        ...env.flags,
      ],
      env.env,
    );
    expect(begun.stderr).not.toMatch(/^error/m);
    expect(await state()).toMatchObject({ status: 'active', scope: SCOPE });

    const carried = await runMain(['run', '--repo', 'acme/widgets', ...env.flags], env.env);
    expect(carried.stderr).not.toMatch(/^error/m);
    expect(carried.code).toBe(0);
    const expected = truth(env.sim, 'acme', 'widgets', 'core').filter((pr) => inScope(pr, SCOPE));
    expect(await state()).toMatchObject({
      status: 'completed',
      scope: SCOPE,
      pr_total_count: expected.length,
    });
    expect(await readStored(env.db, 'acme', 'widgets')).toEqual(expected);
  });

  test('a run with another scope exits non-zero with what to do, and changes nothing', async () => {
    const before = { state: await state(), stored: await readStored(env.db, 'acme', 'widgets') };
    // all three states given is the whole repository asked for, which is another scope than MERGED
    const refused = await runMain(
      ['run', '--repo', 'acme/widgets', '--states', 'open,closed,merged', ...env.flags],
      env.env,
    );
    expect(refused.code).toBe(4);
    expect(`${refused.stdout}\n${refused.stderr}`).toContain(
      'repository acme/widgets is being backfilled with scope "states MERGED", and this run gives "the whole repository"; run with the same scope, or `progressive-backfill cancel acme/widgets` first',
    );
    expect({ state: await state(), stored: await readStored(env.db, 'acme', 'widgets') }).toEqual(before);
  });
});
