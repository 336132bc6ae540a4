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
 * A value as the text a JSON scalar would give Postgres (objects as JSON, storable: postgres-text.ts); null when
 * absent. Strings are taken as they are: encodePrRows drops their NULs, and UTF-8 encoding writes a lone surrogate as
 * U+FFFD, as storableText does.
 */
function fieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return storableJson(value);
  return String(value);
}

/** a string's length; anything else, which the row's fields turn into short text, 0 */
const textLength = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

const TEXT_OID = 25;
const ARRAY_HEADER_BYTES = 20; // ndim, has-nulls flag, element type, then one dimension's length and lower bound
const RECORD_HEADER_BYTES = 8; // the element's length, then its column count
const FIELD_HEADER_BYTES = 8; // a column's type and its value's length (-1: null)
const UTF8_BYTES_PER_UNIT = 3; // a UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 4 for 2)
const FIRST_GUESS_BYTES_PER_UNIT = 1.5;
// a row's headers and its short fields (ids, timestamps, state, numbers, refs, URL), about: the first guess adds the
// title's and the body's length to it
const ROW_UNITS_BESIDES_TEXT = RECORD_HEADER_BYTES + PR_ROW_FIELDS.length * FIELD_HEADER_BYTES + 240;
// Shorter texts are copied in JavaScript when they are ASCII; from this length on Buffer#write converts them.
const SHORT_TEXT_BELOW = 64;

function int32(out: Buffer, value: number, at: number): number {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
  return at + 4;
}

/** Copies short ASCII text without NULs; returns false, with nothing to keep written, for anything else. */
function copyShortAscii(out: Buffer, text: string, at: number): boolean {
  if (text.length >= SHORT_TEXT_BELOW) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || code > 0x7f) return false;
    out[at + i] = code;
  }
  return true;
}

/**
 * Writes a field's text as UTF-8 without its NULs (Postgres text cannot hold one); returns the bytes written.
 * Most fields are short ASCII (ids, timestamps, states, numbers, URLs): copied a character at a time here, they skip
 * a native call each, which cost more than the copy. Other text goes through Buffer#write and is searched for NULs
 * in the bytes written, up to a zero placed right after them (the caller leaves room for it).
 */
function writeText(out: Buffer, text: string, at: number): number {
  if (copyShortAscii(out, text, at)) return text.length;
  const written = out.write(text, at, 'utf8');
  out[at + written] = 0;
  return out.indexOf(0, at) < at + written ? out.write(text.replaceAll(NUL, ''), at, 'utf8') : written;
}

/**
 * The binary wire format of a one-dimensional `pr_row[]` (array_recv, record_recv) for a query parameter.
 * rowTypeOid: the type's oid in the database the rows go to. One pass over each field's text, written straight into
 * the buffer (measuring each text first cost a third of the time). The buffer starts at half again the size the page
 * would have in ASCII, guessed from the long fields (text with accents, emoji or CJK in places fits) and doubles when a
 * field might not fit.
 */
export function encodePrRows(prs: readonly PullRequestRecord[], rowTypeOid: number): Buffer {
  if (prs.length === 0) {
    const empty = Buffer.alloc(12);
    int32(empty, rowTypeOid, 8); // no dimensions, no nulls
    return empty;
  }
  let units = ARRAY_HEADER_BYTES;
  for (const pr of prs) units += ROW_UNITS_BESIDES_TEXT + textLength(pr.title) + textLength(pr.body);
  let out = Buffer.allocUnsafe(Math.ceil(units * FIRST_GUESS_BYTES_PER_UNIT));
  let at = int32(out, 1, 0);
  at = int32(out, 0, at);
  at = int32(out, rowTypeOid, at);
  at = int32(out, prs.length, at);
  at = int32(out, 1, at);
  for (const pr of prs) {
    const lengthAt = at;
    at = int32(out, PR_ROW_FIELDS.length, at + 4);
    for (const field of PR_ROW_FIELDS) {
      const text = fieldText(pr[field]);
      // one byte more than the text can take: writeText's zero after it
      const room = FIELD_HEADER_BYTES + (text === null ? 0 : text.length * UTF8_BYTES_PER_UNIT + 1);
      if (at + room > out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + room));
        out.copy(bigger, 0, 0, at);
        out = bigger;
      }
      at = int32(out, TEXT_OID, at);
      if (text === null) {
        at = int32(out, -1, at);
      } else {
        const written = writeText(out, text, at + 4);
        at = int32(out, written, at) + written;
      }
    }
    int32(out, at - lengthAt - 4, lengthAt);
  }
  return out.subarray(0, at);
}
