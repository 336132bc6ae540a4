import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

const WRONG_TOKEN = 'ghp_revokedtoken0000000000000000000000000';

describe('a token GitHub rejects', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 3,
      repositories: [{ owner: 'acme', name: 'widgets', pullRequests: 40 }],
    });
  });
  afterAll(() => env?.close());

  test('run exits 3 with a message that says what to fix, and never prints the token', async () => {
    const { code, stdout, stderr } = await runMain(['run', '--repo', 'acme/widgets', ...env.flags], {
      GITHUB_TOKEN: WRONG_TOKEN,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/GITHUB_TOKEN/);
    expect(stderr).toMatch(/rejected the token/);
    expect(stdout + stderr).not.toContain(WRONG_TOKEN);
    const { rows } = await env.db.client.query(
      'select count(*)::int as n from progressive_backfill.pull_requests',
    );
    expect(rows[0].n).toBe(0);
  });

  test('track exits 3 the same way', async () => {
    const { code, stdout, stderr } = await runMain(['track', '--repo', 'acme/widgets', ...env.flags], {
      GITHUB_TOKEN: WRONG_TOKEN,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/GITHUB_TOKEN/);
    expect(stdout + stderr).not.toContain(WRONG_TOKEN);
  });
});
