/**
 * The GitHub client the engine uses: @octokit/core with the throttling and retry plugins, configured so that
 * GitHub's own signals (secondary limits, transient failures) are honoured here while pacing against the primary
 * budget is left to the engine's planner. It never loads the GraphQL schema, keeping the action bundle small.
 */
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';
import { RequestError } from '@octokit/request-error';
// @ts-types="bottleneck"
import Bottleneck from 'bottleneck/light.js';
import type { FieldProfile } from '../domain/pull-request.ts';
import { queryCost } from './cost.ts';
import {
  classifyResponse,
  type FailureContext,
  type GraphQLErrorEntry,
  graphqlErrors,
  toGitHubError,
} from './errors.ts';
import { mapPullRequestNodes } from './map.ts';
import {
  LOOKUP_BATCH_SIZE,
  lookupAlias,
  OWNER_REPOSITORIES_QUERY,
  pullRequestPageQuery,
  pullRequestPageVariables,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  repositoryLookupVariables,
  updatedPullRequestsQuery,
  updatedPullRequestsVariables,
} from './queries.ts';
import {
  type GitHubClient,
  GitHubError,
  type PageRequest,
  type PageResult,
  type PageWindow,
  type RateLimitState,
  type RepositoryInfo,
  type UpdatedPageRequest,
} from './types.ts';

export interface GitHubClientOptions {
  /** a fixed token (personal access token, Actions token) … */
  token?: string;
  /** … or a source of short-lived ones (a GitHub App installation), asked before every request */
  tokenSource?: () => Promise<string>;
  /** REST base: https://api.github.com, or https://host/api/v3 on GitHub Enterprise Server (GraphQL at /api/graphql) */
  apiUrl?: string;
  /** per attempt; default 30 s (GitHub itself gives up after 10 s) */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** transient failures (5xx, "Something went wrong", timeouts, resets) are retried at the same size this often */
  retry?: { retries: number; minTimeoutMs?: number };
  /**
   * Secondary limits are waited out as GitHub says (retry-after) up to `maxRetries` times. The wait for a
   * retry-after of N seconds is N × scaleWaitMs(1000) ms (the plugin scales linearly), so tests pass `() => 0`.
   */
  secondaryLimit?: { maxRetries: number; scaleWaitMs?: (ms: number) => number };
  userAgent?: string;
  /** GraphQL requests in flight at once for this client */
  maxConcurrent?: number;
}

export interface GraphQLCallOptions {
  action?: string;
  repository?: string;
  /** errors the caller handles itself (a lookup's missing repositories); any other error throws */
  tolerate?: (error: GraphQLErrorEntry) => boolean;
}

export interface GraphQLResult<T> {
  data: T;
  /** only tolerated errors can appear here */
  errors: GraphQLErrorEntry[];
  headers: Record<string, string>;
}

export interface GitHubClientWithGraphQL extends GitHubClient {
  graphql<T>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GraphQLCallOptions,
  ): Promise<GraphQLResult<T>>;
}

const DEFAULT_API_URL = 'https://api.github.com';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONCURRENT = 4;
/** GHES with rate limiting disabled reports no budget; the planner then sees an effectively unlimited one. */
const UNLIMITED = 1_000_000_000;

/** GitHub's GraphQL endpoint for a REST base URL (github.com or GHES). */
export function graphqlBaseUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v3') ? trimmed.slice(0, -'/v3'.length) : trimmed;
}

/**
 * A 200 response whose errors say "secondary rate limit" becomes a 403 RequestError here, the innermost layer, so
 * the throttling plugin waits it out exactly as it does for a 403 one.
 */
function secondaryLimitAsError(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    const response = await request(options);
    const errors = graphqlErrors(response.data);
    const secondary = errors.find((error) => /secondary rate limit|abuse detection/i.test(error.message));
    if (secondary) {
      throw new RequestError(secondary.message, 403, { request: options, response });
    }
    return response;
  });
}

const BackfillOctokit = Octokit.plugin(secondaryLimitAsError, retry, throttling);

export function createGitHubClient(options: GitHubClientOptions): GitHubClientWithGraphQL {
  // every token this client has sent, so none can leak through an error message
  const tokens = new Set<string>(options.token ? [options.token] : []);
  const currentToken = options.tokenSource ?? (async () => options.token ?? '');
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const graphqlBase = graphqlBaseUrl(apiUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const maxSecondaryRetries = options.secondaryLimit?.maxRetries ?? 2;
  const scaleWaitMs = options.secondaryLimit?.scaleWaitMs ?? ((ms: number) => ms);

  // A fresh timeout per attempt: one signal shared by a request and its retries would already be spent.
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };

  const throttleOptions: ThrottlingOptions & { global: Bottleneck.Group } = {
    // Unique id: the plugin's default groups are process-wide and keyed by id.
    id: `progressive-backfill-${crypto.randomUUID()}`,
    // By default every GraphQL request passes the `write` group: one at a time, 1 s apart (~3,600 pages/hour).
    // GraphQL reads are not mutations; the engine's budget planner paces them, so `write` lets them through.
    write: new Bottleneck.Group({ maxConcurrent: null, minTime: 0 }),
    // The plugin runs every request in its `global` group (an option its types omit); ours bounds this client.
    global: new Bottleneck.Group({
      maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      minTime: 0,
    }),
    retryAfterBaseValue: scaleWaitMs(1000),
    onSecondaryRateLimit: (_retryAfter, _request, _octokit, retryCount) => retryCount < maxSecondaryRetries,
    // The primary budget is the engine's to manage: it pauses the repository until the reset.
    onRateLimit: () => false,
  };

  const octokit = new BackfillOctokit({
    baseUrl: apiUrl,
    userAgent: options.userAgent ?? 'progressive-backfill',
    request: { fetch: timedFetch },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: {
      retries: options.retry?.retries ?? 1,
      retryAfterBaseValue: options.retry?.minTimeoutMs ?? 1000,
      // 429 is a rate limit, answered by the throttling plugin, not a transient failure.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: throttleOptions,
  });
  octokit.hook.before('request', async (requestOptions) => {
    const token = await currentToken();
    if (token) tokens.add(token);
    requestOptions.headers.authorization = `bearer ${token}`;
  });

  const context = (action: string, repository?: string): FailureContext => ({
    action,
    repository,
    timeoutMs,
  });

  function redacted(error: GitHubError): GitHubError {
    const cause = safeStringify(error.details.cause);
    const leaked = [...tokens].filter((token) => error.message.includes(token) || cause.includes(token));
    if (leaked.length === 0) return error;
    const message = leaked.reduce((text, token) => text.split(token).join('[redacted]'), error.message);
    return new GitHubError(error.kind, message, {
      status: error.details.status,
      retryAfterMs: error.details.retryAfterMs,
      resetAt: error.details.resetAt,
    });
  }

  async function graphql<T>(
    query: string,
    variables: Record<string, unknown> = {},
    callOptions: GraphQLCallOptions = {},
  ): Promise<GraphQLResult<T>> {
    const failure = context(callOptions.action ?? 'querying GitHub', callOptions.repository);
    let response: Awaited<ReturnType<typeof octokit.request>>;
    try {
      response = await octokit.request('POST /graphql', { baseUrl: graphqlBase, query, variables });
    } catch (error) {
      throw redacted(toGitHubError(error, failure));
    }
    const headers = response.headers as Record<string, string>;
    const body = response.data as { data?: T | null; errors?: unknown } | string;
    if (typeof body !== 'object' || body === null) {
      throw new GitHubError(
        'transient',
        `GitHub sent an unreadable response while ${failure.action} (HTTP ${response.status}); it will be retried.`,
        { status: response.status },
      );
    }
    const errors = graphqlErrors(body);
    const blocking = errors.filter((error) => !callOptions.tolerate?.(error));
    if (blocking.length > 0 || body.data === null || body.data === undefined) {
      throw redacted(
        classifyResponse({ status: response.status, headers, body: { ...body, errors: blocking } }, failure),
      );
    }
    return { data: body.data, errors, headers };
  }

  async function rateLimit(): Promise<RateLimitState> {
    // REST /rate_limit is documented as free and reports the GraphQL budget. Where it is missing or odd (GHES
    // without rate limiting answers 404; proxies and look-alikes vary) the GraphQL rateLimit field answers instead.
    try {
      const response = await octokit.request('GET /rate_limit');
      const graphqlBudget = (response.data as { resources?: { graphql?: RestBudget } }).resources?.graphql;
      if (graphqlBudget) {
        return {
          limit: graphqlBudget.limit,
          remaining: graphqlBudget.remaining,
          used: graphqlBudget.used,
          resetAt: new Date(graphqlBudget.reset * 1000).toISOString(),
          cost: 0,
          nodeCount: 0,
        };
      }
    } catch (error) {
      const classified = toGitHubError(error, context('reading the rate limit'));
      if (classified.kind === 'auth') throw redacted(classified);
    }
    const { data, headers } = await graphql<{ rateLimit: GraphQLRateLimit | null }>(
      RATE_LIMIT_QUERY,
      {},
      {
        action: 'reading the rate limit',
      },
    );
    return rateLimitState(data.rateLimit, headers, 0);
  }

  async function fetchPullRequests(request: PageRequest): Promise<PageResult> {
    const query = pullRequestPageQuery(request.profile, {
      forward: request.forward !== undefined,
      backward: request.backward !== undefined,
    });
    const variables = pullRequestPageVariables(request);
    const predictedCost = queryCost(query, variables).cost;
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql<PageData>(query, variables, {
      action: `fetching pull requests of ${repository}`,
      repository,
    });
    const repo = requireRepository(data.repository, repository);
    const forward = repo.forward ? pageWindow(repo.forward, request.profile, 'forward') : undefined;
    const backward = repo.backward ? pageWindow(repo.backward, request.profile, 'backward') : undefined;
    return {
      totalCount: repo.forward?.totalCount ?? repo.backward?.totalCount ?? 0,
      ...(forward && { forward: forward.window }),
      ...(backward && { backward: backward.window }),
      skippedNodes: (forward?.skipped ?? 0) + (backward?.skipped ?? 0),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost,
    };
  }

  async function fetchUpdatedPullRequests(request: UpdatedPageRequest): Promise<PageResult> {
    const query = updatedPullRequestsQuery(request.profile);
    const variables = updatedPullRequestsVariables(request);
    const predictedCost = queryCost(query, variables).cost;
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql<PageData>(query, variables, {
      action: `fetching recently updated pull requests of ${repository}`,
      repository,
    });
    const repo = requireRepository(data.repository, repository);
    const updated = repo.updated ? pageWindow(repo.updated, request.profile, 'forward') : undefined;
    return {
      totalCount: repo.updated?.totalCount ?? 0,
      ...(updated && { forward: updated.window }),
      skippedNodes: updated?.skipped ?? 0,
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost,
    };
  }

  async function lookupRepositories(refs: { owner: string; name: string }[]) {
    const found: RepositoryInfo[] = [];
    const missing: { owner: string; name: string }[] = [];
    let budget: RateLimitState | undefined;
    for (let start = 0; start < refs.length; start += LOOKUP_BATCH_SIZE) {
      const batch = refs.slice(start, start + LOOKUP_BATCH_SIZE);
      const query = repositoryLookupQuery(batch.length);
      const variables = repositoryLookupVariables(batch);
      const aliases = new Set(batch.map((_, i) => lookupAlias(i)));
      const { data, headers } = await graphql<
        Record<string, LookupNode | null> & { rateLimit: GraphQLRateLimit | null }
      >(query, variables, {
        action: `looking up ${batch.length} repositor${batch.length === 1 ? 'y' : 'ies'}`,
        tolerate: (error) =>
          error.type === 'NOT_FOUND' && error.path?.length === 1 && aliases.has(String(error.path[0])),
      });
      batch.forEach((ref, i) => {
        const node = data[lookupAlias(i)] as LookupNode | null | undefined;
        if (!node || node.databaseId === null || node.databaseId === undefined) {
          missing.push(ref);
          return;
        }
        // The requested owner/name is kept so callers can match answers to their refs even across renames.
        found.push({
          owner: ref.owner,
          name: ref.name,
          githubId: String(node.databaseId),
          nodeId: node.id,
          prTotalCount: node.pullRequests.totalCount,
          isPrivate: node.isPrivate,
        });
      });
      budget = rateLimitState(data.rateLimit, headers, queryCost(query, variables).cost);
    }
    return { found, missing, rateLimit: budget ?? (await rateLimit()) };
  }

  async function listOwnerRepositories(owner: string): Promise<{ owner: string; name: string }[]> {
    const repositories: { owner: string; name: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const result: GraphQLResult<OwnerRepositoriesData> = await graphql<OwnerRepositoriesData>(
        OWNER_REPOSITORIES_QUERY,
        { login: owner, after },
        { action: `listing the repositories of ${owner}` },
      );
      const owned = result.data.repositoryOwner;
      if (!owned) {
        throw new GitHubError(
          'not_found',
          `${owner} is not a user or organisation that exists or that the token can see. Check the spelling of "${owner}/*".`,
        );
      }
      const page = owned.repositories;
      for (const node of page.nodes ?? []) {
        if (node) repositories.push({ owner: node.owner.login, name: node.name });
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return repositories;
      after = page.pageInfo.endCursor;
    }
  }

  function predictCost(request: PageRequest | UpdatedPageRequest): number {
    if ('first' in request) {
      return queryCost(updatedPullRequestsQuery(request.profile), updatedPullRequestsVariables(request)).cost;
    }
    const query = pullRequestPageQuery(request.profile, {
      forward: request.forward !== undefined,
      backward: request.backward !== undefined,
    });
    return queryCost(query, pullRequestPageVariables(request)).cost;
  }

  return {
    graphql,
    rateLimit,
    lookupRepositories,
    listOwnerRepositories,
    fetchPullRequests,
    fetchUpdatedPullRequests,
    predictCost,
  };
}

interface RestBudget {
  limit: number;
  remaining: number;
  used: number;
  reset: number;
}

interface GraphQLRateLimit {
  cost: number;
  remaining: number;
  resetAt: string;
  limit: number;
  used: number;
  nodeCount: number;
}

interface Connection {
  totalCount: number;
  pageInfo: {
    endCursor?: string | null;
    hasNextPage?: boolean;
    startCursor?: string | null;
    hasPreviousPage?: boolean;
  };
  nodes: unknown[] | null;
}

interface PageData {
  repository: { forward?: Connection; backward?: Connection; updated?: Connection } | null;
  rateLimit: GraphQLRateLimit | null;
}

interface LookupNode {
  databaseId: number | null;
  id: string;
  name: string;
  owner: { login: string };
  isPrivate: boolean;
  pullRequests: { totalCount: number };
}

interface OwnerRepositoriesData {
  repositoryOwner: {
    login: string;
    repositories: {
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      nodes: ({ name: string; owner: { login: string } } | null)[] | null;
    };
  } | null;
}

function requireRepository<T>(repository: T | null, fullName: string): T {
  if (repository === null) {
    throw new GitHubError('not_found', `${fullName} does not exist or the token cannot see it.`);
  }
  return repository;
}

function pageWindow(
  connection: Connection,
  profile: FieldProfile,
  direction: 'forward' | 'backward',
): { window: PageWindow; skipped: number } {
  const { records, skipped } = mapPullRequestNodes(connection.nodes, profile);
  const window: PageWindow =
    direction === 'forward'
      ? {
          nodes: records,
          cursor: connection.pageInfo.endCursor ?? null,
          hasMore: connection.pageInfo.hasNextPage ?? false,
        }
      : {
          nodes: records,
          cursor: connection.pageInfo.startCursor ?? null,
          hasMore: connection.pageInfo.hasPreviousPage ?? false,
        };
  return { window, skipped };
}

/** The budget after a request: from the response's `rateLimit`, else its headers, else (GHES, no limits) unlimited. */
function rateLimitState(
  rateLimit: GraphQLRateLimit | null | undefined,
  headers: Record<string, string>,
  predictedCost: number,
): RateLimitState {
  if (rateLimit) return { ...rateLimit };
  const limit = Number(headers['x-ratelimit-limit']);
  const remaining = Number(headers['x-ratelimit-remaining']);
  const reset = Number(headers['x-ratelimit-reset']);
  if (
    Number.isFinite(limit) &&
    Number.isFinite(remaining) &&
    Number.isFinite(reset) &&
    headers['x-ratelimit-limit']
  ) {
    return {
      limit,
      remaining,
      used: Number(headers['x-ratelimit-used'] ?? limit - remaining),
      resetAt: new Date(reset * 1000).toISOString(),
      cost: predictedCost,
      nodeCount: 0,
    };
  }
  return {
    limit: UNLIMITED,
    remaining: UNLIMITED,
    used: 0,
    resetAt: new Date(Date.now() + 3_600_000).toISOString(),
    cost: predictedCost,
    nodeCount: 0,
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
