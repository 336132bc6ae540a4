/**
 * A page's pull requests as rows of the SQL type `progressive_backfill.pr_row` (supabase/schemas/24_pr_row.sql),
 * every field text. A direct connection sends them in Postgres's binary format: the server copies each field,
 * where a JSON document of the same page (~300 KB for 100 pull requests) is lexed a character at a time, and the
 * page commit costs it about a quarter less CPU (scripts/bench/results/commit.md).
 */
import { Buffer } from 'node:buffer';
import { storableJson } from '../domain/postgres-text.ts';
import type { PullRequestRecord } from '../domain/pull-request.ts';

/** The fields of `pr_row`, in the type's order (a test holds them equal to the database's). */
export const PR_ROW_FIELDS = [
  'github_id',
  'node_id',
  'number',
  'title',
  'body',
  'state',
  'is_draft',
  'created_at',
  'updated_at',
  'closed_at',
  'merged_at',
  'author_login',
  'author_github_id',
  'author_type',
  'additions',
  'deletions',
  'changed_files',
  'base_ref',
  'head_ref',
  'url',
  'labels',
  'review_decision',
  'review_count',
  'comment_count',
  'field_profile',
] as const;

const NUL = String.fromCharCode(0);

/**
 * A value as the text a JSON scalar would give Postgres (objects as JSON), storable (postgres-text.ts); null when
 * absent. A string's lone surrogates need no fixing here: UTF-8 encoding writes each as U+FFFD, as storableText does.
 */
function fieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.includes(NUL) ? value.replaceAll(NUL, '') : value;
  if (typeof value === 'object') return storableJson(value);
  return String(value);
}

const TEXT_OID = 25;
const ARRAY_HEADER_BYTES = 20; // ndim, has-nulls flag, element type, then one dimension's length and lower bound
const RECORD_HEADER_BYTES = 8; // the element's length, then its column count
const FIELD_HEADER_BYTES = 8; // a column's type and its value's length (-1: null)

/**
 * The binary wire format of a one-dimensional `pr_row[]` (array_recv, record_recv) for a query parameter.
 * rowTypeOid: the type's oid in the database the rows go to.
 */
export function encodePrRows(prs: readonly PullRequestRecord[], rowTypeOid: number): Buffer {
  const texts: (string | null)[] = [];
  let size = prs.length === 0 ? 12 : ARRAY_HEADER_BYTES;
  for (const pr of prs) {
    size += RECORD_HEADER_BYTES;
    for (const field of PR_ROW_FIELDS) {
      const text = fieldText(pr[field]);
      texts.push(text);
      size += FIELD_HEADER_BYTES + (text === null ? 0 : Buffer.byteLength(text, 'utf8'));
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt32BE(prs.length === 0 ? 0 : 1, 0);
  at = out.writeInt32BE(0, at);
  at = out.writeInt32BE(rowTypeOid, at);
  if (prs.length === 0) return out;
  at = out.writeInt32BE(prs.length, at);
  at = out.writeInt32BE(1, at);
  let next = 0;
  for (let row = 0; row < prs.length; row++) {
    const lengthAt = at;
    at = out.writeInt32BE(PR_ROW_FIELDS.length, at + 4);
    for (let field = 0; field < PR_ROW_FIELDS.length; field++) {
      const text = texts[next++];
      at = out.writeInt32BE(TEXT_OID, at);
      if (text === null || text === undefined) {
        at = out.writeInt32BE(-1, at);
      } else {
        const written = out.write(text, at + 4, 'utf8');
        out.writeInt32BE(written, at);
        at += 4 + written;
      }
    }
    out.writeInt32BE(at - lengthAt - 4, lengthAt);
  }
  return out;
}
