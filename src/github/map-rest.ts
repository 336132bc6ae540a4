/**
 * Maps the REST shape of a pull request (as found in `pull_request` webhook payloads) to the stored record, so a
 * webhook writes exactly what the GraphQL backfill (map.ts) would have written for the same pull request; the two
 * share the actor-type rule.
 */
import type { WebhookContributor } from '../domain/children.ts';
import type { PullRequestRecord } from '../domain/pull-request.ts';
import { isGitHubOwner, isGitHubRepositoryName } from '../domain/repository-spec.ts';
import { actorType } from './map-children.ts';

/** A REST payload that is not the shape GitHub documents; the message names the offending field. */
export class RestShapeError extends Error {
  override name = 'RestShapeError';
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(source: Json, key: string): unknown {
  return source[key];
}

export function requiredString(source: Json, key: string, path: string): string {
  const value = field(source, key);
  if (typeof value !== 'string' || value.length === 0)
    throw new RestShapeError(`${path}.${key} must be a string`);
  return value;
}

/** like requiredString, but an empty string is a valid value */
export function text(source: Json, key: string, path: string): string {
  const value = field(source, key);
  if (typeof value !== 'string') throw new RestShapeError(`${path}.${key} must be a string`);
  return value;
}

export function optionalString(source: Json, key: string, path: string): string | null {
  const value = field(source, key);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RestShapeError(`${path}.${key} must be a string or null`);
  return value;
}

export function requiredInteger(source: Json, key: string, path: string): number {
  const value = field(source, key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RestShapeError(`${path}.${key} must be a non-negative integer`);
  }
  return value;
}

/**
 * GitHub's `pull_request` events always carry the full pull request, counts included; other payloads that embed a
 * pull request (reviews, comments) omit them. An absent count is stored as 0 rather than rejecting the delivery:
 * the next backfill refresh (GraphQL, which always has them) corrects it.
 */
function countOrZero(source: Json, key: string, path: string): number {
  return field(source, key) === undefined || field(source, key) === null
    ? 0
    : requiredInteger(source, key, path);
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * REST ids are JSON numbers; the record keeps them as decimal strings (they outgrow 2^53 in JSON elsewhere), within
 * the bigint column they are stored in.
 */
export function idString(source: Json, key: string, path: string): string {
  const value = field(source, key);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9][0-9]{0,18}$/.test(value) && BigInt(value) <= MAX_BIGINT)
    return value;
  throw new RestShapeError(`${path}.${key} must be a positive integer id`);
}

/** GitHub's placeholder for deleted accounts; GraphQL reports it as a null author, so the record does too. */
const GHOST = { login: 'ghost', id: 10137 };

/** The account types that have a `contributors` row (EnterpriseUserAccount has no id, and REST never names it). */
const CONTRIBUTOR_TYPES: readonly string[] = ['User', 'Bot', 'Mannequin', 'Organization'];

export interface RestActor {
  columns: Pick<PullRequestRecord, 'author_login' | 'author_github_id' | 'author_type'>;
  /** null for a ghost or an absent user */
  contributor: WebhookContributor | null;
}

/**
 * A REST `user` as the GraphQL backfill stores its actor: a ghost (deleted account) or no user is a null author, and
 * a Bot's login loses the `[bot]` suffix REST adds (GraphQL's Bot.login is `dependabot`, REST's `dependabot[bot]`),
 * so both paths write the same login for the same id.
 */
export function restActor(user: unknown, path: string): RestActor {
  const none: RestActor = {
    columns: { author_login: null, author_github_id: null, author_type: null },
    contributor: null,
  };
  if (!isObject(user)) return none;
  const login = requiredString(user, 'login', path);
  const id = idString(user, 'id', path);
  if (login === GHOST.login && id === String(GHOST.id)) return none;
  const typeName = field(user, 'type');
  const type = actorType(typeof typeName === 'string' ? typeName : undefined);
  const storedLogin = type === 'Bot' && login.endsWith('[bot]') ? login.slice(0, -'[bot]'.length) : login;
  return {
    columns: { author_login: storedLogin, author_github_id: id, author_type: type },
    contributor: {
      github_id: id,
      login: storedLogin,
      // an unknown type is left for GraphQL to fill (upsert_contributors keeps a stored one)
      type: type !== null && CONTRIBUTOR_TYPES.includes(type) ? type : null,
      avatar_url: optionalString(user, 'avatar_url', path),
      html_url: optionalString(user, 'html_url', path),
    },
  };
}

function state(pr: Json): PullRequestRecord['state'] {
  const value = field(pr, 'state');
  if (value === 'open') return 'OPEN';
  if (value !== 'closed') throw new RestShapeError('pull_request.state must be "open" or "closed"');
  return field(pr, 'merged_at') || field(pr, 'merged') === true ? 'MERGED' : 'CLOSED';
}

function refName(pr: Json, key: 'base' | 'head'): string | null {
  const ref = field(pr, key);
  return isObject(ref) ? optionalString(ref, 'ref', `pull_request.${key}`) : null;
}

function labelNames(pr: Json): string[] | undefined {
  const labels = field(pr, 'labels');
  if (labels === undefined || labels === null) return undefined;
  if (!Array.isArray(labels)) throw new RestShapeError('pull_request.labels must be an array');
  return labels.map((label, index) => {
    if (!isObject(label)) throw new RestShapeError(`pull_request.labels[${index}] must be an object`);
    return requiredString(label, 'name', `pull_request.labels[${index}]`);
  });
}

export function restPullRequestToRecord(pr: unknown): PullRequestRecord {
  if (!isObject(pr)) throw new RestShapeError('pull_request must be an object');
  const path = 'pull_request';
  const record: PullRequestRecord = {
    github_id: idString(pr, 'id', path),
    node_id: requiredString(pr, 'node_id', path),
    number: requiredInteger(pr, 'number', path),
    title: text(pr, 'title', path),
    body: optionalString(pr, 'body', path),
    state: state(pr),
    is_draft: field(pr, 'draft') === true,
    created_at: requiredString(pr, 'created_at', path),
    updated_at: requiredString(pr, 'updated_at', path),
    closed_at: optionalString(pr, 'closed_at', path),
    merged_at: optionalString(pr, 'merged_at', path),
    ...restActor(field(pr, 'user'), 'pull_request.user').columns,
    additions: countOrZero(pr, 'additions', path),
    deletions: countOrZero(pr, 'deletions', path),
    changed_files: countOrZero(pr, 'changed_files', path),
    base_ref: refName(pr, 'base'),
    head_ref: refName(pr, 'head'),
    url: requiredString(pr, 'html_url', path),
    // the webhook knows the core fields and the labels, nothing about reviews or comments
    field_profile: 'core',
  };
  const labels = labelNames(pr);
  if (labels !== undefined) record.labels = labels;
  return record;
}

export interface WebhookRepository {
  owner: string;
  name: string;
  githubId: string | null;
  nodeId: string | null;
  /** the newest of the repository's `updated_at` (a rename moves it) and `pushed_at`, in ms since the epoch */
  changedAt: number | null;
}

/** A REST timestamp: ISO 8601 text, or seconds since the epoch (as `push` payloads give `pushed_at`). */
function instant(source: Json, key: string, path: string): number | null {
  const value = field(source, key);
  if (value === undefined || value === null) return null;
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new RestShapeError(`${path}.${key} must be a timestamp`);
  return ms;
}

function newest(...instants: (number | null)[]): number | null {
  const known = instants.filter((ms): ms is number => ms !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** GitHub's global ids: `R_kgDO…`, or the legacy base64 form. */
const NODE_ID = /^[A-Za-z0-9_=+/-]{1,200}$/;

export function restRepository(repository: unknown): WebhookRepository {
  if (!isObject(repository)) throw new RestShapeError('repository must be an object');
  const owner = field(repository, 'owner');
  if (!isObject(owner)) throw new RestShapeError('repository.owner must be an object');
  const login = requiredString(owner, 'login', 'repository.owner');
  if (!isGitHubOwner(login)) throw new RestShapeError('repository.owner.login is not a GitHub account name');
  const name = requiredString(repository, 'name', 'repository');
  if (!isGitHubRepositoryName(name))
    throw new RestShapeError('repository.name is not a GitHub repository name');
  const nodeId = optionalString(repository, 'node_id', 'repository');
  if (nodeId !== null && !NODE_ID.test(nodeId))
    throw new RestShapeError('repository.node_id is not a GitHub node id');
  return {
    owner: login,
    name,
    githubId: field(repository, 'id') === undefined ? null : idString(repository, 'id', 'repository'),
    nodeId,
    changedAt: newest(
      instant(repository, 'updated_at', 'repository'),
      instant(repository, 'pushed_at', 'repository'),
    ),
  };
}
