import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

describe('track', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 5,
      repositories: [
        { owner: 'acme', name: 'one', pullRequests: 17 },
        { owner: 'acme', name: 'two', pullRequests: 3 },
      ],
    });
  });
  afterAll(() => env?.close());

  test('looks repositories up on GitHub and records their ids, PR totals and priority', async () => {
    const { code, stdout } = await runMain(
      ['track', '--repo', 'acme/*', '--priority', '7', ...env.flags],
      env.env,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/acme\/one\s+\d+\s+17\s+0\s+7\s+idle/);
    const { rows } = await env.db.client.query(
      'select full_name, github_id is not null as has_id, pr_total_count, priority from progressive_backfill.repositories order by full_name',
    );
    expect(rows).toEqual([
      { full_name: 'acme/one', has_id: true, pr_total_count: 17, priority: 7 },
      { full_name: 'acme/two', has_id: true, pr_total_count: 3, priority: 7 },
    ]);
  });

  test('a repository GitHub does not have is reported and exits 4; the others are still tracked', async () => {
    const { code, stderr } = await runMain(
      ['track', '--repo', 'acme/one,acme/missing', ...env.flags],
      env.env,
    );
    expect(code).toBe(4);
    expect(stderr).toContain('acme/missing');
    const { rows } = await env.db.client.query(
      "select 1 from progressive_backfill.repositories where name = 'missing'",
    );
    expect(rows).toEqual([]);
  });
});
