/**
 * The session that names a worker as a lease holder. The worker locks a random 64-bit key with a session-level
 * advisory lock for as long as it lives and names the key when it claims a chunk; Postgres drops the lock when the
 * session ends, however the process ends, so a claim can see that a lease's holder is gone and take the work over
 * at once (progressive_backfill.lease_holder_alive).
 */

/** The query runner of the one session that holds the key: it must not be a pool, whose connections come and go. */
export type SessionQuery = (text: string, values: unknown[]) => Promise<{ rows: { locked: boolean }[] }>;

export interface HolderSession {
  /** the key this worker's session holds, locking it first if need be */
  key(): Promise<string>;
  /** forgets the key, so that the next claim locks a new one (after the session that held it was lost) */
  lost(): void;
}

function randomKey(): string {
  return crypto.getRandomValues(new BigInt64Array(1))[0]!.toString();
}

export function holderSession(query: SessionQuery): HolderSession {
  let held: Promise<string> | null = null;
  const lock = async (): Promise<string> => {
    for (;;) {
      const key = randomKey();
      // try: a key another session happens to hold (one in 2^64) is skipped rather than waited for
      const { rows } = await query('select pg_try_advisory_lock($1::bigint) as locked', [key]);
      if (rows[0]?.locked) return key;
    }
  };
  return {
    key() {
      held ??= lock().catch((error: unknown) => {
        held = null;
        throw error;
      });
      return held;
    },
    lost() {
      held = null;
    },
  };
}
