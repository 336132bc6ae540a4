import { expect, test } from 'vitest';
import { lockVerdict } from '../../src/engine/locks.ts';
import type { LeaseRow } from '../../src/store/types.ts';

const lease = (holderAlive: boolean | null, secondsLeft = 100): LeaseRow => ({
  repositoryId: 1,
  fullName: 'o/r',
  chunkId: 7,
  chunkNumber: 3,
  leaseOwner: 'w-1',
  leaseExpiresAt: '2026-12-02T17:00:00.000Z',
  secondsLeft,
  holderAlive,
});
const facts = { graceSeconds: 30, msLeft: 600_000, pageEstimateMs: 1_500 };

test.each([
  ['a gone holder: no wait, the claim takes over', lease(false), facts, { wait: true, waitMs: 0 }],
  [
    'an unseen holder whose lease expires in time: wait past the grace',
    lease(null, 100),
    facts,
    { wait: true, waitMs: 131_000 },
  ],
  ['an expired unseen lease: only the grace', lease(null, 0), facts, { wait: true, waitMs: 31_000 }],
  ['just fits', lease(null, 100), { ...facts, msLeft: 132_500 }, { wait: true, waitMs: 131_000 }],
])('%s', (_, row, given, expected) => {
  expect(lockVerdict(row, given)).toEqual(expected);
});

test.each([
  [
    'a live holder is never waited for',
    lease(true),
    facts,
    /^locked by w-1 until 2026-12-02T17:00:00.000Z \(chunk 3; its worker is alive/,
  ],
  [
    'an unseen holder past the budget',
    lease(null, 100),
    { ...facts, msLeft: 132_499 },
    /waiting 131 s for the lease to expire does not fit the time budget/,
  ],
])('%s', (_, row, given, detail) => {
  const verdict = lockVerdict(row, given);
  expect(verdict.wait).toBe(false);
  expect(!verdict.wait && verdict.detail).toMatch(detail);
});
