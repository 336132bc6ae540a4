/**
 * Every failure classification, through real HTTP: canned GitHub answers (status, headers, bodies as GitHub sends
 * them) from a loopback server, received by the real client.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.ts';
import { GitHubError, type GitHubErrorKind, type PageRequest } from '../../src/github/types.ts';
import { type GitHubStub, githubHeaders, type StubReply, startGitHubStub } from '../support/github-stub.ts';

const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const RESET_EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z
const REQUEST_ID = 'C0DE:1A2B:3C4D5E:6F7A8B:6790ABCD';
const PAGE: PageRequest = {
  owner: 'octo-org',
  name: 'octo-repo',
  profile: 'core',
  windows: [{ key: 'forward', direction: 'forward', size: 50, cursor: null }],
};

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

function client(overrides: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    token: TOKEN,
    apiUrl: stub.url,
    timeoutMs: 5_000,
    retry: { retries: 0, minTimeoutMs: 0 },
    secondaryLimit: { maxRetries: 0, scaleWaitMs: () => 0 },
    ...overrides,
  });
}

async function failure(reply: StubReply, overrides: Partial<GitHubClientOptions> = {}): Promise<GitHubError> {
  stub.handle(() => reply);
  const error = await client(overrides)
    .fetchPullRequests(PAGE)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(GitHubError);
  expect((error as GitHubError).message).not.toContain(TOKEN);
  return error as GitHubError;
}

const rateLimitJson = {
  cost: 1,
  remaining: 4990,
  resetAt: '2026-01-01T00:00:00Z',
  limit: 5000,
  used: 10,
  nodeCount: 50,
};

describe('primary rate limit', () => {
  it('a 200 with a RATE_LIMITED error and x-ratelimit-remaining: 0 waits for x-ratelimit-reset', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders({ remaining: 0, used: 5000, reset: RESET_EPOCH }),
      body: {
        errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1234567.' }],
      },
    });
    expect(error.kind).toBe('primary_rate_limit');
    expect(error.details.resetAt).toBe('2026-01-01T00:00:00.000Z');
    expect(error.fatal).toBe(false);
  });

  it('a 403 with x-ratelimit-remaining: 0 is the primary limit too', async () => {
    const error = await failure({
      status: 403,
      headers: githubHeaders({ remaining: 0, used: 5000, reset: RESET_EPOCH }),
      body: {
        message: `API rate limit exceeded for user ID 1234567. If you reach out to GitHub Support for help, please include the request ID ${REQUEST_ID}.`,
        documentation_url:
          'https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api',
        status: '403',
      },
    });
    expect(error.kind).toBe('primary_rate_limit');
    expect(error.details.resetAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('without a reset header the reset time comes from rateLimit.resetAt in the body', async () => {
    const error = await failure({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {
        data: { rateLimit: { ...rateLimitJson, remaining: 0, resetAt: '2026-02-03T04:05:06Z' } },
        errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1234567.' }],
      },
    });
    expect(error.kind).toBe('primary_rate_limit');
    expect(error.details.resetAt).toBe('2026-02-03T04:05:06Z');
  });
});

const SECONDARY_MESSAGE = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${REQUEST_ID}.`;
const secondary403: StubReply = {
  status: 403,
  headers: { ...githubHeaders(), 'retry-after': '30' },
  body: {
    message: SECONDARY_MESSAGE,
    documentation_url:
      'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  },
};

describe('secondary rate limit', () => {
  it('a 403 with retry-after gives retryAfterMs from the header', async () => {
    const error = await failure(secondary403);
    expect(error.kind).toBe('secondary_rate_limit');
    expect(error.details.retryAfterMs).toBe(30_000);
  });

  it('a 429 without retry-after waits the default minute', async () => {
    const error = await failure({
      status: 429,
      headers: githubHeaders(),
      body: { message: SECONDARY_MESSAGE },
    });
    expect(error.kind).toBe('secondary_rate_limit');
    expect(error.details.retryAfterMs).toBe(60_000);
  });

  it('a 200 whose GraphQL error says "secondary rate limit" is one too', async () => {
    const error = await failure({
      status: 200,
      headers: { ...githubHeaders(), 'retry-after': '5' },
      body: { data: null, errors: [{ message: SECONDARY_MESSAGE }] },
    });
    expect(error.kind).toBe('secondary_rate_limit');
    expect(error.details.retryAfterMs).toBe(5_000);
  });

  it('is waited out through the throttling plugin up to maxRetries, then the page succeeds', async () => {
    stub.enqueue(secondary403, {
      status: 200,
      headers: { ...githubHeaders(), 'retry-after': '5' },
      body: { data: null, errors: [{ message: SECONDARY_MESSAGE }] },
    });
    stub.handle(() => ({ status: 200, headers: githubHeaders(), body: emptyPage }));
    const page = await client({ secondaryLimit: { maxRetries: 2, scaleWaitMs: () => 0 } }).fetchPullRequests(
      PAGE,
    );
    expect(page.totalCount).toBe(0);
    expect(stub.requests).toHaveLength(3);
  });
});

const emptyPage = {
  data: {
    repository: { forward: { totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false }, nodes: [] } },
    rateLimit: rateLimitJson,
  },
};

const SOMETHING_WENT_WRONG = `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${REQUEST_ID}\` when reporting this issue.`;

describe('transient failures', () => {
  it('a 502 "Something went wrong" is transient and retried only retry.retries times at the same size', async () => {
    const error = await failure(
      {
        status: 502,
        headers: githubHeaders(),
        body: { data: null, errors: [{ message: SOMETHING_WENT_WRONG }] },
      },
      { retry: { retries: 1, minTimeoutMs: 0 } },
    );
    expect(error.kind).toBe('transient');
    expect(stub.requests).toHaveLength(2);
  });

  it('a 200 "Something went wrong" is transient', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders(),
      body: { data: null, errors: [{ message: SOMETHING_WENT_WRONG }] },
    });
    expect(error.kind).toBe('transient');
  });

  it('a 504 "We couldn\'t respond to your request in time" is transient', async () => {
    const error = await failure({
      status: 504,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {
        message:
          "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
        documentation_url:
          'https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#timeouts',
      },
    });
    expect(error.kind).toBe('transient');
  });

  it('a 503 HTML page from the edge is transient', async () => {
    const error = await failure({
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!DOCTYPE html><html><head><title>Unicorn! · GitHub</title></head><body>No server is currently available to service your request.</body></html>',
    });
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('HTML error page');
  });

  it('a connection reset is transient', async () => {
    const error = await failure({ reset: true });
    expect(error.kind).toBe('transient');
  });

  it('a request that times out is transient and names the timeout', async () => {
    const error = await failure({ hang: true }, { timeoutMs: 50 });
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('50 ms');
  });
});

describe('token and permission problems', () => {
  it('401 Bad credentials says the token is invalid or expired, and is not retried', async () => {
    const error = await failure(
      {
        status: 401,
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-github-request-id': REQUEST_ID },
        body: {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/graphql',
          status: '401',
        },
      },
      { retry: { retries: 3, minTimeoutMs: 0 } },
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/invalid or expired/);
    expect(error.fatal).toBe(true);
    expect(stub.requests).toHaveLength(1);
  });

  it('a FORBIDDEN error names the repository and the permission needed', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: { repository: null, rateLimit: rateLimitJson },
        errors: [
          {
            type: 'FORBIDDEN',
            path: ['repository'],
            extensions: { saml_failure: false },
            locations: [{ line: 2, column: 3 }],
            message: 'Resource not accessible by integration',
          },
        ],
      },
    });
    expect(error.kind).toBe('permission');
    expect(error.message).toContain('octo-org/octo-repo');
    expect(error.message).toContain('Pull requests: read');
  });

  it('INSUFFICIENT_SCOPES says a classic token needs the repo scope', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders(),
      body: {
        errors: [
          {
            type: 'INSUFFICIENT_SCOPES',
            locations: [{ line: 2, column: 3 }],
            message:
              "Your token has not been granted the required scopes to execute this query. The 'repository' field requires one of the following scopes: ['repo'], but your token has only been granted the: ['read:org'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
          },
        ],
      },
    });
    expect(error.kind).toBe('permission');
    expect(error.message).toContain('`repo` scope');
  });

  it('a 403 "Resource not accessible by personal access token" is a permission problem', async () => {
    const error = await failure({
      status: 403,
      headers: githubHeaders(),
      body: {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/graphql',
        status: '403',
      },
    });
    expect(error.kind).toBe('permission');
  });

  it('a SAML-protected organisation asks for SSO authorisation of the token', async () => {
    const error = await failure({
      status: 403,
      headers: githubHeaders(),
      body: {
        message:
          'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        documentation_url:
          'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
      },
    });
    expect(error.kind).toBe('permission');
    expect(error.message).toMatch(/single sign-on/);
  });
});

describe('answers that cannot be used', () => {
  it('NOT_FOUND says the repository does not exist or the token cannot see it', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: { repository: null, rateLimit: rateLimitJson },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['repository'],
            locations: [{ line: 2, column: 3 }],
            message: "Could not resolve to a Repository with the name 'octo-org/octo-repo'.",
          },
        ],
      },
    });
    expect(error.kind).toBe('not_found');
    expect(error.message).toMatch(/^octo-org\/octo-repo does not exist or the token cannot see it/);
  });

  it('data with errors is partial and never accepted', async () => {
    const error = await failure({
      status: 200,
      headers: githubHeaders(),
      body: {
        data: emptyPage.data,
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['repository', 'forward', 'nodes', 3, 'author'],
            message: "Could not resolve to a node with the global id of 'MDQ6VXNlcjE='.",
          },
        ],
      },
    });
    expect(error.kind).toBe('partial');
  });

  it.each<[string, unknown, GitHubErrorKind]>([
    [
      'an undefined field',
      {
        errors: [
          {
            path: ['query PullRequestPage', 'repository', 'forward', 'nodes', 'bogus'],
            extensions: { code: 'undefinedField', typeName: 'PullRequest', fieldName: 'bogus' },
            locations: [{ line: 9, column: 5 }],
            message: "Field 'bogus' doesn't exist on type 'PullRequest'",
          },
        ],
      },
      'invalid',
    ],
    [
      'excessive pagination',
      {
        data: null,
        errors: [
          {
            type: 'EXCESSIVE_PAGINATION',
            path: ['repository', 'forward'],
            locations: [{ line: 3, column: 5 }],
            message:
              'Requesting 101 records on the `pullRequests` connection exceeds the `first` limit of 100 records.',
          },
        ],
      },
      'invalid',
    ],
  ])('a query GitHub rejects (%s) is invalid and fatal', async (_name, body, kind) => {
    const error = await failure({ status: 200, headers: githubHeaders(), body });
    expect(error.kind).toBe(kind);
    expect(error.fatal).toBe(true);
  });

  it('the token never appears in a message, even when something echoes it back', async () => {
    const error = await failure({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { message: `Bad credentials for bearer ${TOKEN}` },
    });
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[REDACTED]');
  });
});
