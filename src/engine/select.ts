/**
 * Selection: expand `owner/*`, look the repositories up on GitHub (ids and PR totalCount, many per query), track
 * them, and ask the contract which ones need work, in its priority order.
 */
import { type BackfillScope, isWholeRepository, scopeFor } from '../domain/scope.ts';
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
  /** repositories whose backfill has another scope than the one the run gives: nothing read or written for them */
  refused: { fullName: string; message: string }[];
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
 * A scoped backfill is complete against its scope, not the repository: each repository's total becomes its scope's
 * size, read from a one-pull-request page of the scoped walk (the same count every page of it carries).
 */
export async function countScope(
  github: GitHubClient,
  scoped: { info: RepositoryInfo; scope: BackfillScope }[],
): Promise<RepositoryInfo[]> {
  const counted: RepositoryInfo[] = [];
  for (const { info, scope } of scoped) {
    if (isWholeRepository(scope)) {
      counted.push(info);
      continue;
    }
    const request = walkRequest(parseWalkCursor(null, scope), info, 'core', 1, 1, scope);
    const page = await github.fetchPullRequests(request);
    counted.push({ ...info, prTotalCount: page.totalCount });
  }
  return counted;
}

/** What the store knows of a repository's backfill, for the scope a run works it in. */
type StoredBackfill = Pick<RepositoryRow, 'fullName' | 'backfillStatus' | 'scope'>;

/**
 * Each looked-up repository with the scope this run works it in (scope.ts's `scopeFor`): the run's own, or its
 * backfill's stored one. A repository whose backfill has another scope than the one the run gives is refused
 * here, before its count is read or written.
 */
async function scopesFor(
  found: RepositoryInfo[],
  given: BackfillScope | undefined,
  storedOf: (info: RepositoryInfo) => Promise<StoredBackfill | null>,
  refused: Selection['refused'],
): Promise<{ info: RepositoryInfo; scope: BackfillScope }[]> {
  const scoped: { info: RepositoryInfo; scope: BackfillScope }[] = [];
  for (const info of found) {
    const stored = await storedOf(info);
    const fullName = `${info.owner}/${info.name}`;
    const verdict = scopeFor(given, {
      fullName: stored?.fullName ?? fullName,
      status: stored?.backfillStatus ?? 'idle',
      scope: stored?.scope,
    });
    if ('refused' in verdict)
      refused.push({ fullName: stored?.fullName ?? fullName, message: verdict.refused });
    else scoped.push({ info, scope: verdict.scope });
  }
  return scoped;
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
  const refused: Selection['refused'] = [];
  const storedRow = (info: RepositoryInfo) => store.getRepository({ owner: info.owner, name: info.name });
  const found = await countScope(github, await scopesFor(looked.found, options.scope, storedRow, refused));
  const missing = looked.missing;
  missing.push(...emptyOwners);
  if (refs.length === 0 && !options.dryRun) {
    // No list given: the tracked set is the list, and GitHub's totals decide who is under the threshold.
    const progress = await store.progress();
    const byName = new Map(progress.map((row) => [row.fullName.toLowerCase(), row]));
    const tracked = progress.map((row) => {
      const [owner, name] = row.fullName.split('/') as [string, string];
      return { owner, name };
    });
    const current = await lookUp(github, tracked);
    const storedOf = async (info: RepositoryInfo): Promise<StoredBackfill | null> => {
      const row = byName.get(`${info.owner}/${info.name}`.toLowerCase());
      // a repository renamed on GitHub is found under its new name: ask the store, which knows it by its id
      return row ?? storedRow(info);
    };
    const scoped = await scopesFor(current.found, options.scope, storedOf, refused);
    for (const info of await countScope(github, scoped)) await track(store, info);
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
            scope: options.scope ?? {},
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
  } else {
    const refusedNames = new Set(refused.map((r) => r.fullName.toLowerCase()));
    candidates = candidates.filter((c) => !refusedNames.has(c.fullName.toLowerCase()));
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
          scope: row.scope,
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
  return { candidates, skipped, missing, named, refused };
}

function skipReason(row: RepositoryRow, options: BackfillOptions): string {
  const total = row.prTotalCount ?? 0;
  if (row.backfillStatus === 'failed' || row.backfillStatus === 'stalled') {
    return `backfill is ${row.backfillStatus}; \`progressive-backfill retry ${row.fullName}\` puts it back to work`;
  }
  if (row.backfillStatus === 'cancelled') return 'backfill is cancelled; name it with --repo to restart it';
  if (row.backfillStatus === 'paused') return 'paused until its resume time';
  if (total < options.minPrs) return `${total} PRs on GitHub, under min-prs ${options.minPrs}`;
  const completeness = total > 0 ? row.storedPrCount / total : 1;
  if (completeness >= options.completenessThreshold) {
    return `${Math.round(completeness * 100)}% stored, at or over the ${Math.round(options.completenessThreshold * 100)}% threshold`;
  }
  return 'being worked on by another worker';
}
