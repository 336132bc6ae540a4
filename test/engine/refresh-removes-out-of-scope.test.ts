/**
 * A scoped backfill holds exactly its scope after a refresh: stored pull requests that left it since they were
 * stored (merged while the scope is open and closed ones, retargeted to another base) are deleted, with their
 * children, and pull requests that entered it (retargeted to the scope's base) are added.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BackfillScope, inScope } from '../../src/domain/scope.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const repo = { owner: 'scoped', name: 'moving', pullRequests: 900 };
const scope: BackfillScope = { states: ['OPEN', 'CLOSED'], base: 'main' };

describe('a refresh of a scoped backfill', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 31, repositories: [repo] } });
  });
  afterAll(() => env?.close());

  const inScopeTruth = () => truth(env.sim, repo.owner, repo.name, 'core').filter((pr) => inScope(pr, scope));

  test('removes the pull requests that left the scope and adds those that entered it', async () => {
    const walked = await env.run({ scope });
    expect(walked.outcome).toBe('completed');
    expect(await env.stored(repo.owner, repo.name)).toEqual(inScopeTruth());

    const repository = env.sim.dataset.repository(repo.owner, repo.name)!;
    const all = truth(env.sim, repo.owner, repo.name, 'core');
    const indexOf = (number: number) => all.findIndex((pr) => pr.number === number);
    const stored = inScopeTruth();
    const open = stored.filter((pr) => pr.state === 'OPEN').slice(0, 3);
    const retargeted = stored.filter((pr) => !open.includes(pr)).slice(0, 3);
    const entering = all.filter((pr) => pr.base_ref !== 'main' && pr.state !== 'MERGED').slice(0, 2);
    expect([open.length, retargeted.length, entering.length]).toEqual([3, 3, 2]);
    const now = Math.floor(env.clock.now() / 1000) + 60;
    for (const pr of open) repository.changePullRequest(indexOf(pr.number), now, { state: 'MERGED' });
    for (const pr of retargeted)
      repository.changePullRequest(indexOf(pr.number), now, { baseRefName: 'develop' });
    for (const pr of entering) repository.changePullRequest(indexOf(pr.number), now, { baseRefName: 'main' });

    const refreshed = await env.run({ scope });
    const report = refreshed.repositories[0]!;
    expect(report.outcome).toBe('refreshed');
    const after = await env.stored(repo.owner, repo.name);
    expect(after).toEqual(inScopeTruth());
    const numbers = new Set(after.map((pr) => pr.number));
    for (const pr of [...open, ...retargeted])
      expect(numbers.has(pr.number), `#${pr.number} left`).toBe(false);
    for (const pr of entering) expect(numbers.has(pr.number), `#${pr.number} entered`).toBe(true);
    expect(report.storedAfter).toBe(after.length);
    const { rows } = await env.db.client.query(
      'select stored_pr_count from progressive_backfill.repositories where name = $1',
      [repo.name],
    );
    expect(rows[0].stored_pr_count).toBe(after.length);
  }, 120_000);
});
