import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readStored, truth } from '../support/engine-environment.ts';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

const REPOSITORIES = [
  { owner: 'acme', name: 'widgets', pullRequests: 230 },
  // under the default --min-prs of 100: named repositories are backfilled anyway
  { owner: 'acme', name: 'tiny', pullRequests: 12 },
];

describe('run --repo against the simulator and Postgres', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({ seed: 7, repositories: REPOSITORIES });
  });
  afterAll(() => env?.close());

  test('tracks the named repositories and stores exactly what GitHub holds, field by field', async () => {
    const { code, stdout, stderr } = await runMain(
      ['run', '--repo', 'acme/widgets', '--repo', 'acme/tiny', ...env.flags],
      env.env,
    );
    expect(stderr).not.toMatch(/^error/m);
    expect(code).toBe(0);
    expect(stdout).toMatch(/run completed/);
    for (const { owner, name, pullRequests } of REPOSITORIES) {
      const stored = await readStored(env.db, owner, name);
      expect(stored.length, name).toBe(pullRequests);
      expect(stored, name).toEqual(truth(env.sim, owner, name, 'core'));
    }
    const { rows } = await env.db.client.query(
      'select r.name, s.status from progressive_backfill.repositories r join progressive_backfill.backfill_state s on s.repository_id = r.id order by r.name',
    );
    expect(rows).toEqual([
      { name: 'tiny', status: 'completed' },
      { name: 'widgets', status: 'completed' },
    ]);
  });

  test('--json prints only the run summary', async () => {
    const { code, stdout } = await runMain(
      ['run', '--repo', 'acme/widgets', '--json', ...env.flags],
      env.env,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ outcome: 'completed', dryRun: false });
    expect(summary.repositories.map((r: { fullName: string }) => r.fullName)).toEqual(['acme/widgets']);
  });
});
