/**
 * How a database's contributors, reviews, comments and labels differ from the simulator's ground truth: rows
 * missing, rows beyond the truth (duplicates, or children GitHub no longer has), and rows whose content differs.
 */
import { isDeepStrictEqual } from 'node:util';
import { childrenTruth } from '../../src/simulator/children-truth.ts';
import type { Simulator } from '../../src/simulator/server.ts';
import type { TestDatabase } from './database.ts';

export interface ChildrenDiff {
  lost: number;
  extra: number;
  differing: number;
  /** per table, for a readable failure */
  detail: Record<string, { lost: number; extra: number; differing: number }>;
}

const iso = (value: unknown) =>
  value === null ? null : new Date(value as string).toISOString().replace('.000Z', 'Z');

function compare<T>(stored: T[], expected: T[], key: (row: T) => string) {
  const want = new Map(expected.map((row) => [key(row), row]));
  const have = new Map<string, T>();
  let duplicates = 0;
  for (const row of stored) {
    if (have.has(key(row))) duplicates++;
    have.set(key(row), row);
  }
  return {
    lost: [...want.keys()].filter((k) => !have.has(k)).length,
    extra: duplicates + [...have.keys()].filter((k) => !want.has(k)).length,
    differing: [...have].filter(([k, row]) => want.has(k) && !isDeepStrictEqual(row, want.get(k))).length,
  };
}

export async function diffChildren(
  db: TestDatabase,
  sim: Simulator,
  owner: string,
  name: string,
): Promise<ChildrenDiff> {
  const repository = sim.dataset.repository(owner, name);
  if (!repository) throw new Error(`no repository ${owner}/${name}`);
  const truth = childrenTruth(repository);
  const repo = `join progressive_backfill.pull_requests p on p.id = x.pull_request_id
    join progressive_backfill.repositories r on r.id = p.repository_id
    where lower(r.owner) = lower($1) and lower(r.name) = lower($2)`;
  const reviews = (
    await db.client.query(
      `select x.github_id::text, x.node_id, p.github_id::text as pull_request_github_id,
              x.author_github_id::text, x.author_login, x.author_type, x.state, x.body, x.submitted_at,
              x.created_at, x.updated_at, x.commit_oid
         from progressive_backfill.reviews x ${repo}`,
      [owner, name],
    )
  ).rows.map((row) => ({
    ...row,
    submitted_at: iso(row.submitted_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }));
  const comments = (
    await db.client.query(
      `select x.kind, x.github_id::text, x.node_id, p.github_id::text as pull_request_github_id,
              x.author_github_id::text, x.author_login, x.author_type, x.body, x.created_at, x.updated_at,
              x.review_github_id::text, x.path, x.line, x.original_line, x.in_reply_to_github_id::text
         from progressive_backfill.comments x ${repo}`,
      [owner, name],
    )
  ).rows.map((row) => ({ ...row, created_at: iso(row.created_at), updated_at: iso(row.updated_at) }));
  // every author of this repository's rows must be a contributor row equal to GitHub's account
  const contributors = (
    await db.client.query(
      `select c.github_id::text, c.login, c.type, c.avatar_url, c.html_url from progressive_backfill.contributors c
        where c.github_id in (
          select p.author_github_id from progressive_backfill.pull_requests p
            join progressive_backfill.repositories r on r.id = p.repository_id
           where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
          union select x.author_github_id from progressive_backfill.reviews x ${repo}
          union select x.author_github_id from progressive_backfill.comments x ${repo})`,
      [owner, name],
    )
  ).rows;
  const labels = (
    await db.client.query(
      `select p.github_id::text as id, coalesce(p.labels, '[]'::jsonb) as names
         from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id
        where lower(r.owner) = lower($1) and lower(r.name) = lower($2)`,
      [owner, name],
    )
  ).rows;
  const detail = {
    reviews: compare(reviews, truth.reviews as unknown as typeof reviews, (row) => row.github_id),
    comments: compare(
      comments,
      truth.comments as unknown as typeof comments,
      (row) => `${row.kind}:${row.github_id}`,
    ),
    contributors: compare(
      contributors,
      truth.contributors as unknown as typeof contributors,
      (row) => row.github_id,
    ),
    labels: compare(
      labels,
      [...truth.labels].map(([id, names]) => ({ id, names })),
      (row) => row.id,
    ),
  };
  const sum = (field: 'lost' | 'extra' | 'differing') =>
    Object.values(detail).reduce((total, table) => total + table[field], 0);
  return { lost: sum('lost'), extra: sum('extra'), differing: sum('differing'), detail };
}

export const childrenExact = (diff: ChildrenDiff) => diff.lost + diff.extra + diff.differing === 0;
