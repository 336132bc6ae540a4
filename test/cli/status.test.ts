import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

describe('status', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 11,
      repositories: [
        { owner: 'acme', name: 'first', pullRequests: 300 },
        { owner: 'acme', name: 'second', pullRequests: 500 },
      ],
    });
    // one page request of 10+10 each: both backfills are left in progress
    for (const repo of ['acme/first', 'acme/second']) {
      const ran = await runMain(
        ['run', '--repo', repo, '--chunk-size', '10', '--max-chunks', '1', ...env.flags],
        env.env,
      );
      expect(ran.code).toBe(0);
    }
  });
  afterAll(() => env?.close());

  test('prints one row per repository with its status, counts and progress', async () => {
    const { code, stdout } = await runMain(['status', '--database-url', env.db.url]);
    expect(code).toBe(0);
    const { rows } = await env.db.client.query(
      'select r.full_name, r.stored_pr_count, r.pr_total_count from progressive_backfill.repositories r order by r.full_name',
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Repository\s+Status\s+Stored\s+GitHub total\s+Progress/);
    for (const row of rows) {
      const pct = ((100 * row.stored_pr_count) / row.pr_total_count).toFixed(1);
      const line = lines.find((l) => l.startsWith(`${row.full_name} `));
      expect(line, row.full_name).toMatch(
        new RegExp(
          `^${row.full_name}\\s+active\\s+${row.stored_pr_count}\\s+${row.pr_total_count}\\s+${pct}%`,
        ),
      );
    }
    expect(rows.length).toBe(2);
    expect(lines.filter((l) => l.startsWith('acme/'))).toHaveLength(2);
  });

  test('--json prints the rows as data', async () => {
    const { code, stdout } = await runMain(['status', '--json', '--database-url', env.db.url]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { fullName: string; backfillStatus: string; prTotalCount: number }[];
    expect(rows.map((r) => [r.fullName, r.backfillStatus, r.prTotalCount]).sort()).toEqual([
      ['acme/first', 'active', 300],
      ['acme/second', 'active', 500],
    ]);
  });
});
