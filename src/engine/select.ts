/**
 * Selection: expand `owner/*`, look the repositories up on GitHub (ids and PR totalCount, many per query), track
 * them, and ask the contract which ones need work, in its priority order.
 */
import { type BackfillScope, isWholeRepository } from '../domain/scope.ts';
import type { GitHubClient, RepositoryInfo } from '../github/types.ts';
import type { RepositoryCandidate, RepositoryRow, Store } from '../store/types.ts';
import type { BackfillOptions, RepositorySpec } from './types.ts';
import { parseWalkCursor, walkRequest } from './walk.ts';

const LOOKUP_BATCH = 50;

export interface Selection {
  candidates: RepositoryCandidate[];
  /** named repositories that need no work this run, with why */
  skipped: { fullName: string; repositoryId: number | null; reason: string; row: RepositoryRow | null }[];
  missing: string[];
  named: RepositoryRow[];
}

/** `owner/*` expanded through GitHub, duplicates dropped; owners with no visible repository are reported. */
export async function expandSpecs(
  github: GitHubClient,
  specs: RepositorySpec[],
): Promise<{ refs: { owner: string; name: string }[]; emptyOwners: string[] }> {
  const refs: { owner: string; name: string }[] = [];
  const emptyOwners: string[] = [];
  const seen = new Set<string>();
  const add = (ref: { owner: string; name: string }) => {
    const key = `${ref.owner}/${ref.name}`.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    refs.push(ref);
  };
  for (const spec of specs) {
    if (spec.name !== '*') {
      add({ owner: spec.owner, name: spec.name });
      continue;
    }
    const listed = await github.listOwnerRepositories(spec.owner);
    if (listed.length === 0) emptyOwners.push(`${spec.owner}/*`);
    for (const ref of listed) add(ref);
  }
  return { refs, emptyOwners };
}

/** Looks repositories up on GitHub (ids, PR totals) in batches of one query each. */
export async function lookUp(
  github: GitHubClient,
  refs: { owner: string; name: string }[],
): Promise<{ found: RepositoryInfo[]; missing: string[] }> {
  const found: RepositoryInfo[] = [];
  const missing: string[] = [];
  for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
    const result = await github.lookupRepositories(refs.slice(i, i + LOOKUP_BATCH));
    found.push(...result.found);
    for (const ref of result.missing) missing.push(`${ref.owner}/${ref.name}`);
  }
  return { found, missing };
}

/**
 * A scoped backfill is complete against its scope, not the repository: each repository's total becomes the
 * scope's size, read from a one-pull-request page of the scoped walk (the same count every page of it carries).
 */
export async function countScope(
  github: GitHubClient,
  found: RepositoryInfo[],
  scope: BackfillScope | undefined,
): Promise<RepositoryInfo[]> {
  if (!scope || isWholeRepository(scope)) return found;
  const counted: RepositoryInfo[] = [];
  for (const info of found) {
    const request = walkRequest(parseWalkCursor(null, scope), info, 'core', 1, 1, scope);
    const page = await github.fetchPullRequests(request);
    counted.push({ ...info, prTotalCount: page.totalCount });
  }
  return counted;
}

/** Adds looked-up repositories to the tracked set, refreshing their ids and GitHub's PR total. */
export function track(store: Store, info: RepositoryInfo, priority?: number): Promise<RepositoryRow> {
  return store.trackRepository({
    owner: info.owner,
    name: info.name,
    githubId: info.githubId,
    nodeId: info.nodeId,
    prTotalCount: info.prTotalCount,
    ...(priority === undefined ? {} : { priority }),
  });
}

export async function selectRepositories(
  store: Store,
  github: GitHubClient,
  options: BackfillOptions,
): Promise<Selection> {
  const { refs, emptyOwners } = await expandSpecs(github, options.repositories);
  const looked = await lookUp(github, refs);
  const found = await countScope(github, looked.found, options.scope);
  const missing = looked.missing;
  missing.push(...emptyOwners);
  if (refs.length === 0 && !options.dryRun) {
    // No list given: the tracked set is the list, and GitHub's totals decide who is under the threshold.
    const tracked = (await store.progress()).map((row) => {
      const [owner, name] = row.fullName.split('/') as [string, string];
      return { owner, name };
    });
    const current = await lookUp(github, tracked);
    for (const info of await countScope(github, current.found, options.scope)) await track(store, info);
    missing.push(...current.missing);
  }
  const named: RepositoryRow[] = [];
  for (const info of found) {
    if (!options.dryRun) {
      named.push(await track(store, info));
      continue;
    }
    // A dry run writes nothing: judge an untracked repository as if it had just been tracked.
    const row = await store.getRepository({ owner: info.owner, name: info.name });
    named.push(
      row
        ? { ...row, prTotalCount: info.prTotalCount }
        : {
            id: -1,
            githubId: info.githubId,
            nodeId: info.nodeId,
            owner: info.owner,
            name: info.name,
            fullName: `${info.owner}/${info.name}`,
            prTotalCount: info.prTotalCount,
            prTotalCountAt: null,
            storedPrCount: 0,
            tracked: false,
            priority: 0,
            backfillStatus: 'idle',
          },
    );
  }

  const namedIds = named.filter((r) => r.id > 0).map((r) => r.id);
  const force = options.force === true && refs.length > 0;
  let candidates = await store.selectRepositories({
    threshold: force ? 1 : options.completenessThreshold,
    minPrs: options.minPrs,
    limit: 1000,
    // Naming a repository asks for it now: a completed one is refreshed whatever its last refresh.
    ...(force ? { repositoryIds: namedIds, refreshAfterSeconds: 0 } : {}),
  });
  if (refs.length > 0) {
    const wanted = new Set(namedIds);
    candidates = candidates.filter((c) => wanted.has(c.repositoryId));
  }
  const chosen = new Set(candidates.map((c) => c.repositoryId));
  const skipped: Selection['skipped'] = [];
  for (const row of named) {
    if (chosen.has(row.id)) continue;
    if (row.id < 0) {
      // Not tracked yet (dry run): it would be tracked and judged by the same rules.
      const total = row.prTotalCount ?? 0;
      if (force || total >= options.minPrs) {
        candidates.push({
          repositoryId: -1,
          owner: row.owner,
          name: row.name,
          fullName: row.fullName,
          priority: 0,
          storedPrCount: 0,
          prTotalCount: total,
          completeness: total > 0 ? 0 : null,
          backfillStatus: 'idle',
          needsStart: true,
          needsRefresh: false,
          watermark: null,
        });
        continue;
      }
    }
    skipped.push({
      fullName: row.fullName,
      repositoryId: row.id > 0 ? row.id : null,
      reason: skipReason(row, options),
      row,
    });
  }
  return { candidates, skipped, missing, named };
}

function skipReason(row: RepositoryRow, options: BackfillOptions): string {
  const total = row.prTotalCount ?? 0;
  if (
    row.backfillStatus === 'failed' ||
    row.backfillStatus === 'stalled' ||
    row.backfillStatus === 'cancelled'
  ) {
    return `backfill is ${row.backfillStatus}; name it with --repo (force) to restart it`;
  }
  if (row.backfillStatus === 'paused') return 'paused until its resume time';
  if (total < options.minPrs) return `${total} PRs on GitHub, under min-prs ${options.minPrs}`;
  const completeness = total > 0 ? row.storedPrCount / total : 1;
  if (completeness >= options.completenessThreshold) {
    return `${Math.round(completeness * 100)}% stored, at or over the ${Math.round(options.completenessThreshold * 100)}% threshold`;
  }
  return 'being worked on by another worker';
}
