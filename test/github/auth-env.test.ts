import { describe, expect, test } from 'vitest';
import { githubAuthFromEnv } from '../../src/github/auth-env.ts';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----';

describe('GitHub authentication from the environment', () => {
  test('a GitHub App wins over a token; a one-line key gets its newlines back', () => {
    const auth = githubAuthFromEnv({
      GITHUB_TOKEN: 'ghp_x',
      GITHUB_APP_ID: '123',
      GITHUB_APP_PRIVATE_KEY: KEY.replace(/\n/g, '\\n'),
      GITHUB_APP_INSTALLATION_ID: '456',
    });
    expect(auth).toEqual({ kind: 'app', app: { appId: '123', privateKey: KEY, installationId: 456 } });
  });

  test('a token alone is a token, and nothing at all is null', () => {
    expect(githubAuthFromEnv({ GH_TOKEN: ' ghp_y ' })).toEqual({ kind: 'token', token: 'ghp_y' });
    expect(githubAuthFromEnv({})).toBeNull();
  });

  test.each([
    [{ GITHUB_APP_PRIVATE_KEY: KEY }, 'GITHUB_APP_ID', /GITHUB_APP_ID is not set/],
    [{ GITHUB_APP_ID: '123' }, 'GITHUB_APP_PRIVATE_KEY', /GITHUB_APP_PRIVATE_KEY is not set/],
    [{ GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: KEY }, 'GITHUB_APP_ID', /must be a number/],
    [{ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'secret' }, 'GITHUB_APP_PRIVATE_KEY', /not a PEM key/],
    [
      { GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: KEY, GITHUB_APP_INSTALLATION_ID: 'acme' },
      'GITHUB_APP_INSTALLATION_ID',
      /must be a number/,
    ],
  ])('%o is refused, naming %s and never the key', (env, variable, message) => {
    let thrown: unknown;
    try {
      githubAuthFromEnv(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ variable, message: expect.stringMatching(message) });
    expect((thrown as Error).message).not.toContain('MIIEabc');
  });
});
