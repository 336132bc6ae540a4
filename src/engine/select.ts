/**
 * Selection: expand `owner/*`, look the repositories up on GitHub (ids and PR totalCount, many per query), track
 * them, and ask the contract which ones need work, in its priority order.
 */
import type { GitHubClient } from '../github/types.ts';
import type { RepositoryCandidate, RepositoryRow, Store } from '../store/types.ts';
import type { BackfillOptions } from './types.ts';

const LOOKUP_BATCH = 50;

export interface Selection {
  candidates: RepositoryCandidate[];
  /** named repositories that need no work this run, with why */
  skipped: { fullName: string; repositoryId: number | null; reason: string; row: RepositoryRow | null }[];
  missing: string[];
  named: RepositoryRow[];
}

async function expandSpecs(
  github: GitHubClient,
  options: BackfillOptions,
): Promise<{ owner: string; name: string }[]> {
  const refs: { owner: string; name: string }[] = [];
  for (const spec of options.repositories) {
    if (spec.name === '*') refs.push(...(await github.listOwnerRepositories(spec.owner)));
    else refs.push({ owner: spec.owner, name: spec.name });
  }
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.owner}/${r.name}`.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function selectRepositories(
  store: Store,
  github: GitHubClient,
  options: BackfillOptions,
): Promise<Selection> {
  const refs = await expandSpecs(github, options);
  const named: RepositoryRow[] = [];
  const missing: string[] = [];
  for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
    const batch = refs.slice(i, i + LOOKUP_BATCH);
    const { found, missing: gone } = await github.lookupRepositories(batch);
    for (const ref of gone) missing.push(`${ref.owner}/${ref.name}`);
    for (const info of found) {
      if (options.dryRun) {
        const row = await store.getRepository({ owner: info.owner, name: info.name });
        if (row) named.push({ ...row, prTotalCount: info.prTotalCount });
        else
          named.push({
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
          });
      } else {
        named.push(
          await store.trackRepository({
            owner: info.owner,
            name: info.name,
            githubId: info.githubId,
            nodeId: info.nodeId,
            prTotalCount: info.prTotalCount,
          }),
        );
      }
    }
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
