import { expect, test } from 'vitest';
import { statusNote } from '../../src/shared-entry/format.ts';
import type { LeaseRow, ProgressRow } from '../../src/store/types.ts';

const base: ProgressRow = {
  repositoryId: 1,
  fullName: 'o/r',
  backfillStatus: 'active',
  storedPrCount: 50,
  prTotalCount: 100,
  progressPct: 50,
  prsPerHour: null,
  etaSeconds: null,
  pausedUntil: null,
  pauseReason: null,
  lastError: null,
  scope: {},
};
const lease = (holderAlive: boolean | null): LeaseRow => ({
  repositoryId: 1,
  fullName: 'o/r',
  chunkId: 9,
  chunkNumber: 4,
  leaseOwner: 'cli:host:42',
  leaseExpiresAt: '2026-12-02T18:00:00Z',
  secondsLeft: 60,
  holderAlive,
});
const none = { leases: [], threshold: 0.8 };

test.each<[string, Partial<ProgressRow>, LeaseRow[], string]>([
  [
    'paused with an end',
    { backfillStatus: 'paused', pausedUntil: '2026-12-03T00:00:00Z', pauseReason: 'maintenance' },
    [],
    'paused until 2026-12-03T00:00:00Z: maintenance (`resume o/r` resumes it now)',
  ],
  [
    'paused until resumed',
    { backfillStatus: 'paused', pausedUntil: 'infinity', pauseReason: 'hold' },
    [],
    'paused until resumed: hold (`resume o/r` resumes it now)',
  ],
  [
    'failed',
    {
      backfillStatus: 'failed',
      lastError: 'repository gone',
      problemChunk: { chunkNumber: 3, status: 'failed', requeues: 0, failures: 5 },
    },
    [],
    'chunk 3 failed after 0 requeue(s), 5 failure(s): repository gone (`retry o/r` puts it back to work)',
  ],
  [
    'stalled',
    {
      backfillStatus: 'stalled',
      lastError: 'lease expired 4 times',
      problemChunk: { id: 17, chunkNumber: 2, status: 'stalled', requeues: 3, failures: 0 },
    },
    [],
    'chunk 2 stalled after 3 requeue(s), 0 failure(s): lease expired 4 times (`retry o/r` or `retry --chunk 17` puts it back to work)',
  ],
  [
    'cancelled',
    { backfillStatus: 'cancelled', lastError: 'wrong repo' },
    [],
    'wrong repo (`retry o/r` puts it back to work)',
  ],
  [
    'locked by a live worker',
    {},
    [lease(true)],
    'locked by cli:host:42 until 2026-12-02T18:00:00Z (chunk 4; worker alive)',
  ],
  [
    'locked, liveness unknown',
    {},
    [lease(null)],
    'locked by cli:host:42 until 2026-12-02T18:00:00Z (chunk 4; worker liveness unknown)',
  ],
  ['in progress', {}, [], 'in progress: the next run continues it'],
  [
    'below the threshold',
    { backfillStatus: 'completed' },
    [],
    '50.0% stored, below the 80.0% threshold: the next run starts it',
  ],
  [
    'above the threshold',
    { backfillStatus: 'idle', storedPrCount: 90 },
    [],
    '90.0% stored, at or above the 80.0% threshold',
  ],
])('%s', (_, row, leases, note) => {
  expect(statusNote({ ...base, ...row }, { ...none, leases })).toBe(note);
});
