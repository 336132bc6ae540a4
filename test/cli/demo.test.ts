import { describe, expect, test } from 'vitest';
import { runCli } from './cli-harness.ts';

describe('demo', () => {
  test('backfills the simulated organisation offline and verifies it against the ground truth', async () => {
    // no token, no database flags, no network beyond loopback
    const { code, stdout, stderr } = await runCli(['demo', '--prs', '300']);
    expect(stderr).not.toMatch(/^error|NOT verified/m);
    expect(code).toBe(0);
    // 0 + 300 + 300 pull requests in demo-org/empty, demo-org/widgets and demo-org/platform
    expect(stdout).toMatch(/^verified: 600 pull requests identical to GitHub's ground truth$/m);
    expect(stdout).toMatch(/demo-org\/platform\s+completed/);
  });
});
