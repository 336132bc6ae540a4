/**
 * Repositories held by someone else's lease. The database tells a claim when a lease's holder is gone (its session
 * ended) and the claim takes the work over; what is left here is a holder that is alive, whose work this run leaves
 * alone, and one whose liveness cannot be seen (a worker behind PostgREST names no session), whose lease this run
 * waits out when that fits its time budget. Either way the run says who holds it and until when.
 */
import type { LeaseRow } from '../store/types.ts';

export interface LockFacts {
  /** the grace recovery gives an expired lease before requeueing it */
  graceSeconds: number;
  /** time left before the run's deadline */
  msLeft: number;
  /** what one page takes, so a wait still leaves time to work */
  pageEstimateMs: number;
}

export type LockVerdict = { wait: true; waitMs: number } | { wait: false; detail: string };

/** One second past the grace, so recovery's strict `expired before now() - grace` is true when the wait ends. */
const MARGIN_SECONDS = 1;

export function lockedDetail(lease: LeaseRow, why: string): string {
  return `locked by ${lease.leaseOwner} until ${lease.leaseExpiresAt} (chunk ${lease.chunkNumber}; ${why})`;
}

export function lockVerdict(lease: LeaseRow, facts: LockFacts): LockVerdict {
  if (lease.holderAlive === false) return { wait: true, waitMs: 0 };
  if (lease.holderAlive === true) {
    return {
      wait: false,
      detail: lockedDetail(lease, 'its worker is alive; it keeps the lease while it works'),
    };
  }
  const waitMs = Math.ceil((lease.secondsLeft + facts.graceSeconds + MARGIN_SECONDS) * 1000);
  if (waitMs + facts.pageEstimateMs <= facts.msLeft) return { wait: true, waitMs };
  return {
    wait: false,
    detail: lockedDetail(
      lease,
      `whether its worker is alive cannot be seen, and waiting ${Math.ceil(waitMs / 1000)} s for the lease ` +
        'to expire does not fit the time budget',
    ),
  };
}
