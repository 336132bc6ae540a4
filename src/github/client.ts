/**
 * The operations the engine asks of GitHub (budget, lookups, pages of pull requests), over the transport that
 * carries them (transport.ts). Every pull-request request is built by `pageRequestQuery`, so fetching,
 * refreshing and pricing a request before it is sent cannot disagree.
 */

import { parse } from 'graphql';
import { TextKeyedCache } from '../domain/text-keyed-cache.ts';
import { followUpRequestQuery, isGoneNode } from './children-queries.ts';
import { queryCost } from './cost.ts';
import { mapPullRequestNodes } from './map.ts';
import { type MappedChildren, mapFollowUpPage, mapWindowChildren } from './map-children.ts';
import {
  LOOKUP_BATCH_SIZE,
  lookupAlias,
  NEWEST_PULL_REQUEST,
  numberAlias,
  OWNER_REPOSITORIES_QUERY,
  pageRequestQuery,
  pageRequestWindows,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  repositoryLookupVariables,
  STATE_COUNTS,
  scopeDocumentOptions,
  searchCountKey,
  TOTAL_COUNT,
  type WindowsDocumentOptions,
} from './queries.ts';
import {
  createTransport,
  type GitHubClientOptions,
  type GitHubTransport,
  type GraphQLCallOptions,
  type GraphQLResult,
} from './transport.ts';
import {
  type FollowUpRequest,
  type FollowUpResult,
  type GitHubClient,
  GitHubError,
  type NumberRange,
  type PageRequest,
  type PageResult,
  type PageWindow,
  type RateLimitState,
  type RepositoryInfo,
  type UpdatedPageRequest,
} from './types.ts';

export type { GitHubClientOptions, GraphQLCallOptions, GraphQLResult };

export interface GitHubClientWithGraphQL extends GitHubClient {
  graphql: GitHubTransport['graphql'];
}

/** GHES with rate limiting disabled reports no budget; the planner then sees an effectively unlimited one. */
const UNLIMITED = 1_000_000_000;

export function createGitHubClient(options: GitHubClientOptions): GitHubClientWithGraphQL {
  return createGitHubOperations(createTransport(options));
}

/** A number walk document's points, by document (one per profile and count of lookups, 300 KB at 3,000). */
const numbersCosts = new TextKeyedCache<number>(2_000_000);

/**
 * What GitHub's formula charges for a request's document. A number walk's document costs what its count of lookups
 * does, whichever numbers they are: its parsed form (megabytes) is priced once and not kept.
 */
function requestCost(query: string, variables: Record<string, unknown>, numbers: boolean): number {
  if (!numbers) return queryCost(query, variables).cost;
  let cost = numbersCosts.get(query);
  if (cost === undefined) {
    cost = queryCost(parse(query, { noLocation: true }), variables).cost;
    numbersCosts.set(query, cost);
  }
  return cost;
}

const isNumberRequest = (request: PageRequest | UpdatedPageRequest | FollowUpRequest): boolean =>
  'numbers' in request && Boolean(request.numbers);

export function createGitHubOperations(transport: GitHubTransport): GitHubClientWithGraphQL {
  const { graphql } = transport;

  async function rateLimit(): Promise<RateLimitState> {
    // REST /rate_limit is documented as free and reports the GraphQL budget. Where it is missing or odd (GHES
    // without rate limiting answers 404; proxies and look-alikes vary) the GraphQL rateLimit field answers instead.
    try {
      const body = await transport.get<{ resources?: { graphql?: RestBudget } }>(
        'GET /rate_limit',
        'reading the rate limit',
      );
      const graphqlBudget = body.resources?.graphql;
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
      if (error instanceof GitHubError && error.kind === 'auth') throw error;
    }
    const { data, headers } = await graphql<{ rateLimit: GraphQLRateLimit | null }>(
      RATE_LIMIT_QUERY,
      {},
      { action: 'reading the rate limit' },
    );
    return rateLimitState(data.rateLimit, headers, 0);
  }

  /** Sends one pull-request request and reads each of its windows by key. */
  async function fetchWindows(
    request: PageRequest | UpdatedPageRequest,
    action: string,
  ): Promise<PageResult> {
    const windows = pageRequestWindows(request);
    const counting = scopeDocumentOptions(request, windows);
    const { query, variables } = pageRequestQuery(request);
    const predictedCost = requestCost(query, variables, isNumberRequest(request));
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql<PageData>(query, variables, {
      action: `${action} ${repository}`,
      repository,
    });
    const repo = requireRepository(data.repository, repository);
    const read: Record<string, PageWindow> = {};
    let skippedNodes = 0;
    const children = request.profile === 'full' ? new Map<string, MappedChildren>() : undefined;
    for (const window of windows) {
      const connection = repo[window.key];
      if (!connection) continue;
      if (children) for (const [id, mapped] of mapWindowChildren(connection.nodes)) children.set(id, mapped);
      const { records, skipped } = mapPullRequestNodes(connection.nodes, request.profile);
      read[window.key] = pageWindow(connection, records, window.direction);
      skippedNodes += skipped;
    }
    return {
      totalCount: readTotalCount(data, repo, counting, windows[0]!.key),
      windows: read,
      skippedNodes,
      ...(children && { children }),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost,
    };
  }

  /**
   * A number walk's request: each number answers with its pull request, an issue (left out), or null beside a
   * NOT_FOUND error at its alias (a deleted or transferred issue), which is tolerated; any other error fails.
   */
  async function fetchNumbers(request: PageRequest, range: NumberRange): Promise<PageResult> {
    const { query, variables } = pageRequestQuery(request);
    const predictedCost = predictCost(request);
    const repository = `${request.owner}/${request.name}`;
    const aliases = new Set(Array.from({ length: range.count }, (_, i) => numberAlias(i)));
    const { data, headers } = await graphql<PageData>(query, variables, {
      action: `fetching pull requests by number of ${repository}`,
      repository,
      tolerate: (error) =>
        error.type === 'NOT_FOUND' &&
        error.path?.length === 2 &&
        error.path[0] === 'repository' &&
        aliases.has(String(error.path[1])),
    });
    const repo = requireRepository(data.repository, repository) as unknown as Record<string, unknown>;
    const nodes: unknown[] = [];
    for (let i = 0; i < range.count; i++) {
      const node = repo[numberAlias(i)] as { __typename?: string } | null | undefined;
      if (node?.__typename === 'PullRequest') nodes.push(node);
    }
    const { records, skipped } = mapPullRequestNodes(nodes, request.profile);
    const children = request.profile === 'full' ? mapWindowChildren(nodes) : undefined;
    const newest = repo[NEWEST_PULL_REQUEST] as {
      totalCount: number;
      nodes: ({ number: number } | null)[] | null;
    };
    const count = (alias: string) => (repo[alias] as { totalCount: number } | null)?.totalCount ?? 0;
    return {
      totalCount: newest.totalCount,
      numbers: {
        range,
        nodes: records,
        newest: newest.nodes?.at(-1)?.number ?? null,
        states: {
          OPEN: count(STATE_COUNTS.OPEN),
          CLOSED: count(STATE_COUNTS.CLOSED),
          MERGED: count(STATE_COUNTS.MERGED),
        },
      },
      windows: {},
      skippedNodes: skipped,
      ...(children && { children }),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost,
    };
  }

  const fetchPullRequests = (request: PageRequest) =>
    request.numbers
      ? fetchNumbers(request, request.numbers)
      : fetchWindows(request, 'fetching pull requests of');
  const fetchUpdatedPullRequests = (request: UpdatedPageRequest) =>
    fetchWindows(request, 'fetching recently updated pull requests of');

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

  /** A pull request or review deleted since it was listed answers NOT_FOUND: its follow-up is simply done. */
  async function fetchFollowUps(request: FollowUpRequest): Promise<FollowUpResult> {
    const { query, variables, aliases } = followUpRequestQuery(request.tasks);
    const predictedCost = requestCost(query, variables, false);
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql<Record<string, unknown> & { rateLimit: GraphQLRateLimit | null }>(
      query,
      variables,
      { action: `fetching reviews and comments of ${repository}`, repository, tolerate: isGoneNode },
    );
    return {
      outcomes: request.tasks.map((task, k) => mapFollowUpPage(task, data[aliases[k]!] as never)),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost,
    };
  }

  function predictCost(request: PageRequest | UpdatedPageRequest | FollowUpRequest): number {
    const { query, variables } =
      'tasks' in request ? followUpRequestQuery(request.tasks) : pageRequestQuery(request);
    return requestCost(query, variables, isNumberRequest(request));
  }

  return {
    graphql,
    rateLimit,
    lookupRepositories,
    listOwnerRepositories,
    fetchPullRequests,
    fetchUpdatedPullRequests,
    fetchFollowUps,
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
  repository: Record<string, Connection | undefined> | null;
  rateLimit: GraphQLRateLimit | null;
  /** a `since` scope's counting searches, `total0`… */
  [search: string]: unknown;
}

/** The page's count of the pull requests it is walking: the repository, the scope, or the one window's list. */
function readTotalCount(
  data: PageData,
  repo: Record<string, Connection | undefined>,
  counting: WindowsDocumentOptions,
  firstWindow: string,
): number {
  if (counting.totalSearches) {
    let sum = 0;
    for (let i = 0; i < counting.totalSearches; i++) {
      sum += (data[searchCountKey(i)] as { issueCount?: number } | null)?.issueCount ?? 0;
    }
    return sum;
  }
  return (counting.totalCount ? repo[TOTAL_COUNT] : repo[firstWindow])?.totalCount ?? 0;
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
  nodes: PageWindow['nodes'],
  direction: 'forward' | 'backward',
): PageWindow {
  const { pageInfo, totalCount } = connection;
  return direction === 'forward'
    ? { nodes, cursor: pageInfo.endCursor ?? null, hasMore: pageInfo.hasNextPage ?? false, totalCount }
    : { nodes, cursor: pageInfo.startCursor ?? null, hasMore: pageInfo.hasPreviousPage ?? false, totalCount };
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
