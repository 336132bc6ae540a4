/**
 * Every GraphQL document the product sends, as plain strings built from a few pieces. Builders are pure so the
 * schema test can walk every combination and the cost model can price a request before it is sent.
 */
import type { FieldProfile } from '../domain/pull-request.ts';
import { ACTOR_IDENTITY, INLINE_CHILDREN_FIELDS } from './children-queries.ts';

/** Labels per pull request; the cost does not depend on it (labels has no nested connection), only the node count. */
export const LABELS_PER_PULL_REQUEST = 20;
/** Reviews and issue comments listed per pull request by the `full` profile. */
export const FULL_PROFILE_ITEMS_PER_PULL_REQUEST = 20;
/** Repositories per aliased lookup query: 100 count-only connections cost 1 point together. */
export const LOOKUP_BATCH_SIZE = 100;
export const OWNER_REPOSITORIES_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

const RATE_LIMIT_SELECTION = 'rateLimit { cost remaining resetAt limit used nodeCount }';

const AUTHOR_SELECTION = `author {
      ${ACTOR_IDENTITY}
    }`;

// Only fullDatabaseId: PullRequest.databaseId is a 32-bit Int that GitHub deprecated (pull request ids have
// outgrown it) and has announced it will remove.
const CORE_FIELDS = `id
    fullDatabaseId
    number
    title
    body
    state
    isDraft
    createdAt
    updatedAt
    closedAt
    mergedAt
    additions
    deletions
    changedFiles
    baseRefName
    headRefName
    url
    ${AUTHOR_SELECTION}`;

const LABELS_AND_DECISION = `labels(first: ${LABELS_PER_PULL_REQUEST}) { nodes { name } }
    reviewDecision`;

// Count-only connections need no first/last on GitHub (like `stargazers { totalCount }`).
const STANDARD_FIELDS = `${LABELS_AND_DECISION}
    reviews { totalCount }
    comments { totalCount }`;

const PROFILE_FIELDS: Record<FieldProfile, string> = {
  core: CORE_FIELDS,
  standard: `${CORE_FIELDS}\n    ${STANDARD_FIELDS}`,
  full: `${CORE_FIELDS}\n    ${INLINE_CHILDREN_FIELDS}`,
};

export const PULL_REQUEST_FRAGMENT_NAME = 'PullRequestFields';

export function pullRequestFragment(profile: FieldProfile): string {
  return `fragment ${PULL_REQUEST_FRAGMENT_NAME} on PullRequest {\n    ${PROFILE_FIELDS[profile]}\n}`;
}

export interface WindowShape {
  forward: boolean;
  backward: boolean;
}

const FORWARD_WINDOW = `forward: pullRequests(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;

const BACKWARD_WINDOW = `backward: pullRequests(last: $last, before: $before, orderBy: {field: CREATED_AT, direction: ASC}) {
      totalCount
      pageInfo { startCursor hasPreviousPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;

const pageQueryCache = new Map<string, string>();

/** A CREATED_AT-ordered page with a forward window, a backward window, or both in one request. */
export function pullRequestPageQuery(profile: FieldProfile, windows: WindowShape): string {
  if (!windows.forward && !windows.backward) throw new RangeError('a page needs at least one window');
  const key = `${profile}:${windows.forward}:${windows.backward}`;
  let query = pageQueryCache.get(key);
  if (query === undefined) {
    const variables = ['$owner: String!', '$name: String!'];
    const connections: string[] = [];
    if (windows.forward) {
      variables.push('$first: Int!', '$after: String');
      connections.push(FORWARD_WINDOW);
    }
    if (windows.backward) {
      variables.push('$last: Int!', '$before: String');
      connections.push(BACKWARD_WINDOW);
    }
    query = `query PullRequestPage(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${connections.join('\n    ')}
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    pageQueryCache.set(key, query);
  }
  return query;
}

export interface PageWindowsInput {
  owner: string;
  name: string;
  forward?: { first: number; after: string | null };
  backward?: { last: number; before: string | null };
}

export function pullRequestPageVariables(request: PageWindowsInput): Record<string, unknown> {
  const variables: Record<string, unknown> = { owner: request.owner, name: request.name };
  if (request.forward) {
    assertPageSize(request.forward.first);
    variables.first = request.forward.first;
    variables.after = request.forward.after;
  }
  if (request.backward) {
    assertPageSize(request.backward.last);
    variables.last = request.backward.last;
    variables.before = request.backward.before;
  }
  return variables;
}

const updatedQueryCache = new Map<FieldProfile, string>();

/** Most recently updated first, for incremental refresh down to a watermark. */
export function updatedPullRequestsQuery(profile: FieldProfile): string {
  let query = updatedQueryCache.get(profile);
  if (query === undefined) {
    query = `query UpdatedPullRequests($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    updated: pullRequests(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    updatedQueryCache.set(profile, query);
  }
  return query;
}

export function updatedPullRequestsVariables(request: {
  owner: string;
  name: string;
  first: number;
  after: string | null;
}): Record<string, unknown> {
  assertPageSize(request.first);
  return { owner: request.owner, name: request.name, first: request.first, after: request.after };
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
