/**
 * How requests reach GitHub: @octokit/core with the layers of request-layers.ts, so that GitHub's own signals
 * (secondary limits, transient failures) are honoured here while pacing against the primary budget is left to the
 * engine's planner. Every failure leaves as a classified, redacted `GitHubError`. What to ask GitHub is the
 * operations' business (client.ts); this module never builds a query and never loads the GraphQL schema.
 *
 * GraphQL goes through `octokit.request` rather than @octokit/graphql: that package returns only `data` on success,
 * and the budget falls back on the response headers where `rateLimit` is null (GHES); it also turns every `errors`
 * entry into a throw, while a repository lookup tolerates its NOT_FOUND entries.
 */
import { redactSecrets } from '../domain/redact.ts';
import {
  classifyResponse,
  type FailureContext,
  type GraphQLErrorEntry,
  graphqlErrors,
  toGitHubError,
} from './errors.ts';
import { graphqlRequestBody } from './json-body.ts';
import { LayeredOctokit, type RequestLayerOptions } from './request-layers.ts';
import { GitHubError } from './types.ts';

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

export interface GitHubTransport {
  graphql<T>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GraphQLCallOptions,
  ): Promise<GraphQLResult<T>>;
  /** a REST GET (the free `/rate_limit`), through the same plugins and error classification */
  get<T>(route: `GET /${string}`, action: string): Promise<T>;
}

const DEFAULT_API_URL = 'https://api.github.com';
const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * GraphQL requests in flight at once by default: as many as the planner puts out for one repository when time binds
 * (a round of six windows split six ways, up to eight number requests); GitHub allows 100 at once across its APIs.
 * Fewer would queue a split round's last requests behind its first, doubling the round's time.
 */
export const DEFAULT_MAX_CONCURRENT = 8;

/** GitHub's GraphQL endpoint for a REST base URL (github.com or GHES). */
export function graphqlBaseUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v3') ? trimmed.slice(0, -'/v3'.length) : trimmed;
}

function createOctokit(options: GitHubClientOptions, apiUrl: string, timeoutMs: number, sent: Set<string>) {
  const currentToken = options.tokenSource ?? (async () => options.token ?? '');
  const baseFetch = options.fetch ?? globalThis.fetch;
  const scaleWaitMs = options.secondaryLimit?.scaleWaitMs ?? ((ms: number) => ms);

  // A fresh timeout per attempt: one signal shared by a request and its retries would already be spent.
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };

  const layers: RequestLayerOptions = {
    transientRetry: {
      retries: options.retry?.retries ?? 1,
      minTimeoutMs: options.retry?.minTimeoutMs ?? 1000,
    },
    secondaryLimit: {
      maxRetries: options.secondaryLimit?.maxRetries ?? 2,
      waitMsPerSecond: scaleWaitMs(1000),
    },
    maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
  };
  const octokit = new LayeredOctokit({
    baseUrl: apiUrl,
    userAgent: options.userAgent ?? 'progressive-backfill',
    request: { fetch: timedFetch },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    layers,
  });
  octokit.hook.before('request', async (requestOptions) => {
    const token = await currentToken();
    if (token) sent.add(token);
    requestOptions.headers.authorization = `bearer ${token}`;
  });
  return octokit;
}

/**
 * The error as callers may log and store it: its message redacted (every token sent, and anything shaped like a
 * credential), and rebuilt without its cause when that carries a token.
 */
function withoutTokens(error: GitHubError, tokens: Iterable<string>): GitHubError {
  const known = [...tokens];
  const message = redactSecrets(error.message, known);
  const cause = safeStringify(error.details.cause);
  const causeLeaks = known.some((token) => token !== '' && cause.includes(token));
  if (message === error.message && !causeLeaks) return error;
  return new GitHubError(error.kind, message, {
    status: error.details.status,
    retryAfterMs: error.details.retryAfterMs,
    resetAt: error.details.resetAt,
  });
}

export function createTransport(options: GitHubClientOptions): GitHubTransport {
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const graphqlBase = graphqlBaseUrl(apiUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // every token this transport has sent (an App's are renewed hourly), so none can leak through an error
  const sent = new Set<string>(options.token ? [options.token] : []);
  const octokit = createOctokit(options, apiUrl, timeoutMs, sent);
  const failure = (action: string, repository?: string): FailureContext => ({
    action,
    repository,
    timeoutMs,
  });
  const redacted = (error: GitHubError) => withoutTokens(error, sent);

  async function graphql<T>(
    query: string,
    variables: Record<string, unknown> = {},
    callOptions: GraphQLCallOptions = {},
  ): Promise<GraphQLResult<T>> {
    const context = failure(callOptions.action ?? 'querying GitHub', callOptions.repository);
    let response: Awaited<ReturnType<typeof octokit.request>>;
    try {
      response = await octokit.request('POST /graphql', {
        baseUrl: graphqlBase,
        data: graphqlRequestBody(query, variables),
        request: { parseSuccessResponseBody: false },
      });
    } catch (error) {
      throw redacted(toGitHubError(error, context));
    }
    const headers = response.headers as Record<string, string>;
    const body = response.data as { data?: T | null; errors?: unknown } | string;
    if (typeof body !== 'object' || body === null) {
      throw new GitHubError(
        'transient',
        `GitHub sent an unreadable response while ${context.action} (HTTP ${response.status}); it will be retried.`,
        { status: response.status },
      );
    }
    const errors = graphqlErrors(body);
    const blocking = errors.filter((error) => !callOptions.tolerate?.(error));
    if (blocking.length > 0 || body.data === null || body.data === undefined) {
      throw redacted(
        classifyResponse({ status: response.status, headers, body: { ...body, errors: blocking } }, context),
      );
    }
    return { data: body.data, errors, headers };
  }

  async function get<T>(route: `GET /${string}`, action: string): Promise<T> {
    try {
      const response = await octokit.request(route);
      return response.data as T;
    } catch (error) {
      throw redacted(toGitHubError(error, failure(action)));
    }
  }

  return { graphql, get };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
