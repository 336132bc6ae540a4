/**
 * Heartbeats while a run waits (a retry backoff, GitHub's rate-limit reset): the waits are reported here as they
 * pass, and every 10 seconds of them the beat is sent, so neither a lease nor the run looks dead to recovery while
 * the worker is merely patient.
 */
const BEAT_EVERY_MS = 10_000;

export function beatWhileWaiting(beat: () => Promise<unknown>): (waitedMs: number) => Promise<void> {
  let waited = 0;
  return async (waitedMs) => {
    waited += waitedMs;
    if (waited < BEAT_EVERY_MS) return;
    waited = 0;
    await beat();
  };
}
