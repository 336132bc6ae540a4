import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliEnvironment, startCliEnvironment } from './cli-environment.ts';
import { runMain } from './cli-harness.ts';

describe('--chunk-size', () => {
  let env: CliEnvironment;
  beforeAll(async () => {
    env = await startCliEnvironment({
      seed: 25,
      repositories: [{ owner: 'acme', name: 'pages', pullRequests: 260 }],
    });
  });
  afterAll(() => env?.close());

  test('25 asks GitHub for pages of exactly 25 pull requests', async () => {
    const { code } = await runMain(
      ['run', '--repo', 'acme/pages', '--chunk-size', '25', ...env.flags],
      env.env,
    );
    expect(code).toBe(0);
    const pages = env.sim.requests.filter((r) => r.operationName === 'PullRequestPage');
    // up to six windows of 25 per request
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(260 / 150));
    const sizes = pages
      .flatMap((r) => Object.entries(r.variables ?? {}))
      .filter(([name]) => /(First|Last)$/.test(name))
      .map(([, size]) => size);
    expect(new Set(sizes)).toEqual(new Set([25]));
    const { rows } = await env.db.client.query(
      'select count(*)::int as n from progressive_backfill.pull_requests',
    );
    expect(rows[0].n).toBe(260);
  });
});
