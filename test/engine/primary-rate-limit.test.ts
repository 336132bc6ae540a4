import { describe, expect, test } from 'vitest';
import { engineEnvironmentFor, truth } from '../support/engine-environment.ts';

const REPO = { owner: 'primary', name: 'repo', pullRequests: 3_000 };

describe('GitHub says the primary rate limit is exhausted', () => {
  const env = engineEnvironmentFor({ dataset: { seed: 5, repositories: [REPO] } });

  test('the repository pauses until the reset, and the next run after it finishes the job', async () => {
    // The budget GitHub reported at the start turns out to be gone (another tool spent it) on the fourth request.
    env.sim.setFaults({ at: { 4: { kind: 'primary-exhaustion' } } });
    const first = await env.run({ chunkSize: 50 });
    expect(first.outcome).toBe('interrupted');
    expect(first.stopReason).toMatch(/primary rate limit/);
    const { rows } = await env.db.client.query(
      `select s.status, s.pause_reason, s.resume_at,
              (select count(*)::int from progressive_backfill.backfill_chunks c where c.status = 'running') as running
         from progressive_backfill.backfill_state s`,
    );
    expect(rows[0]).toMatchObject({ status: 'paused', running: 0 });
    expect(rows[0].pause_reason).toMatch(/rate limit/);
    expect(Date.parse(rows[0].resume_at)).toBeGreaterThan(env.clock.now());

    // Before the reset the budget is still gone: the run waits, it does not fail.
    const early = await env.run({ timeBudgetMs: 60_000 });
    expect(early).toMatchObject({ outcome: 'interrupted', prsWritten: 0, errors: { critical: [] } });

    // The reset comes: GitHub's clock (the simulator's) moves past it, and the database's pause ends by itself.
    await env.clock.sleep(Date.parse(rows[0].resume_at) - env.clock.now() + 1_000);
    await env.db.client.query(
      `update progressive_backfill.backfill_state set resume_at = now() - interval '1 second'`,
    );
    env.sim.setFaults(undefined);
    const later = await env.run();
    expect(later.outcome).toBe('completed');
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
  });
});
