/**
 * Every GraphQL document the product sends, as plain strings built from a few pieces. Builders are pure so the
 * schema test can walk every combination and the cost model can price a request before it is sent. What is read of
 * each pull request (the field profiles) lives in pull-request-fields.ts; this module shapes the requests.
 */
import type { FieldProfile, PullRequestState } from '../domain/pull-request.ts';
import { isWholeRepository, scopeSearchQueries } from '../domain/scope.ts';
import { PULL_REQUEST_FRAGMENT_NAME, pullRequestFragment } from './pull-request-fields.ts';
import type { NumberRange, PageRequest, UpdatedPageRequest } from './types.ts';

/** Repositories per aliased lookup query: 100 count-only connections cost 1 point together. */
export const LOOKUP_BATCH_SIZE = 100;
export const OWNER_REPOSITORIES_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

const RATE_LIMIT_SELECTION = 'rateLimit { cost remaining resetAt limit used nodeCount }';

/** The orders the product lists pull requests in: creation for the walk, last update for the refresh. */
export type WindowOrder = 'CREATED_AT_ASC' | 'UPDATED_AT_DESC';

/**
 * One `pullRequests` connection of a request, without its position: the same shape always yields the same
 * document text, so documents are cached and GitHub sees a handful of distinct queries.
 */
export interface WindowShape {
  /** the connection's response key; its variables are named after it */
  key: string;
  /** forward reads `first/after` from the start of the order, backward reads `last/before` from its end */
  direction: 'forward' | 'backward';
  order: WindowOrder;
  /** the states the window lists (GitHub's `states` argument); every state when absent */
  states?: readonly PullRequestState[];
}

/** A window with its position: how many pull requests, from which cursor (null: from its end of the order). */
export interface PullRequestWindow extends WindowShape {
  size: number;
  cursor: string | null;
}

export interface BuiltQuery {
  query: string;
  variables: Record<string, unknown>;
}

export interface WindowsDocumentOptions {
  /** add the repository's pull-request count (a count-only connection) under the key `total` */
  totalCount?: boolean;
  /** every connection (and the count) lists only pull requests into `$baseRefName` */
  base?: boolean;
  /** the count covers only these states */
  totalStates?: readonly PullRequestState[];
  /** the count is the sum of this many searches' `issueCount`s (`$total0Query`…), read at the root as `total0`… */
  totalSearches?: number;
}

const ORDER_BY: Record<WindowOrder, string> = {
  CREATED_AT_ASC: '{field: CREATED_AT, direction: ASC}',
  UPDATED_AT_DESC: '{field: UPDATED_AT, direction: DESC}',
};

/** The response key of a refresh page's one window. */
export const UPDATED_WINDOW = 'updated';
/** The response key of the repository's pull-request count, asked for when every window is a state partition. */
export const TOTAL_COUNT = 'total';

const WINDOW_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

function windowVariables(shape: WindowShape): { size: string; cursor: string } {
  return shape.direction === 'forward'
    ? { size: `${shape.key}First`, cursor: `${shape.key}After` }
    : { size: `${shape.key}Last`, cursor: `${shape.key}Before` };
}

function windowConnection(shape: WindowShape, base: boolean): string {
  const { size, cursor } = windowVariables(shape);
  const page =
    shape.direction === 'forward'
      ? `first: $${size}, after: $${cursor}`
      : `last: $${size}, before: $${cursor}`;
  const states = shape.states ? `, states: [${shape.states.join(', ')}]` : '';
  const baseRef = base ? ', baseRefName: $baseRefName' : '';
  const pageInfo = shape.direction === 'forward' ? 'endCursor hasNextPage' : 'startCursor hasPreviousPage';
  return `${shape.key}: pullRequests(${page}${states}${baseRef}, orderBy: ${ORDER_BY[shape.order]}) {
      totalCount
      pageInfo { ${pageInfo} }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;
}

function totalConnection(options: WindowsDocumentOptions): string {
  const args = [
    options.totalStates ? `states: [${options.totalStates.join(', ')}]` : null,
    options.base ? 'baseRefName: $baseRefName' : null,
  ].filter((arg) => arg !== null);
  return `pullRequests${args.length > 0 ? `(${args.join(', ')})` : ''} { totalCount }`;
}

/** The root key of the i-th search counting a `since` scope. */
export function searchCountKey(index: number): string {
  return `${TOTAL_COUNT}${index}`;
}

const documentCache = new Map<string, string>();

/** The document listing pull requests of one repository through the given windows, with the profile's fields. */
export function pullRequestWindowsDocument(
  profile: FieldProfile,
  shapes: readonly WindowShape[],
  options: WindowsDocumentOptions = {},
): string {
  if (shapes.length === 0) throw new RangeError('a page needs at least one window');
  const cacheKey = `${profile}|${options.totalCount ?? false}|${options.base ?? false}|${options.totalStates ?? ''}|${options.totalSearches ?? 0}|${shapes.map((s) => `${s.key}:${s.direction}:${s.order}:${s.states ?? ''}`).join('|')}`;
  let query = documentCache.get(cacheKey);
  if (query === undefined) {
    const keys = new Set<string>();
    const variables = ['$owner: String!', '$name: String!'];
    for (const shape of shapes) {
      if (!WINDOW_KEY.test(shape.key) || keys.has(shape.key) || shape.key === TOTAL_COUNT) {
        throw new RangeError(`window keys must be distinct alphanumeric names, got "${shape.key}"`);
      }
      keys.add(shape.key);
      const { size, cursor } = windowVariables(shape);
      variables.push(`$${size}: Int!`, `$${cursor}: String`);
    }
    if (options.base) variables.push('$baseRefName: String!');
    const searches = Array.from({ length: options.totalSearches ?? 0 }, (_, i) => searchCountKey(i));
    for (const key of searches) variables.push(`$${key}Query: String!`);
    const name = shapes.every((s) => s.order === 'UPDATED_AT_DESC')
      ? 'UpdatedPullRequests'
      : 'PullRequestPage';
    query = `query ${name}(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${shapes.map((shape) => windowConnection(shape, options.base ?? false)).join('\n    ')}${options.totalCount ? `\n    ${TOTAL_COUNT}: ${totalConnection(options)}` : ''}
  }
  ${searches.map((key) => `${key}: search(query: $${key}Query, type: ISSUE) { issueCount }\n  `).join('')}${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    documentCache.set(cacheKey, query);
  }
  return query;
}

/**
 * The one builder of pull-request requests: the walk, the refresh and the cost prediction all go through it, so
 * what is priced is exactly what is sent.
 */
export function pullRequestWindowsQuery(
  repository: { owner: string; name: string },
  profile: FieldProfile,
  windows: readonly PullRequestWindow[],
  options: WindowsDocumentOptions = {},
): BuiltQuery {
  const variables: Record<string, unknown> = { owner: repository.owner, name: repository.name };
  for (const window of windows) {
    assertPageSize(window.size);
    const names = windowVariables(window);
    variables[names.size] = window.size;
    variables[names.cursor] = window.cursor;
  }
  return { query: pullRequestWindowsDocument(profile, windows, options), variables };
}

function walkWindows(request: PageRequest): PullRequestWindow[] {
  return request.windows.map((window) => ({ ...window, order: 'CREATED_AT_ASC' }));
}

function refreshWindows(request: UpdatedPageRequest): PullRequestWindow[] {
  return [
    {
      key: UPDATED_WINDOW,
      direction: 'forward',
      order: 'UPDATED_AT_DESC',
      size: request.first,
      cursor: request.after,
    },
  ];
}

/** The windows of an engine's page request: a walk page or a refresh page. */
export function pageRequestWindows(request: PageRequest | UpdatedPageRequest): PullRequestWindow[] {
  return 'first' in request ? refreshWindows(request) : walkWindows(request);
}

/** Partitioned windows count only their partition; the repository's count then comes from one count-only connection. */
export function needsTotalCount(windows: readonly WindowShape[]): boolean {
  return windows.every((window) => window.states !== undefined);
}

/** How a request's scope shapes its document: the base on every connection, and how the scope is counted. */
export function scopeDocumentOptions(
  request: PageRequest | UpdatedPageRequest,
  windows: readonly WindowShape[],
): WindowsDocumentOptions {
  const scope = 'scope' in request ? request.scope : undefined;
  if (!scope || isWholeRepository(scope)) return { totalCount: needsTotalCount(windows) };
  const base = scope.base !== undefined;
  // the connections have no `createdAt` filter: a `since` scope is counted by search
  if (scope.since !== undefined) {
    return { base, totalSearches: scopeSearchQueries(request, scope).length };
  }
  return { base, totalCount: true, ...(scope.states ? { totalStates: scope.states } : {}) };
}

/** The most numbers one request looks up: GitHub answers within 10 seconds or not at all (the page size adapts). */
export const MAX_NUMBERS_PER_REQUEST = 3_000;
/** The response key of the i-th number looked up. */
export function numberAlias(index: number): string {
  return `n${index}`;
}
/** Response keys of a number walk's request besides its lookups. */
export const NEWEST_PULL_REQUEST = 'newest';
export const STATE_COUNTS = { OPEN: 'open', CLOSED: 'closed', MERGED: 'merged' } as const;

const numbersDocuments = new Map<string, string>();

/**
 * The number walk's document: `count` numbers looked up one by one, the newest pull request's number and the
 * repository's pull requests per state (count-only connections: a handful of connection requests, no more).
 */
export function pullRequestNumbersDocument(profile: FieldProfile, count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NUMBERS_PER_REQUEST) {
    throw new RangeError(`a number request looks up 1 to ${MAX_NUMBERS_PER_REQUEST} numbers, got ${count}`);
  }
  const key = `${profile}|${count}`;
  let query = numbersDocuments.get(key);
  if (query === undefined) {
    const variables = ['$owner: String!', '$name: String!'];
    const lookups: string[] = [];
    for (let i = 0; i < count; i++) {
      variables.push(`$${numberAlias(i)}: Int!`);
      lookups.push(
        `${numberAlias(i)}: issueOrPullRequest(number: $${numberAlias(i)}) { __typename ...${PULL_REQUEST_FRAGMENT_NAME} }`,
      );
    }
    const states = Object.entries(STATE_COUNTS).map(
      ([state, alias]) => `${alias}: pullRequests(states: [${state}]) { totalCount }`,
    );
    query = `query PullRequestNumbers(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${NEWEST_PULL_REQUEST}: pullRequests(last: 1, orderBy: ${ORDER_BY.CREATED_AT_ASC}) { totalCount nodes { number } }
    ${states.join('\n    ')}
    ${lookups.join('\n    ')}
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    numbersDocuments.set(key, query);
  }
  return query;
}

function pullRequestNumbersQuery(request: PageRequest, range: NumberRange): BuiltQuery {
  const variables: Record<string, unknown> = { owner: request.owner, name: request.name };
  for (let i = 0; i < range.count; i++) variables[numberAlias(i)] = range.from + i;
  return { query: pullRequestNumbersDocument(request.profile, range.count), variables };
}

export function pageRequestQuery(request: PageRequest | UpdatedPageRequest): BuiltQuery {
  if ('numbers' in request && request.numbers) return pullRequestNumbersQuery(request, request.numbers);
  const windows = pageRequestWindows(request);
  const options = scopeDocumentOptions(request, windows);
  const built = pullRequestWindowsQuery(request, request.profile, windows, options);
  const scope = 'scope' in request ? request.scope : undefined;
  if (options.base && scope?.base !== undefined) built.variables.baseRefName = scope.base;
  if (options.totalSearches && scope) {
    scopeSearchQueries(request, scope).forEach((query, i) => {
      built.variables[`${searchCountKey(i)}Query`] = query;
    });
  }
  return built;
}

/** Alias of the i-th repository in a lookup query; the response is keyed by it. */
export function lookupAlias(index: number): string {
  return `r${index}`;
}

/** One aliased `repository` per ref; `pullRequests { totalCount }` is a count-only connection (no first needed). */
export function repositoryLookupQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > LOOKUP_BATCH_SIZE) {
    throw new RangeError(`a lookup takes 1 to ${LOOKUP_BATCH_SIZE} repositories, got ${count}`);
  }
  const variables: string[] = [];
  const fields: string[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(`$o${i}: String!`, `$n${i}: String!`);
    fields.push(`${lookupAlias(i)}: repository(owner: $o${i}, name: $n${i}) { ...RepositoryLookupFields }`);
  }
  return `query RepositoryLookup(${variables.join(', ')}) {
  ${fields.join('\n  ')}
  ${RATE_LIMIT_SELECTION}
}
fragment RepositoryLookupFields on Repository {
  databaseId
  id
  name
  owner { login }
  isPrivate
  pullRequests { totalCount }
}`;
}

export function repositoryLookupVariables(
  refs: readonly { owner: string; name: string }[],
): Record<string, string> {
  const variables: Record<string, string> = {};
  refs.forEach((ref, i) => {
    variables[`o${i}`] = ref.owner;
    variables[`n${i}`] = ref.name;
  });
  return variables;
}

// ownerAffiliations defaults to [OWNER, COLLABORATOR]: a user's listing would include other people's repositories.
export const OWNER_REPOSITORIES_QUERY = `query OwnerRepositories($login: String!, $after: String) {
  repositoryOwner(login: $login) {
    login
    repositories(first: ${OWNER_REPOSITORIES_PAGE_SIZE}, after: $after, ownerAffiliations: [OWNER], orderBy: {field: NAME, direction: ASC}) {
      pageInfo { endCursor hasNextPage }
      nodes { name owner { login } }
    }
  }
  ${RATE_LIMIT_SELECTION}
}`;

/** Fallback budget read where REST `GET /rate_limit` is unavailable. */
export const RATE_LIMIT_QUERY = `query RateLimit {
  ${RATE_LIMIT_SELECTION}
}`;

function assertPageSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
}
