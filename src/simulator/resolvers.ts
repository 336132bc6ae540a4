/**
 * Resolvers over the dataset for GitHub's real schema. Objects are plain records whose function-valued fields
 * take (args, context, info), graphql-js style; any field the simulator does not model resolves to a type-correct
 * default (null when nullable), so a valid query never crashes on an unmodelled field.
 */
import {
  type FieldNode,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
} from 'graphql';
import type { PullRequestState } from '../domain/pull-request.ts';
import { createChildResolvers } from './children-resolvers.ts';
import { connection, listConnection, pageArgs, sortedWindow, sortKeyCursor } from './connection.ts';
import {
  type Dataset,
  nodeId,
  type OrderField,
  type SimActor,
  type SimPullRequest,
  type SimRepository,
} from './dataset.ts';

export interface RateLimitPayload {
  cost: number;
  limit: number;
  remaining: number;
  used: number;
  resetAt: string;
  nodeCount: number;
}

export interface TokenAccess {
  canSee: (owner: string, name: string) => boolean;
  canReadPullRequests: (owner: string, name: string) => boolean;
  kind: 'personal-access-token' | 'integration';
  login: string;
  userId: number;
}

export interface ExecutionContext {
  dataset: Dataset;
  token: TokenAccess;
  rateLimit: RateLimitPayload;
  /** repositories that served a page of pull-request nodes in this request */
  servedRepositories: Set<SimRepository>;
  /** what a deprecated 32-bit `databaseId` does with a larger id: GitHub's replacement is fullDatabaseId */
  int32Overflow: 'null' | 'error';
}

type Args = Record<string, unknown>;
type Resolved = Record<string, unknown>;

const INT32_MAX = 2 ** 31 - 1;

export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

function githubError(type: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { type, ...extensions } });
}

function int32(value: number | null, context: ExecutionContext): number | null {
  if (value === null || value <= INT32_MAX || context.int32Overflow === 'error') return value;
  return null;
}

function selects(info: GraphQLResolveInfo, names: string[]): boolean {
  const visit = (nodes: readonly FieldNode[]): boolean =>
    nodes.some((node) =>
      node.selectionSet?.selections.some((selection) => {
        if (selection.kind === Kind.FIELD) return names.includes(selection.name.value);
        if (selection.kind === Kind.INLINE_FRAGMENT)
          return visit([{ ...node, selectionSet: selection.selectionSet }]);
        const fragment = info.fragments[selection.name.value];
        return fragment ? visit([{ ...node, selectionSet: fragment.selectionSet }]) : false;
      }),
    );
  return visit(info.fieldNodes);
}

function actorObject(actor: SimActor | null): Resolved | null {
  if (!actor) return null;
  const resourcePath = new URL(actor.url).pathname;
  return {
    __typename: actor.type,
    id: actor.nodeId,
    login: actor.login,
    url: actor.url,
    resourcePath,
    avatarUrl: () => `https://avatars.githubusercontent.com/${encodeURIComponent(actor.login)}`,
    ...(actor.type === 'EnterpriseUserAccount' ? {} : { databaseId: actor.databaseId }),
  };
}

function pullRequestObject(
  repository: SimRepository,
  pr: SimPullRequest,
  context: ExecutionContext,
): Resolved {
  const fullDatabaseId = pr.databaseId === null ? null : String(pr.databaseId);
  return {
    __typename: 'PullRequest',
    id: pr.nodeId,
    databaseId: int32(pr.databaseId, context),
    fullDatabaseId,
    number: pr.number,
    title: pr.title,
    titleHTML: pr.title,
    body: pr.body,
    bodyText: pr.body,
    bodyHTML: pr.body,
    state: pr.state,
    closed: pr.state !== 'OPEN',
    merged: pr.state === 'MERGED',
    isDraft: pr.isDraft,
    createdAt: isoSeconds(pr.createdAt),
    updatedAt: isoSeconds(pr.updatedAt),
    closedAt: pr.closedAt === null ? null : isoSeconds(pr.closedAt),
    mergedAt: pr.mergedAt === null ? null : isoSeconds(pr.mergedAt),
    publishedAt: isoSeconds(pr.createdAt),
    author: actorObject(pr.author),
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    baseRefName: pr.baseRefName,
    headRefName: pr.headRefName,
    url: pr.url,
    permalink: pr.url,
    resourcePath: new URL(pr.url).pathname,
    reviewDecision: pr.reviewDecision,
    repository: () => repositoryObject(repository, context),
    ...children.pullRequestChildren(repository, pr, context),
  };
}

const children = createChildResolvers({
  isoSeconds,
  actorObject,
  int32: (value, context) => int32(value, context as ExecutionContext),
  pullRequestObject: (repository, pr, context) =>
    pullRequestObject(repository, pr, context as ExecutionContext),
});

/** A token without pull-request read permission: FORBIDDEN, in GitHub's wording for its kind. */
function assertCanReadPullRequests(repository: SimRepository, context: ExecutionContext): void {
  if (context.token.canReadPullRequests(repository.owner, repository.name)) return;
  const by = context.token.kind === 'integration' ? 'integration' : 'personal access token';
  throw githubError('FORBIDDEN', `Resource not accessible by ${by}`, { saml_failure: false });
}

function pullRequestConnection(
  repository: SimRepository,
  args: Args,
  context: ExecutionContext,
  info: GraphQLResolveInfo,
) {
  assertCanReadPullRequests(repository, context);
  const orderBy = args.orderBy as { field: string; direction: 'ASC' | 'DESC' } | null | undefined;
  const field = (orderBy?.field ?? 'CREATED_AT') as OrderField;
  if (field !== 'CREATED_AT' && field !== 'UPDATED_AT') {
    throw new GraphQLError(`The simulator does not model ordering pull requests by ${field}.`);
  }
  const descending = orderBy?.direction === 'DESC';
  const states = (args.states as PullRequestState[] | null | undefined) ?? null;
  const baseRefName = typeof args.baseRefName === 'string' ? args.baseRefName : null;
  const list = repository.ordered(field, states, baseRefName);
  const window = sortedWindow(list, field, descending, pageArgs(args));
  const indexAt = (position: number) => list.indexAt(descending ? list.size - 1 - position : position);
  if (selects(info, ['nodes', 'edges']) && window.end > window.start)
    context.servedRepositories.add(repository);
  return connection(
    list.size,
    window,
    (position) => pullRequestObject(repository, repository.pullRequest(indexAt(position)), context),
    (position) => sortKeyCursor(field, repository.keyOf(field, indexAt(position))),
  );
}

function ownerObject(login: string, repositories: SimRepository[], context: ExecutionContext): Resolved {
  const type = repositories[0]?.ownerType ?? 'User';
  const canonical = repositories[0]?.owner ?? login;
  const salt = [...canonical].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  return {
    __typename: type,
    id: `${type === 'User' ? 'U' : 'O'}_kgDO${Buffer.from(canonical).toString('base64url')}`,
    databaseId: 5_000_000 + salt,
    login: canonical,
    url: `https://github.com/${canonical}`,
    resourcePath: `/${canonical}`,
    avatarUrl: () => `https://avatars.githubusercontent.com/${canonical}`,
    repositories: (args: Args) => {
      const visible = repositories
        .filter((repository) => context.token.canSee(repository.owner, repository.name))
        .filter((repository) => {
          if (args.privacy === 'PRIVATE') return repository.isPrivate;
          if (args.privacy === 'PUBLIC') return !repository.isPrivate;
          return true;
        });
      const orderBy = args.orderBy as { field: string; direction: 'ASC' | 'DESC' } | null | undefined;
      if (orderBy?.field === 'NAME') {
        visible.sort((a, b) => a.name.localeCompare(b.name, 'en'));
        if (orderBy.direction === 'DESC') visible.reverse();
      }
      return listConnection(visible, args, (repository) => repositoryObject(repository, context));
    },
  };
}

function repositoryObject(repository: SimRepository, context: ExecutionContext): Resolved {
  return {
    __typename: 'Repository',
    id: repository.nodeId,
    databaseId: repository.databaseId,
    name: repository.name,
    nameWithOwner: repository.nameWithOwner,
    owner: () => ownerObject(repository.owner, context.dataset.ownerRepositories(repository.owner), context),
    isPrivate: repository.isPrivate,
    visibility: repository.isPrivate ? 'PRIVATE' : 'PUBLIC',
    url: repository.url,
    resourcePath: `/${repository.nameWithOwner}`,
    createdAt: isoSeconds(repository.createdAt),
    pullRequests: (args: Args, ctx: ExecutionContext, info: GraphQLResolveInfo) =>
      pullRequestConnection(repository, args, ctx, info),
    issueOrPullRequest: ({ number }: Args, ctx: ExecutionContext) =>
      numberLookup(repository, Number(number), ctx, true),
    pullRequest: ({ number }: Args, ctx: ExecutionContext) =>
      numberLookup(repository, Number(number), ctx, false),
  };
}

/**
 * `issueOrPullRequest(number:)` and `pullRequest(number:)`: the pull request, an issue (only the former), or, as on
 * GitHub, null with a NOT_FOUND error at the alias's path for a number that is nothing (or not a pull request).
 */
function numberLookup(
  repository: SimRepository,
  number: number,
  context: ExecutionContext,
  issues: boolean,
): Resolved {
  const owner = repository.numberOwner(number);
  if (owner.kind === 'pullRequest') {
    assertCanReadPullRequests(repository, context);
    context.servedRepositories.add(repository);
    return pullRequestObject(repository, repository.pullRequest(owner.index), context);
  }
  if (owner.kind === 'issue' && issues) {
    return {
      __typename: 'Issue',
      id: nodeId('I', 'issue', context.dataset.seed, repository.nodeId, number),
      number,
      url: `${repository.url}/issues/${number}`,
    };
  }
  throw githubError(
    'NOT_FOUND',
    issues
      ? `Could not resolve to an issue or pull request with the number of ${number}.`
      : `Could not resolve to a PullRequest with the number of ${number}.`,
  );
}

function visibleRepository(
  context: ExecutionContext,
  owner: string,
  name: string,
): SimRepository | undefined {
  const repository = context.dataset.repository(owner, name);
  return repository && context.token.canSee(repository.owner, repository.name) ? repository : undefined;
}

/**
 * Search, as far as the product asks it: the `issueCount` of pull requests of one repository, by creation time,
 * base branch and state. Any other query is refused, so a test cannot pass on a search the simulator ignores.
 */
function searchCount(context: ExecutionContext, args: Args): Resolved {
  if (args.type !== 'ISSUE')
    throw new GraphQLError(`The simulator models only ISSUE searches, got ${args.type}.`);
  const terms = String(args.query).match(/"[^"]*"|\S+/g) ?? [];
  let repository: SimRepository | undefined;
  let since = Number.NEGATIVE_INFINITY;
  let base: string | null = null;
  const states = new Set<PullRequestState>(['OPEN', 'CLOSED', 'MERGED']);
  let pullRequests = false;
  for (const term of terms) {
    const [key, ...rest] = term.split(':');
    const value = rest.join(':').replace(/^"(.*)"$/, '$1');
    if (key === 'repo') {
      const [owner, name] = value.split('/');
      repository = visibleRepository(context, String(owner), String(name));
    } else if (term === 'is:pr') pullRequests = true;
    else if (term === 'is:open') for (const s of ['CLOSED', 'MERGED'] as const) states.delete(s);
    else if (term === 'is:closed') states.delete('OPEN');
    else if (term === 'is:merged') for (const s of ['OPEN', 'CLOSED'] as const) states.delete(s);
    else if (term === 'is:unmerged') states.delete('MERGED');
    else if (key === 'base') base = value;
    else if (key === 'created' && value.startsWith('>=')) since = Date.parse(value.slice(2)) / 1000;
    else throw new GraphQLError(`The simulator does not model the search term "${term}".`);
  }
  if (!pullRequests) throw new GraphQLError('The simulator models only searches for pull requests (is:pr).');
  if (!repository) return { issueCount: 0 };
  const list = repository.ordered('CREATED_AT', [...states], base);
  let count = 0;
  for (let position = 0; position < list.size; position++) {
    if (repository.keyOf('CREATED_AT', list.indexAt(position))[0] >= since) count++;
  }
  return { issueCount: count };
}

export function rootValue(context: ExecutionContext): Resolved {
  const ownerOf = (login: string) => {
    const repositories = context.dataset.ownerRepositories(login);
    return repositories.length > 0 ? { repositories, type: repositories[0]?.ownerType } : null;
  };
  return {
    rateLimit: () => context.rateLimit,
    repository: ({ owner, name }: Args) => {
      const repository = visibleRepository(context, String(owner), String(name));
      if (!repository) {
        throw githubError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      }
      return repositoryObject(repository, context);
    },
    search: (args: Args) => searchCount(context, args),
    node: ({ id }: Args) => children.nodeById(context.dataset.repositories, String(id), context),
    repositoryOwner: ({ login }: Args) => {
      const owner = ownerOf(String(login));
      return owner ? ownerObject(String(login), owner.repositories, context) : null;
    },
    organization: ({ login }: Args) => {
      const owner = ownerOf(String(login));
      if (owner?.type !== 'Organization') {
        throw githubError('NOT_FOUND', `Could not resolve to an Organization with the login of '${login}'.`);
      }
      return ownerObject(String(login), owner.repositories, context);
    },
    user: ({ login }: Args) => {
      const owner = ownerOf(String(login));
      if (owner?.type !== 'User') {
        throw githubError('NOT_FOUND', `Could not resolve to a User with the login of '${login}'.`);
      }
      return ownerObject(String(login), owner.repositories, context);
    },
    viewer: () => ({
      __typename: 'User',
      id: `U_kgDO${Buffer.from(context.token.login).toString('base64url')}`,
      databaseId: context.token.userId,
      login: context.token.login,
      url: `https://github.com/${context.token.login}`,
    }),
  };
}

const EMPTY_PAGE_INFO = { startCursor: null, endCursor: null, hasNextPage: false, hasPreviousPage: false };

/** A value of `type` for a field the simulator does not model. */
function defaultValue(type: GraphQLOutputType): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      case 'DateTime':
        return '1970-01-01T00:00:00Z';
      default:
        return '';
    }
  }
  const named = getNamedType(inner);
  if (isObjectType(named) && 'pageInfo' in named.getFields()) {
    return { totalCount: 0, pageInfo: EMPTY_PAGE_INFO, nodes: [], edges: [] };
  }
  return {};
}

export const fieldResolver: GraphQLFieldResolver<unknown, ExecutionContext> = (
  source,
  args,
  context,
  info,
) => {
  const value = (source as Resolved | null | undefined)?.[info.fieldName];
  if (typeof value === 'function') return value(args, context, info);
  if (value !== undefined) return value;
  return defaultValue(info.returnType);
};
