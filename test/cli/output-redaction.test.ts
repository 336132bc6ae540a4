import { describe, expect, test } from 'vitest';
import { createContext } from '../../src/cli/context.ts';

function capture(env: Record<string, string>, argv: string[]) {
  const written: string[] = [];
  const sink = { write: (text: string) => written.push(text) };
  const ctx = createContext({ stdout: sink, stderr: sink, env, isTTY: false }, argv);
  return { ctx, written };
}

describe('CLI output', () => {
  test('never shows a database password, from the userinfo or a query parameter, a flag or the environment', () => {
    const { ctx, written } = capture(
      { PB_DATABASE_URL: 'postgres://app:env-user-pw@db/x?sslpassword=env-ssl-pw' },
      [
        'node',
        'progressive-backfill',
        'run',
        '--database-url=postgres://app@db/x?password=flag%20query%20pw',
      ],
    );
    ctx.out('echoed: env-user-pw env-ssl-pw flag query pw flag%20query%20pw');
    ctx.err('echoed: env-ssl-pw');
    expect(written).toEqual([
      'echoed: [REDACTED] [REDACTED] [REDACTED] [REDACTED]\n',
      'echoed: [REDACTED]\n',
    ]);
  });

  test('never shows a token, whether configured or only shaped like one', () => {
    const { ctx, written } = capture({ GITHUB_TOKEN: 'an-opaque-enterprise-token' }, []);
    ctx.err('rejected an-opaque-enterprise-token and TOKEN_ghp_16C7e42F292c6912E7710c838347Ae178B4a');
    expect(written).toEqual(['rejected [REDACTED] and TOKEN_[REDACTED]\n']);
  });
});
