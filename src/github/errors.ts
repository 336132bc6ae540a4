/**
 * Every way a GitHub call can fail, reduced to one `GitHubError` kind with a message the user can act on. Inputs
 * are plain status/headers/body (or a thrown error), so the rules are the same whatever HTTP client produced them.
 */
import { GitHubError } from './types.ts';

export interface FailureContext {
  /** what was being done, for the message: "fetching pull requests of octo/repo" */
  action: string;
  /** owner/name when the call was about one repository */
  repository?: string;
  timeoutMs?: number;
  now?: () => number;
}

export interface GraphQLErrorEntry {
  type?: string;
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface HttpOutcome {
  status: number;
  headers: Record<string, string | number | undefined>;
  body: unknown;
}

const DEFAULT_SECONDARY_WAIT_MS = 60_000;
const SECONDARY_LIMIT = /secondary rate limit|abuse detection/i;
const SOMETHING_WENT_WRONG = /something went wrong while executing your query/i;
const GITHUB_TIMEOUT = /couldn't respond to your request in time|timed? ?out|timeout/i;
const RESOURCE_LIMITS = /resource limits for this query exceeded/i;
const VALIDATION_TYPES = new Set([
  'MAX_NODE_LIMIT_EXCEEDED',
  'EXCESSIVE_PAGINATION',
  'ARGUMENT_LIMIT',
  'UNPROCESSABLE',
]);
const TRANSIENT_TYPES = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL', 'TIMEOUT', 'RESOURCE_LIMITS_EXCEEDED']);
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const NETWORK_MESSAGES = /socket hang up|fetch failed|other side closed|network|ECONNRESET|terminated/i;

const PERMISSION_HELP =
  'A classic personal access token needs the `repo` scope (`public_repo` is enough for public repositories); a ' +
  'fine-grained token or GitHub App installation needs the "Pull requests: read" (and "Metadata: read") permission ' +
  'on the repository.';

/** The GraphQL `errors` array of a response body, if it has one. */
export function graphqlErrors(body: unknown): GraphQLErrorEntry[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error): GraphQLErrorEntry[] =>
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
      ? [error as GraphQLErrorEntry]
      : [],
  );
}

/** Classify a response that failed: a 4xx/5xx, or a 200 whose body carries GraphQL `errors`. */
export function classifyResponse(outcome: HttpOutcome, context: FailureContext): GitHubError {
  const { status } = outcome;
  const headers = lowerCaseKeys(outcome.headers);
  const errors = graphqlErrors(outcome.body);
  const text = responseText(outcome.body, errors);
  const types = new Set(errors.map((error) => error.type).filter((type): type is string => Boolean(type)));
  const details = { status, cause: { status, headers: safeHeaders(headers), body: outcome.body } };
  const now = context.now ?? Date.now;

  if (SECONDARY_LIMIT.test(text)) {
    const retryAfterMs = secondaryWaitMs(headers, now());
    return new GitHubError(
      'secondary_rate_limit',
      `GitHub's secondary rate limit stopped ${context.action}; waiting ${Math.ceil(retryAfterMs / 1000)} s ` +
        'before trying again. If this keeps happening, lower the concurrency or the page size.',
      { ...details, retryAfterMs },
    );
  }

  const remainingZero = String(headers['x-ratelimit-remaining'] ?? '') === '0';
  if (
    types.has('RATE_LIMITED') ||
    (remainingZero && (status === 403 || status === 429 || errors.length > 0))
  ) {
    const resetAt = resetAtFrom(headers, outcome.body);
    return new GitHubError(
      'primary_rate_limit',
      `GitHub's GraphQL rate limit for this token is used up (${context.action}); it resets at ${resetAt ?? 'the top of the hour'}. ` +
        'The run pauses until then; a GitHub App installation token has a larger budget than a personal token.',
      { ...details, resetAt },
    );
  }

  if (status === 401) {
    return new GitHubError(
      'auth',
      `GitHub rejected the token (401 ${text || 'Bad credentials'}): the token is invalid or expired. ` +
        'Create a new token and update the secret or input that holds it.',
      details,
    );
  }

  if (
    TRANSIENT_STATUSES.has(status) ||
    [...types].some((type) => TRANSIENT_TYPES.has(type)) ||
    SOMETHING_WENT_WRONG.test(text) ||
    RESOURCE_LIMITS.test(text) ||
    (status >= 500 && GITHUB_TIMEOUT.test(text))
  ) {
    return new GitHubError(
      'transient',
      `GitHub failed while ${context.action} (HTTP ${status}: ${summary(text)}). This is usually a timeout on ` +
        "GitHub's side; a smaller page usually gets through.",
      details,
    );
  }

  const samlBlocked = /SAML/i.test(text);
  if (
    types.has('FORBIDDEN') ||
    types.has('INSUFFICIENT_SCOPES') ||
    status === 403 ||
    /resource not accessible/i.test(text)
  ) {
    const help = samlBlocked
      ? "The organisation enforces SAML single sign-on: authorise the token for that organisation in the token's SSO settings."
      : PERMISSION_HELP;
    return new GitHubError(
      'permission',
      `The token is not allowed to do this: ${context.action} (GitHub: ${summary(text)}). ${help}`,
      details,
    );
  }

  // A NOT_FOUND deeper than the root field is about one nested object, not the repository: that is partial data.
  const rootNotFound = errors.some((error) => error.type === 'NOT_FOUND' && (error.path?.length ?? 0) <= 1);
  if (rootNotFound || status === 404) {
    const target = context.repository ?? repositoryFromMessage(text) ?? 'the requested repository';
    return new GitHubError(
      'not_found',
      `${target} does not exist or the token cannot see it (GitHub: ${summary(text)}). Check the spelling, and for a ` +
        'private repository that the token has access to it.',
      details,
    );
  }

  if (
    status === 400 ||
    status === 422 ||
    [...types].some((type) => VALIDATION_TYPES.has(type)) ||
    errors.some((error) => error.extensions?.code !== undefined) ||
    (errors.length > 0 && !hasData(outcome.body) && types.size === 0)
  ) {
    return new GitHubError(
      'invalid',
      `GitHub rejected the query sent while ${context.action} as invalid (${summary(text)}). This is a bug in ` +
        'progressive-backfill, not in your setup; please report it with this message.',
      details,
    );
  }

  if (errors.length > 0 && hasData(outcome.body)) {
    return new GitHubError(
      'partial',
      `GitHub answered ${context.action} with partial data and errors (${summary(text)}); the page was discarded ` +
        'and will be fetched again.',
      details,
    );
  }

  return new GitHubError(
    'unknown',
    `GitHub failed while ${context.action} (HTTP ${status}: ${summary(text)}).`,
    details,
  );
}

/** Classify anything thrown by the HTTP layer: an octokit RequestError (a retried one included), a network failure. */
export function toGitHubError(error: unknown, context: FailureContext): GitHubError {
  if (error instanceof GitHubError) return error;
  const response = (
    error as { response?: { status?: number; headers?: HttpOutcome['headers']; data?: unknown } }
  )?.response;
  if (response && typeof response === 'object') {
    return classifyResponse(
      {
        status: (error as { status?: number }).status ?? response.status ?? 0,
        headers: response.headers ?? {},
        body: response.data,
      },
      context,
    );
  }
  return classifyNetworkFailure(error, context);
}

/** Timeouts, resets and refused connections: no HTTP response at all. */
export function classifyNetworkFailure(error: unknown, context: FailureContext): GitHubError {
  const chain = causeChain(error);
  if (chain.some((link) => link.name === 'TimeoutError' || link.name === 'AbortError')) {
    const after = context.timeoutMs === undefined ? '' : ` after ${context.timeoutMs} ms`;
    return new GitHubError(
      'transient',
      `GitHub did not answer${after} while ${context.action}; a smaller page usually gets through.`,
      { cause: error },
    );
  }
  const network = chain.find(
    (link) =>
      (link.code !== undefined && NETWORK_CODES.has(link.code)) || NETWORK_MESSAGES.test(link.message),
  );
  if (network) {
    return new GitHubError(
      'transient',
      `The connection to GitHub failed while ${context.action} (${network.code ?? network.message}); it will be retried. ` +
        'If it persists, check the network and the api-url setting.',
      { cause: error },
    );
  }
  const message = chain[0]?.message ?? String(error);
  return new GitHubError('unknown', `Calling GitHub failed while ${context.action}: ${message}`, {
    cause: error,
  });
}

interface CauseLink {
  name: string;
  message: string;
  code?: string;
}

function causeChain(error: unknown): CauseLink[] {
  const chain: CauseLink[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const link = current as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    chain.push({
      name: typeof link.name === 'string' ? link.name : '',
      message: typeof link.message === 'string' ? link.message : '',
      code: typeof link.code === 'string' ? link.code : undefined,
    });
    current = link.cause;
  }
  return chain;
}

function secondaryWaitMs(headers: Record<string, string>, now: number): number {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined)
    return retryAfter * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0) {
    return Math.max(0, reset * 1000 - now);
  }
  return DEFAULT_SECONDARY_WAIT_MS;
}

function resetAtFrom(headers: Record<string, string>, body: unknown): string | undefined {
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-reset'] !== undefined && Number.isFinite(reset) && reset > 0) {
    return new Date(reset * 1000).toISOString();
  }
  const fromBody = (body as { data?: { rateLimit?: { resetAt?: unknown } | null } | null } | null)?.data
    ?.rateLimit?.resetAt;
  return typeof fromBody === 'string' ? fromBody : undefined;
}

function responseText(body: unknown, errors: GraphQLErrorEntry[]): string {
  if (typeof body === 'string') return body.trim();
  const parts: string[] = [];
  const message = (body as { message?: unknown } | null)?.message;
  if (typeof message === 'string') parts.push(message);
  for (const error of errors) parts.push(error.message);
  return parts.join('; ');
}

function hasData(body: unknown): boolean {
  const data = (body as { data?: unknown } | null)?.data;
  return typeof data === 'object' && data !== null;
}

function summary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return 'no details';
  // HTML error pages (a proxy's 502) are noise; keep the message short either way.
  if (flat.startsWith('<')) return 'an HTML error page';
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function repositoryFromMessage(text: string): string | undefined {
  return /Could not resolve to a Repository with the name '([^']+)'/.exec(text)?.[1];
}

function lowerCaseKeys(headers: HttpOutcome['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[key.toLowerCase()] = String(value);
  }
  return result;
}

/** Only the headers that explain a failure travel with the error; nothing request-side (authorization) ever does. */
function safeHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    if (key.startsWith('x-ratelimit-') || key === 'retry-after' || key === 'x-github-request-id') {
      kept[key] = headers[key]!;
    }
  }
  return kept;
}
