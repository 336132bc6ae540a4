/**
 * GitHub's response bodies, as observed from api.github.com: error shapes clients (octokit's plugins, our request
 * layers and error mapper) recognise by status, `type` and wording.
 */
import type { GraphQLError } from 'graphql';

export interface SimResponse {
  status: number;
  body: unknown;
  /** raw text instead of JSON (the HTML 502 page) */
  text?: string;
  headers?: Record<string, string>;
}

export interface GitHubErrorJson {
  type?: string;
  message: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

const DOCS = 'https://docs.github.com/graphql';
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

/** GitHub puts `type` beside `message`; anything else stays under extensions. */
export function toGitHubError(error: GraphQLError): GitHubErrorJson {
  const { type, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  const json: GitHubErrorJson = { message: error.message };
  if (typeof type === 'string') json.type = type;
  if (error.path) json.path = error.path;
  if (error.locations) json.locations = error.locations;
  if (Object.keys(extensions).length > 0) json.extensions = extensions;
  return json;
}

/**
 * graphql-js validation messages rewritten in GitHub's (graphql-ruby's) wording and `extensions.code`, for the
 * rules a hand-written query most often breaks; other rules keep graphql-js's text.
 */
export function toGitHubValidationError(error: GraphQLError): GitHubErrorJson {
  const base = toGitHubError(error);
  const rewrite = (message: string, extensions: Record<string, unknown>): GitHubErrorJson => ({
    ...base,
    message,
    extensions,
  });
  let match = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[1]}' doesn't exist on type '${match[2]}'`, {
      code: 'undefinedField',
      typeName: match[2],
      fieldName: match[1],
    });
  }
  match = /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[2]}' doesn't accept argument '${match[1]}'`, {
      code: 'argumentNotAccepted',
      name: match[2],
      typeName: 'Field',
      argumentName: match[1],
    });
  }
  match = /^Field "(?:\w+\.)?(\w+)" argument "(\w+)" of type .* is required/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[1]}' is missing required arguments: ${match[2]}`, {
      code: 'missingRequiredArguments',
      className: 'Field',
      name: match[1],
      arguments: match[2],
    });
  }
  match = /^Variable "\$(\w+)" is never used/.exec(error.message);
  if (match)
    return rewrite(`Variable $${match[1]} is declared by anonymous query but not used`, {
      code: 'variableNotUsed',
      variableName: match[1],
    });
  match = /^Variable "\$(\w+)" is not defined/.exec(error.message);
  if (match)
    return rewrite(`Variable $${match[1]} is used by anonymous query but not declared`, {
      code: 'variableNotDefined',
      variableName: match[1],
    });
  return base;
}

export function errorsOnly(errors: GitHubErrorJson[], status = 200): SimResponse {
  return { status, body: { errors } };
}

export function badCredentials(): SimResponse {
  return { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } };
}

export function notFound(): SimResponse {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
  };
}

export function problemsParsingJson(): SimResponse {
  return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } };
}

export function primaryRateLimited(userId: number, alreadyExceeded: boolean, status: number): SimResponse {
  const message = `API rate limit ${alreadyExceeded ? 'already ' : ''}exceeded for user ID ${userId}.`;
  return { status, body: { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message }] } };
}

const SECONDARY_MESSAGE = (requestId: string) =>
  `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;

export function secondaryRateLimited(
  requestId: string,
  retryAfterSeconds: number,
  variant: '403' | '200',
): SimResponse {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  if (variant === '200')
    return { status: 200, headers, body: { errors: [{ message: SECONDARY_MESSAGE(requestId) }] } };
  return {
    status: 403,
    headers,
    body: { documentation_url: SECONDARY_DOCS, message: SECONDARY_MESSAGE(requestId) },
  };
}

export function somethingWentWrong(requestId: string, status = 200): SimResponse {
  return {
    status,
    body: {
      data: null,
      errors: [
        {
          message: `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${requestId}\` when reporting this issue.`,
        },
      ],
    },
  };
}

export function badGateway(requestId: string, body: 'json' | 'html'): SimResponse {
  if (body === 'json') return somethingWentWrong(requestId, 502);
  return {
    status: 502,
    body: null,
    headers: { 'content-type': 'text/html' },
    text: '<!DOCTYPE html>\n<html><head><title>Unicorn! · GitHub</title></head><body><h1>No server is currently available to service your request.</h1><p>Sorry about that. Please try refreshing and contact us if the problem persists.</p></body></html>\n',
  };
}

export function gatewayTimeout(): SimResponse {
  return {
    status: 504,
    body: {
      message:
        "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
    },
  };
}
