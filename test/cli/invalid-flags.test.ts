import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli, runMain } from './cli-harness.ts';

const scratch = mkdtempSync(join(tmpdir(), 'pb-cli-invalid-'));
const dataDir = join(scratch, 'db');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ENV = {
  GITHUB_TOKEN: 'ghp_notusedbecausenothingruns0000000000000',
  GITHUB_API_URL: 'http://127.0.0.1:9',
};

/** [arguments, the flag the message must name] */
const CASES: [string[], string][] = [
  [['run', '--repo', 'a/b', '--chunk-size', '25abc'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size', '2.5'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size', '-1'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size', '101'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size', '0'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size', '2e1'], '--chunk-size'],
  [['run', '--repo', 'a/b', '--chunk-size='], '--chunk-size'],
  [['run', '--repo', 'a/b', '--max-chunks', '0'], '--max-chunks'],
  [['run', '--repo', 'a/b', '--concurrency', '33'], '--concurrency'],
  [['run', '--repo', 'a/b', '--min-prs', 'many'], '--min-prs'],
  [['run', '--repo', 'a/b', '--reserve-points', '1.5'], '--reserve-points'],
  [['run', '--repo', 'a/b', '--completeness-threshold', '1.5'], '--completeness-threshold'],
  [['run', '--repo', 'a/b', '--completeness-threshold', '0'], '--completeness-threshold'],
  [['run', '--repo', 'a/b', '--time-budget', '10x'], '--time-budget'],
  [['run', '--repo', 'a/b', '--field-profile', 'huge'], '--field-profile'],
  [['run', '--repo', 'a/b', '--since', 'last week'], '--since'],
  [['run', '--repo', 'a/b', '--since', '2024-02-30'], '--since'],
  [['run', '--repo', 'a/b', '--states', 'open,draft'], '--states'],
  [['run', '--repo', 'a/b', '--base', 'two words'], '--base'],
  [['run', '--repo', 'not-a-repository'], '--repo'],
  [['run', '--repo', 'a/b/c'], '--repo'],
  [['run', '--repo', '-bad-/x'], '--repo'],
  [['run', '--repository-id', 'seven'], '--repository-id'],
  [['run', '--repo', 'a/b', '--github-api-url', 'ftp://example.com'], '--github-api-url'],
  [['run', '--repo', 'a/b', '--database-url', 'https://example.supabase.co'], '--database-url'],
  [
    [
      'run',
      '--repo',
      'a/b',
      '--database-url',
      'postgres://u:pw@db.example/x',
      '--supabase-url',
      'https://x.supabase.co',
    ],
    '--database-url',
  ],
  [['run', '--repo', 'a/b', '--supabase-url', 'https://x.supabase.co'], '--supabase-service-role-key'],
  [
    ['run', '--repo', 'a/b', '--database-url', 'postgres://u:pw@db.example/x', '--data-dir', dataDir],
    '--data-dir',
  ],
  [['track'], '--repo'],
  [['track', '--repo', 'a/b', '--priority', 'high'], '--priority'],
  [['recover', '--requeue-limit', 'x'], '--requeue-limit'],
  [['recover', '--grace-seconds', '-5'], '--grace-seconds'],
  [['demo', '--prs', '-5'], '--prs'],
  [['demo', '--latency', '1s'], '--latency'],
  [['run', '--chunksize', '5'], '--chunksize'],
];

describe('an invalid flag value', () => {
  test.each(CASES)('%j is rejected naming %s, exit 2, nothing opened', async (args, flag) => {
    const withDir =
      args.includes('--database-url') || args.includes('--supabase-url') || args.includes('--data-dir')
        ? args
        : [...args, '--data-dir', dataDir];
    const { code, stdout, stderr } = await runMain(withDir, ENV);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(flag);
    expect(stderr).toMatch(/--help/);
    expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(existsSync(dataDir), 'the embedded database folder must not be created').toBe(false);
  });

  test('a database password in a rejected value is never printed', async () => {
    const { code, stderr } = await runMain(
      [
        'run',
        '--database-url',
        'postgres://u:s3cretpw@db.example/x',
        '--supabase-url',
        'https://x.supabase.co',
      ],
      ENV,
    );
    expect(code).toBe(2);
    expect(stderr).not.toContain('s3cretpw');
  });

  test('a missing GitHub token is named, before any database is created', async () => {
    const { code, stderr } = await runMain(['run', '--repo', 'a/b', '--data-dir', dataDir], {});
    expect(code).toBe(2);
    expect(stderr).toContain('GITHUB_TOKEN');
    expect(existsSync(dataDir)).toBe(false);
  });

  test('an unknown subcommand is bad input', async () => {
    const { code, stderr } = await runMain(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('frobnicate');
  });

  test('the real process exits with 2 and one line naming the flag', async () => {
    const { code, stdout, stderr } = await runCli(
      ['run', '--repo', 'a/b', '--chunk-size', '25abc', '--data-dir', dataDir],
      ENV,
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--chunk-size.*25abc.*whole number from 1 to 100/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
