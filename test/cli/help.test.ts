import { describe, expect, test } from 'vitest';
import { runMain } from './cli-harness.ts';

const SUBCOMMANDS = ['run', 'status', 'recover', 'track', 'migrate', 'demo'];

const FLAGS: Record<string, string[]> = {
  run: [
    '--repo',
    '--repository-id',
    '--chunk-size',
    '--max-chunks',
    '--dry-run',
    '--database-url',
    '--supabase-url',
    '--data-dir',
    '--github-api-url',
    '--field-profile',
    '--json',
    '--completeness-threshold',
    '--min-prs',
    '--time-budget',
    '--concurrency',
    '--reserve-points',
    '--worker-id',
  ],
  status: ['--database-url', '--supabase-url', '--data-dir', '--json'],
  recover: ['--requeue-limit', '--grace-seconds', '--database-url', '--supabase-url', '--data-dir', '--json'],
  track: [
    '--repo',
    '--priority',
    '--database-url',
    '--supabase-url',
    '--data-dir',
    '--github-api-url',
    '--json',
  ],
  migrate: ['--database-url', '--data-dir', '--json'],
  demo: ['--prs', '--latency', '--data-dir', '--json', '--chunk-size', '--field-profile'],
};

describe('--help', () => {
  test('lists every subcommand, the environment variables and the exit codes', async () => {
    const { code, stdout } = await runMain(['--help']);
    expect(code).toBe(0);
    for (const name of SUBCOMMANDS) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(stdout).toContain('GITHUB_TOKEN');
    for (const exit of ['0', '1', '2', '3', '4', '5', '130'])
      expect(stdout).toMatch(new RegExp(`^  ${exit} +\\S`, 'm'));
  });

  test.each(SUBCOMMANDS)('%s --help lists each of its flags', async (name) => {
    const { code, stdout } = await runMain([name, '--help']);
    expect(code).toBe(0);
    for (const flag of FLAGS[name]!) expect(stdout, flag).toMatch(new RegExp(`^  ${flag}\\b`, 'm'));
  });

  test('--version prints the package version', async () => {
    const { code, stdout } = await runMain(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
