/**
 * A backfill's scope: which of a repository's pull requests it covers. Empty covers them all. The scope is stored
 * with the backfill (as this JSON), so its form is canonical: states in partition order and only when a strict
 * subset, `since` as a UTC instant, absent keys for no filter. Two runs mean the same scope exactly when their JSON
 * is equal.
 */
import type { PullRequestRecord, PullRequestState } from './pull-request.ts';

export const PULL_REQUEST_STATES: readonly PullRequestState[] = ['OPEN', 'CLOSED', 'MERGED'];

export interface BackfillScope {
  /** only pull requests created at or after this instant (ISO 8601, UTC, whole seconds) */
  since?: string;
  /** only pull requests in these states: a strict subset of PULL_REQUEST_STATES, in its order */
  states?: PullRequestState[];
  /** only pull requests into this base branch (GraphQL's `baseRefName`) */
  base?: string;
}

export const WHOLE_REPOSITORY: BackfillScope = {};

/** The states a scope walks, in partition order. */
export function scopeStates(scope: BackfillScope): readonly PullRequestState[] {
  return scope.states ?? PULL_REQUEST_STATES;
}

/** Does a pull request belong to the scope? The refresh reads every recently updated one and keeps these. */
export function inScope(pr: PullRequestRecord, scope: BackfillScope): boolean {
  if (scope.states && !scope.states.includes(pr.state)) return false;
  if (scope.base !== undefined && pr.base_ref !== scope.base) return false;
  return scope.since === undefined || createdBefore(pr, scope.since) === false;
}

/** Was the pull request created before the instant? (Compared as instants: GitHub and the scope may differ in form.) */
export function createdBefore(pr: Pick<PullRequestRecord, 'created_at'>, since: string): boolean {
  return Date.parse(pr.created_at) < Date.parse(since);
}

/**
 * GitHub search queries whose `issueCount`s add up to the scope's size, one per state when the states are a subset
 * (search's `is:closed` also matches merged pull requests, so CLOSED is `is:closed is:unmerged`).
 */
export function scopeSearchQueries(
  repository: { owner: string; name: string },
  scope: BackfillScope,
): string[] {
  const common = [`repo:${repository.owner}/${repository.name}`, 'is:pr'];
  if (scope.since !== undefined) common.push(`created:>=${scope.since}`);
  if (scope.base !== undefined) common.push(`base:"${scope.base}"`);
  if (!scope.states) return [common.join(' ')];
  const qualifiers: Record<PullRequestState, string> = {
    OPEN: 'is:open',
    CLOSED: 'is:closed is:unmerged',
    MERGED: 'is:merged',
  };
  return scope.states.map((state) => [...common, qualifiers[state]].join(' '));
}

/** For messages: `since 2024-01-01T00:00:00Z, states MERGED, base main`, or `the whole repository`. */
export function describeScope(scope: BackfillScope): string {
  const parts = [
    scope.since !== undefined ? `since ${scope.since}` : null,
    scope.states ? `states ${scope.states.join(',')}` : null,
    scope.base !== undefined ? `base ${scope.base}` : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(', ') : 'the whole repository';
}

export function isWholeRepository(scope: BackfillScope): boolean {
  return scope.since === undefined && scope.states === undefined && scope.base === undefined;
}

/** Do two scopes cover the same pull requests? (Both canonical, as parseScope and the store give them.) */
export function sameScope(a: BackfillScope, b: BackfillScope): boolean {
  return (
    a.since === b.since &&
    a.base === b.base &&
    (a.states ?? PULL_REQUEST_STATES).join() === (b.states ?? PULL_REQUEST_STATES).join()
  );
}

/**
 * The scope a run works a backfill in: the one it gives, or (none given) the backfill's own. A given scope other
 * than the one a backfill in progress or done was started with would mix two sets of pull requests in one table,
 * so it is refused with what to do; only a backfill never started, or cancelled, takes a new one.
 */
export function scopeFor(
  given: BackfillScope | undefined,
  backfill: { fullName: string; status: string; scope: BackfillScope | undefined },
): { scope: BackfillScope } | { refused: string } {
  const stored = backfill.scope ?? WHOLE_REPOSITORY;
  if (given === undefined) return { scope: stored };
  if (sameScope(given, stored) || backfill.status === 'idle' || backfill.status === 'cancelled')
    return { scope: given };
  const name = backfill.fullName;
  return {
    refused:
      `repository ${name} is being backfilled with scope "${describeScope(stored)}", and this run gives ` +
      `"${describeScope(given)}"; run with the same scope, or \`progressive-backfill cancel ${name}\` first`,
  };
}
