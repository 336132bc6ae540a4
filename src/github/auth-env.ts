/**
 * How the CLI and the scheduled tick authenticate, read from their environment: a GitHub App (GITHUB_APP_ID +
 * GITHUB_APP_PRIVATE_KEY, optionally GITHUB_APP_INSTALLATION_ID) when one is configured, else a token
 * (GITHUB_TOKEN or GH_TOKEN). The Action takes a token input instead (actions/create-github-app-token makes one).
 */
import { createGitHubAppClient, type GitHubAppClientOptions } from './app-client.ts';
import { checkAppCredentials, type GitHubAppCredentials, normalisePrivateKey } from './auth-app.ts';
import { createGitHubClient, type GitHubClientOptions } from './client.ts';
import type { GitHubClient } from './types.ts';

export type GitHubAuth = { kind: 'token'; token: string } | { kind: 'app'; app: GitHubAppCredentials };

/** A setting the environment got wrong; `variable` names it (never its value). */
export class GitHubAuthError extends Error {
  override name = 'GitHubAuthError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

export const APP_ENV = ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID'] as const;

/** The configured authentication, or null when there is none. */
export function githubAuthFromEnv(env: Record<string, string | undefined>): GitHubAuth | null {
  const appId = env.GITHUB_APP_ID?.trim();
  const privateKey = env.GITHUB_APP_PRIVATE_KEY?.trim();
  const installation = env.GITHUB_APP_INSTALLATION_ID?.trim();
  if (appId || privateKey || installation) {
    if (!appId)
      throw new GitHubAuthError('GITHUB_APP_ID', 'GITHUB_APP_ID is not set: a GitHub App needs its id');
    if (!privateKey) {
      throw new GitHubAuthError(
        'GITHUB_APP_PRIVATE_KEY',
        'GITHUB_APP_PRIVATE_KEY is not set: give the contents of the private key (.pem) GitHub generated for the app',
      );
    }
    if (installation && !/^\d+$/.test(installation)) {
      throw new GitHubAuthError(
        'GITHUB_APP_INSTALLATION_ID',
        `GITHUB_APP_INSTALLATION_ID must be a number (leave it unset to find each owner's installation), got "${installation}"`,
      );
    }
    const app: GitHubAppCredentials = {
      appId,
      privateKey: normalisePrivateKey(privateKey),
      ...(installation ? { installationId: Number(installation) } : {}),
    };
    try {
      checkAppCredentials(app);
    } catch (error) {
      throw new GitHubAuthError(
        /key/.test((error as Error).message) ? 'GITHUB_APP_PRIVATE_KEY' : 'GITHUB_APP_ID',
        (error as Error).message,
      );
    }
    return { kind: 'app', app };
  }
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  return token ? { kind: 'token', token } : null;
}

export function createGitHubClientFor(
  auth: GitHubAuth,
  options: Omit<GitHubClientOptions, 'token' | 'tokenSource'> & Partial<GitHubAppClientOptions>,
): GitHubClient {
  if (auth.kind === 'token') return createGitHubClient({ ...options, token: auth.token });
  return createGitHubAppClient(auth.app, { ...options, apiUrl: options.apiUrl ?? 'https://api.github.com' });
}
