/**
 * The GitHub client for a GitHub App: one ordinary client per installation, each sending that installation's
 * tokens, and every call routed by the repository owner it concerns. Each installation has its own rate limit, so
 * `budgetFor` tells the engine which budget an owner's repositories draw on.
 */
import {
  createGitHubApp,
  type GitHubApp,
  type GitHubAppCredentials,
  type GitHubAppOptions,
} from './auth-app.ts';
import { createGitHubClient, type GitHubClientOptions } from './client.ts';
import { type GitHubBudget, type GitHubClient, GitHubError, type RepositoryInfo } from './types.ts';

export type GitHubAppClientOptions = Omit<GitHubClientOptions, 'token' | 'tokenSource' | 'apiUrl'> &
  GitHubAppOptions;

interface Ref {
  owner: string;
  name: string;
}

export function createGitHubAppClient(
  credentials: GitHubAppCredentials,
  options: GitHubAppClientOptions,
): GitHubClient {
  const app: GitHubApp = createGitHubApp(credentials, options);
  const { now: _now, renewBeforeMs: _renew, onToken: _onToken, ...clientOptions } = options;
  const clients = new Map<number, GitHubClient>();
  const clientOf = (installationId: number): GitHubClient => {
    let client = clients.get(installationId);
    if (!client) {
      client = createGitHubClient({ ...clientOptions, tokenSource: () => app.token(installationId) });
      clients.set(installationId, client);
    }
    return client;
  };
  // Pricing a query needs no token and no network.
  const pricing = createGitHubClient({ ...clientOptions, token: '' });

  const budgetFor = async (owner: string): Promise<GitHubBudget> => {
    const installationId = await app.installationFor(owner);
    if (installationId === null) {
      throw new GitHubError(
        'not_found',
        `GitHub App ${app.appId} is not installed on ${owner}: install it on ${owner} (or give it access to the ` +
          'repository) and run again.',
      );
    }
    return { key: `installation:${installationId}`, github: clientOf(installationId) };
  };

  const lookupRepositories = async (refs: Ref[]) => {
    const byOwner = new Map<string, Ref[]>();
    for (const ref of refs) {
      const key = ref.owner.toLowerCase();
      byOwner.set(key, [...(byOwner.get(key) ?? []), ref]);
    }
    const found: RepositoryInfo[] = [];
    const missing: Ref[] = [];
    let rateLimit: Awaited<ReturnType<GitHubClient['rateLimit']>> | undefined;
    for (const group of byOwner.values()) {
      const installationId = await app.installationFor(group[0]!.owner);
      if (installationId === null) {
        missing.push(...group); // the app cannot see repositories of an owner it is not installed on
        continue;
      }
      const result = await clientOf(installationId).lookupRepositories(group);
      found.push(...result.found);
      missing.push(...result.missing);
      rateLimit = result.rateLimit;
    }
    return {
      found,
      missing,
      rateLimit: rateLimit ?? (await clientOf(await app.firstInstallation()).rateLimit()),
    };
  };

  return {
    budgetFor,
    rateLimit: async () => clientOf(await app.firstInstallation()).rateLimit(),
    lookupRepositories,
    listOwnerRepositories: async (owner) => (await budgetFor(owner)).github.listOwnerRepositories(owner),
    fetchPullRequests: async (request) => (await budgetFor(request.owner)).github.fetchPullRequests(request),
    fetchUpdatedPullRequests: async (request) =>
      (await budgetFor(request.owner)).github.fetchUpdatedPullRequests(request),
    fetchFollowUps: async (request) => (await budgetFor(request.owner)).github.fetchFollowUps(request),
    predictCost: (request) => pricing.predictCost(request),
  };
}
