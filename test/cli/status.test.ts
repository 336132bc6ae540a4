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

  test('--repo shows only those, and says of one never tracked that nothing is stored and how to start it', async () => {
    const { code, stdout } = await runMain([
      'status',
      '--repo',
      'acme/first',
      '--repo',
      'nobody/none',
      '--database-url',
      env.db.url,
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('acme/'))).toEqual([
      expect.stringMatching(/^acme\/first\s+active/),
    ]);
    expect(lines.at(-1)).toBe(
      'nobody/none is not tracked, and nothing of it is stored: `progressive-backfill track --repo nobody/none` tracks it, `run --repo nobody/none` tracks and backfills it',
    );
  });

  test('--repo of an untracked repository lists what is stored of it and how to bring it back', async () => {
    expect((await runMain(['untrack', 'acme/second', '--database-url', env.db.url])).code).toBe(0);
    const { rows } = await env.db.client.query(
      "select stored_pr_count from progressive_backfill.repositories where full_name = 'acme/second'",
    );
    const stored = rows[0].stored_pr_count as number;
    expect(stored).toBeGreaterThan(0);

    const text = await runMain(['status', '--repo', 'acme/second', '--database-url', env.db.url]);
    expect(text.code).toBe(0);
    expect(text.stdout.trim()).toBe(
      `acme/second is not tracked (runs leave it alone): ${stored} pull requests stored of 500 on GitHub when last looked up, backfill active; \`progressive-backfill track --repo acme/second\` brings it back where it was`,
    );
    // the whole table no longer lists it
    expect((await runMain(['status', '--database-url', env.db.url])).stdout).not.toContain('acme/second');

    const json = await runMain(['status', '--json', '--repo', 'acme/second', '--database-url', env.db.url]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        fullName: 'acme/second',
        tracked: false,
        backfillStatus: 'active',
        storedPrCount: stored,
        prTotalCount: 500,
        scope: {},
      }),
    ]);
  });
});
