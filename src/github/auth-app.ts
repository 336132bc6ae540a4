/**
 * GitHub App authentication. The app proves itself with a short JWT signed by its private key (@octokit/auth-app
 * signs it), finds the installation on a repository's owner, and trades the JWT for that installation's token,
 * which GitHub lets live one hour. Tokens are renewed a few minutes before they expire, judged on the caller's
 * clock, so a run of any length goes on. Neither the key nor a token is ever logged or stored.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { toGitHubError } from './errors.ts';
import { GitHubError } from './types.ts';

export interface GitHubAppCredentials {
  appId: string;
  /** PEM, PKCS#1 (what GitHub hands out) or PKCS#8 */
  privateKey: string;
  /** when absent, each owner's installation is found through the app's installations */
  installationId?: number;
}

export interface GitHubAppOptions {
  apiUrl: string;
  fetch?: typeof fetch;
  /** the clock expiry is judged on (default Date.now) */
  now?: () => number;
  /** renew a token this long before GitHub's expiry (default 5 minutes) */
  renewBeforeMs?: number;
  /** told each installation token as it is issued, so output redaction knows it */
  onToken?: (token: string) => void;
}

export interface GitHubApp {
  readonly appId: string;
  /** the installation covering an owner's repositories; null when the app is not installed there */
  installationFor(owner: string): Promise<number | null>;
  /** the installation whose budget a run reads before it knows any owner */
  firstInstallation(): Promise<number>;
  /** a valid token of one installation, renewed before it expires */
  token(installationId: number): Promise<string>;
}

const RENEW_BEFORE_MS = 5 * 60_000;
const PAGE_SIZE = 100;

/** Checks the shape of the credentials before anything connects, with a message that says what to fix. */
export function checkAppCredentials(credentials: GitHubAppCredentials): void {
  if (!/^\d+$/.test(credentials.appId)) {
    throw new Error(
      `the GitHub App id must be a number (the app's settings page, "App ID"), got "${credentials.appId}"`,
    );
  }
  if (
    !/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/.test(credentials.privateKey)
  ) {
    throw new Error(
      'the GitHub App private key is not a PEM key: give the whole .pem file GitHub generated, from ' +
        '"-----BEGIN RSA PRIVATE KEY-----" to "-----END RSA PRIVATE KEY-----" (newlines may be written as \\n)',
    );
  }
  const id = credentials.installationId;
  if (id !== undefined && !(Number.isInteger(id) && id > 0)) {
    throw new Error(`the GitHub App installation id must be a positive whole number, got ${id}`);
  }
}

/** A key pasted into a single-line secret keeps its newlines as the two characters `\n`. */
export function normalisePrivateKey(text: string): string {
  return text.includes('\\n') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
}

export function createGitHubApp(credentials: GitHubAppCredentials, options: GitHubAppOptions): GitHubApp {
  checkAppCredentials(credentials);
  const now = options.now ?? Date.now;
  const renewBeforeMs = options.renewBeforeMs ?? RENEW_BEFORE_MS;
  const octokit = new Octokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'progressive-backfill',
    authStrategy: createAppAuth,
    auth: { appId: credentials.appId, privateKey: credentials.privateKey },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });

  const appFailure = (error: unknown, action: string): GitHubError => {
    const classified = toGitHubError(error, { action });
    if (classified.kind !== 'auth') return classified;
    return new GitHubError(
      'auth',
      `GitHub rejected GitHub App ${credentials.appId} while ${action} (${classified.details.status ?? 401}): ` +
        'check the app id and that the private key is a current key of that app.',
      { status: classified.details.status },
    );
  };

  let installations: Promise<Map<string, number>> | null = null;
  const listInstallations = async (): Promise<Map<string, number>> => {
    const byOwner = new Map<string, number>();
    for (let page = 1; ; page++) {
      const response = await octokit
        .request('GET /app/installations', { per_page: PAGE_SIZE, page })
        .catch((error: unknown) => {
          throw appFailure(error, 'listing its installations');
        });
      const entries = response.data as { id: number; account: { login?: string } | null }[];
      for (const entry of entries) {
        if (entry.account?.login) byOwner.set(entry.account.login.toLowerCase(), entry.id);
      }
      if (entries.length < PAGE_SIZE) return byOwner;
    }
  };
  const known = () => {
    installations ??= listInstallations();
    installations.catch(() => {
      installations = null; // a failed listing is tried again on the next question
    });
    return installations;
  };

  const tokens = new Map<number, Promise<{ token: string; expiresAt: number }>>();
  const renew = (installationId: number) => {
    const minted = mint(installationId);
    tokens.set(installationId, minted);
    minted.catch(() => {
      if (tokens.get(installationId) === minted) tokens.delete(installationId);
    });
    return minted;
  };
  const mint = async (installationId: number) => {
    try {
      // refresh: auth-app's own cache judges expiry on the system clock; this module judges it on `now`
      const auth = (await octokit.auth({ type: 'installation', installationId, refresh: true })) as {
        token: string;
        expiresAt: string;
      };
      options.onToken?.(auth.token);
      return { token: auth.token, expiresAt: Date.parse(auth.expiresAt) };
    } catch (error) {
      throw appFailure(error, `getting a token for installation ${installationId}`);
    }
  };

  return {
    appId: credentials.appId,
    async installationFor(owner) {
      if (credentials.installationId !== undefined) return credentials.installationId;
      return (await known()).get(owner.toLowerCase()) ?? null;
    },
    async firstInstallation() {
      if (credentials.installationId !== undefined) return credentials.installationId;
      const first = (await known()).values().next();
      if (first.done) {
        throw new GitHubError(
          'auth',
          `GitHub App ${credentials.appId} is not installed anywhere: install it on the owners of the repositories to backfill.`,
        );
      }
      return first.value;
    },
    async token(installationId) {
      let current = tokens.get(installationId) ?? renew(installationId);
      let { token, expiresAt } = await current;
      if (now() < expiresAt - renewBeforeMs) return token;
      // concurrent callers renew once: only the first to see this token expiring replaces it
      if (tokens.get(installationId) === current) renew(installationId);
      current = tokens.get(installationId) ?? renew(installationId);
      ({ token } = await current);
      return token;
    },
  };
}
