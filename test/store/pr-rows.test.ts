/**
 * Pull-request rows in Postgres's binary format (src/store/pr-rows.ts) against a real server: the type's fields are
 * the encoder's, and binary rows are exactly the rows backfill_pr_rows makes of the same page sent as JSON.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { storableJson } from '../../src/domain/postgres-text.ts';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import { encodePrRows, PR_ROW_FIELDS } from '../../src/store/pr-rows.ts';
import { pullRequest } from '../sql/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let rowTypeOid: number;

beforeAll(async () => {
  db = await createTestDatabase();
  const { rows } = await db.client.query<{ oid: number }>(
    "select 'progressive_backfill.pr_row'::regtype::oid::int as oid",
  );
  rowTypeOid = rows[0]!.oid;
});

afterAll(async () => {
  await db?.drop();
});

/** The rows a page becomes on the server, each as its fields' text: sent in binary, or as JSON as SQL transports send it. */
async function binaryRows(prs: PullRequestRecord[]): Promise<unknown[]> {
  const { rows } = await db.client.query(
    'select to_jsonb(r) as row from unnest($1::progressive_backfill.pr_row[]) with ordinality r order by ordinality',
    [encodePrRows(prs, rowTypeOid)],
  );
  return rows.map((r) => withParsedLabels(r.row));
}

/** labels hold JSON, spaced as each way writes it (jsonb's text puts a space after commas) */
function withParsedLabels(row: { labels: string | null }): unknown {
  return { ...row, labels: row.labels === null ? null : JSON.parse(row.labels) };
}

async function jsonRows(prs: PullRequestRecord[]): Promise<unknown[]> {
  const { rows } = await db.client.query(
    `select to_jsonb(r) as row
       from unnest(progressive_backfill.backfill_pr_rows($1::jsonb)) with ordinality r order by ordinality`,
    [storableJson(prs)],
  );
  return rows.map((r) => withParsedLabels(r.row));
}

test("the encoder's fields are pr_row's, in its order", async () => {
  const { rows } = await db.client.query<{ name: string }>(
    `select attname as name from pg_catalog.pg_attribute
      where attrelid = (select typrelid from pg_catalog.pg_type where oid = $1) and attnum > 0 and not attisdropped
      order by attnum`,
    [rowTypeOid],
  );
  expect(rows.map((r) => r.name)).toEqual([...PR_ROW_FIELDS]);
});

test('binary rows are the rows the same page makes as JSON, text Postgres cannot hold made storable', async () => {
  const nul = String.fromCharCode(0);
  const prs: PullRequestRecord[] = [
    pullRequest(1),
    pullRequest(2, {
      title: `emoji 🚀, naïve, שלום, 数据, a NUL${nul}here and "quotes" \\ backslash`,
      body: `lone surrogates \ud800 and \udfff, a pair \ud83d\ude80, ${'x'.repeat(70_000)}, a NUL${nul}too`,
      github_id: '9007199254740993',
      author_github_id: null,
      author_login: null,
      author_type: null,
      closed_at: null,
      merged_at: null,
      base_ref: null,
      labels: ['bug', 'needs "review"', 'a\\b'],
      review_decision: null,
      review_count: 0,
      comment_count: 12,
      field_profile: 'standard',
    }),
    pullRequest(3, { body: null, is_draft: true, head_ref: '' }),
  ];
  const fromBinary = await binaryRows(prs);
  expect(fromBinary).toEqual(await jsonRows(prs));
  expect(fromBinary[1]).toMatchObject({
    github_id: '9007199254740993',
    title: 'emoji 🚀, naïve, שלום, 数据, a NULhere and "quotes" \\ backslash',
    labels: ['bug', 'needs "review"', 'a\\b'],
    number: '2',
    is_draft: 'false',
    author_login: null,
  });
  const { body } = fromBinary[1] as { body: string };
  expect(body.startsWith('lone surrogates \ufffd and \ufffd, a pair 🚀')).toBe(true);
  expect(body.endsWith('xx, a NULtoo')).toBe(true);
});

test('text that takes three bytes a character in UTF-8 fits (the buffer grows)', async () => {
  const nul = String.fromCharCode(0);
  const prs = [
    pullRequest(4, { title: '\ud800'.repeat(100), body: '数'.repeat(5_000), head_ref: `${nul}${nul}` }),
  ];
  const fromBinary = await binaryRows(prs);
  expect(fromBinary).toEqual(await jsonRows(prs));
  expect(fromBinary[0]).toMatchObject({
    title: '\ufffd'.repeat(100),
    body: '数'.repeat(5_000),
    head_ref: '',
  });
});

test('short fields, copied a character at a time when ASCII, keep accents, surrogates and NULs as long ones do', async () => {
  const nul = String.fromCharCode(0);
  const prs = [
    pullRequest(5, {
      title: 'naïve',
      body: `${'b'.repeat(100)}${nul}`, // a NUL as the last byte written
      base_ref: 'a'.repeat(63), // the longest text copied here
      head_ref: 'h'.repeat(64), // the shortest written by Buffer#write
      node_id: `PR_${nul}kw`,
      author_login: 'octo\ud800cat',
      url: 'https://github.com/o/r/pull/5#数据',
    }),
  ];
  const fromBinary = await binaryRows(prs);
  expect(fromBinary).toEqual(await jsonRows(prs));
  expect(fromBinary[0]).toMatchObject({
    title: 'naïve',
    body: 'b'.repeat(100),
    base_ref: 'a'.repeat(63),
    head_ref: 'h'.repeat(64),
    node_id: 'PR_kw',
    author_login: 'octo\ufffdcat',
    url: 'https://github.com/o/r/pull/5#数据',
  });
});

test('an empty page is an empty array', async () => {
  expect(await binaryRows([])).toEqual([]);
});
