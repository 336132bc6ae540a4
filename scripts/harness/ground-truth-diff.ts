/**
 * How a backfilled database differs from the simulator's ground truth, counted the way the reliability harness
 * reports it: pull requests missing, rows (or the stored counter) beyond one per pull request, and rows whose
 * content is not exactly GitHub's.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Simulator } from '../../src/simulator/server.ts';
import type { TestDatabase } from './database.ts';
import { readStored, truth } from './engine-environment.ts';

export interface GroundTruthDiff {
  lost: number;
  duplicated: number;
  differing: number;
}

export async function diffAgainstGroundTruth(
  db: TestDatabase,
  sim: Simulator,
  owner: string,
  name: string,
  profile: 'core' | 'full' = 'core',
): Promise<GroundTruthDiff> {
  const stored = await readStored(db, owner, name);
  const expected = truth(sim, owner, name, profile);
  const storedIds = new Set(stored.map((p) => p.github_id));
  const expectedById = new Map(expected.map((p) => [p.github_id, p]));
  const { rows } = await db.client.query<{ rows: number; ids: number; counter: number | null }>(
    `select count(p.id)::int as rows, count(distinct p.github_id)::int as ids, r.stored_pr_count as counter
       from progressive_backfill.repositories r left join progressive_backfill.pull_requests p on p.repository_id = r.id
      where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
      group by r.id`,
    [owner, name],
  );
  const counts = rows[0] ?? { rows: 0, ids: 0, counter: 0 };
  return {
    lost: expected.filter((p) => !storedIds.has(p.github_id)).length,
    // a second row for one PR, or a progress counter that disagrees with the rows, is a duplicate write
    duplicated: counts.rows - counts.ids + Math.abs((counts.counter ?? 0) - counts.rows),
    differing: stored.filter((p) => !isDeepStrictEqual(p, expectedById.get(p.github_id))).length,
  };
}

export const isExact = (d: GroundTruthDiff) => d.lost + d.duplicated + d.differing === 0;
