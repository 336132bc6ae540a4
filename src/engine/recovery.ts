/**
 * The recovery every run starts with, said out loud: the counts go into an event and the run's summary, and every
 * backfill that recovery had to stall becomes a critical error, which files an issue through the reporter (and is
 * closed by it once the repository makes progress again).
 */
import type { RecoverResult, Store } from '../store/types.ts';
import type { EngineEvent, ErrorEntry } from './types.ts';

export async function recoverAndReport(
  store: Store,
  limits: { requeueLimit: number; graceSeconds: number },
  emit: (event: EngineEvent) => void,
  record: (entry: Omit<ErrorEntry, 'at'>) => void,
): Promise<RecoverResult> {
  const recovery = await store.recoverStuckChunks(limits);
  emit({ type: 'run.recovered', recovery });
  if (recovery.stalled > 0) {
    for (const row of await store.progress()) {
      if (row.backfillStatus !== 'stalled') continue;
      record({
        severity: 'critical',
        repository: row.fullName,
        kind: 'stalled',
        message:
          `the backfill of ${row.fullName} is stalled: ${row.lastError ?? 'a chunk lost its lease too often'}. ` +
          `Restart it by naming it (\`run --repo ${row.fullName}\`, or the action's \`repositories\`).`,
      });
    }
  }
  return recovery;
}
