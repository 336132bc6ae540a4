/**
 * Reads a repository's stored pull requests back in the PullRequestRecord shape and compares them field by field
 * with the records a correct backfill must hold. Used by `demo` to prove its result, and by tests.
 */
import type { FieldProfile, PullRequestRecord } from '../domain/pull-request.ts';

export interface SqlQuery {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the SQL selects
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

/** Columns only richer profiles write: absent from a record means the column must be null. */
const OPTIONAL_COLUMNS = ['labels', 'review_decision', 'review_count', 'comment_count'] as const;
const TIMESTAMP_COLUMNS = new Set(['created_at', 'updated_at', 'closed_at', 'merged_at']);
const MAX_REPORTED = 10;

/** Pull-request numbers above `after` and up to `through` (null: no upper bound). */
export interface NumberRange {
  after: number;
  through: number | null;
}

export async function readStoredPullRequests(
  db: SqlQuery,
  owner: string,
  name: string,
  range: NumberRange = { after: 0, through: null },
): Promise<Record<string, unknown>[]> {
  // bigint ids as text: JSON numbers lose precision past 2^53
  const { rows } = await db.query(
    `select to_jsonb(p) - 'id' - 'repository_id' - 'captured_at'
              || jsonb_build_object('github_id', p.github_id::text, 'author_github_id', p.author_github_id::text) as pr
       from progressive_backfill.pull_requests p
       join progressive_backfill.repositories r on r.id = p.repository_id
      where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
        and p.number > $3 and ($4::int is null or p.number <= $4)
      order by p.number`,
    [owner, name, range.after, range.through],
  );
  return rows.map((row) => (typeof row.pr === 'string' ? JSON.parse(row.pr) : row.pr));
}

export interface Comparison {
  expected: number;
  stored: number;
  identical: number;
  /** human-readable differences, the first few */
  differences: string[];
}

/** JSON with every object's keys sorted: jsonb hands nested objects back in its own key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sameValue(column: string, expected: unknown, actual: unknown): boolean {
  if (TIMESTAMP_COLUMNS.has(column) && typeof expected === 'string' && typeof actual === 'string') {
    return Date.parse(expected) === Date.parse(actual);
  }
  return canonicalJson(expected) === canonicalJson(actual);
}

function show(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function compareWithGroundTruth(
  expected: PullRequestRecord[],
  stored: Record<string, unknown>[],
  profile: FieldProfile,
): Comparison {
  const byId = new Map(stored.map((row) => [String(row.github_id), row]));
  const differences: string[] = [];
  let identical = 0;
  for (const record of expected) {
    const row = byId.get(record.github_id);
    byId.delete(record.github_id);
    if (!row) {
      differences.push(`#${record.number} (github id ${record.github_id}) is missing`);
      continue;
    }
    const wrong: string[] = [];
    for (const [column, value] of Object.entries(record)) {
      if (!sameValue(column, value, row[column])) {
        wrong.push(`${column}: expected ${show(value)}, stored ${show(row[column])}`);
      }
    }
    for (const column of OPTIONAL_COLUMNS) {
      if (!(column in record) && row[column] !== null && row[column] !== undefined && profile === 'core') {
        wrong.push(`${column}: expected null (not fetched by ${profile}), stored ${show(row[column])}`);
      }
    }
    if (wrong.length === 0) identical++;
    else differences.push(`#${record.number}: ${wrong.join('; ')}`);
  }
  for (const row of byId.values()) differences.push(`#${String(row.number)} is stored but not on GitHub`);
  return {
    expected: expected.length,
    stored: stored.length,
    identical,
    differences: differences.slice(0, MAX_REPORTED),
  };
}

/**
 * compareWithGroundTruth a page at a time: each truth page (in number order) is compared with the stored rows of
 * its number range, the last range open-ended so rows stored beyond the truth are caught too. Memory stays that
 * of one page whatever the repository's size.
 */
export async function compareInPages(
  truthPages: Iterable<PullRequestRecord[]>,
  readStored: (range: NumberRange) => Promise<Record<string, unknown>[]>,
  profile: FieldProfile,
): Promise<Comparison> {
  const total: Comparison = { expected: 0, stored: 0, identical: 0, differences: [] };
  let after = 0;
  const add = (part: Comparison) => {
    total.expected += part.expected;
    total.stored += part.stored;
    total.identical += part.identical;
    total.differences = [...total.differences, ...part.differences].slice(0, MAX_REPORTED);
  };
  let pending: PullRequestRecord[] | null = null;
  for (const page of truthPages) {
    if (pending) {
      const through = pending.at(-1)!.number;
      add(compareWithGroundTruth(pending, await readStored({ after, through }), profile));
      after = through;
    }
    pending = page;
  }
  add(compareWithGroundTruth(pending ?? [], await readStored({ after, through: null }), profile));
  return total;
}
