import { expect, test } from 'vitest';
import { compareInPages, type NumberRange } from '../../src/cli/verify.ts';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';

const record = (number: number): PullRequestRecord =>
  ({ github_id: String(1000 + number), number, title: `#${number}` }) as unknown as PullRequestRecord;

function pages(numbers: number[], size: number): PullRequestRecord[][] {
  const out: PullRequestRecord[][] = [];
  for (let i = 0; i < numbers.length; i += size) out.push(numbers.slice(i, i + size).map(record));
  return out;
}

function storedRows(numbers: number[]) {
  const rows = numbers.map((n) => ({ ...record(n) }) as Record<string, unknown>);
  const reads: NumberRange[] = [];
  const read = async (range: NumberRange) => {
    reads.push(range);
    return rows.filter(
      (r) =>
        (r.number as number) > range.after &&
        (range.through === null || (r.number as number) <= range.through),
    );
  };
  return { read, reads };
}

test('pages of the truth are compared with the stored rows of their number ranges, the last one open-ended', async () => {
  const { read, reads } = storedRows([1, 2, 3, 4, 5]);
  const result = await compareInPages(pages([1, 2, 3, 4, 5], 2), read, 'core');
  expect(result).toEqual({ expected: 5, stored: 5, identical: 5, differences: [] });
  expect(reads).toEqual([
    { after: 0, through: 2 },
    { after: 2, through: 4 },
    { after: 4, through: null },
  ]);
});

test('a missing row, a row between pages and a row past the truth are all reported', async () => {
  const { read } = storedRows([1, 3, 4, 5, 6, 9]);
  const result = await compareInPages(pages([1, 2, 3, 5, 6], 2), read, 'core');
  expect(result).toMatchObject({ expected: 5, stored: 6, identical: 4 });
  expect(result.differences).toEqual([
    '#2 (github id 1002) is missing',
    '#4 is stored but not on GitHub',
    '#9 is stored but not on GitHub',
  ]);
});

test('an empty truth still catches stored rows', async () => {
  const { read } = storedRows([7]);
  expect(await compareInPages([], read, 'core')).toMatchObject({ expected: 0, stored: 1, identical: 0 });
});

test('nested objects match whatever order jsonb returns their keys in, and differing values still fail', async () => {
  const expected = { ...record(1), reviews: [{ author_login: 'a', state: 'APPROVED' }] } as PullRequestRecord;
  const reordered = { ...record(1), reviews: [{ state: 'APPROVED', author_login: 'a' }] };
  const changed = { ...record(1), reviews: [{ state: 'DISMISSED', author_login: 'a' }] };
  expect(await compareInPages([[expected]], async () => [reordered], 'full')).toMatchObject({ identical: 1 });
  expect(await compareInPages([[expected]], async () => [changed], 'full')).toMatchObject({ identical: 0 });
});
