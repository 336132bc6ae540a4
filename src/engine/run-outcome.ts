/**
 * How a run ended, decided from plain facts about it: what the runs table, the exit code and the summary report.
 */
import type { ErrorEntry, RepositoryOutcome, RunOutcomeKind } from './types.ts';

export interface RunFacts {
  /** the run itself failed, outside any repository (an error the engine could not attribute or pass over) */
  runFailed: boolean;
  /** the kinds of the critical errors recorded */
  criticalKinds: ErrorEntry['kind'][];
  /** candidates never started */
  queueLeft: number;
  repositoryOutcomes: RepositoryOutcome[];
  /** why the run stopped early (signal, time, budget, a halt); null when nothing stopped it */
  stopReason: string | null;
}

export interface RunEnd {
  outcome: RunOutcomeKind;
  /** the stop reason, reported only when it left work undone */
  stopReason: string | null;
}

export function runOutcome(facts: RunFacts): RunEnd {
  const unfinished =
    facts.queueLeft > 0 ||
    facts.repositoryOutcomes.some((o) => o === 'in_progress' || o === 'paused' || o === 'locked');
  const stopReason = unfinished ? facts.stopReason : null;
  // A bad token stops everything, so it fails the run; any other stop with work left is an interruption.
  if (facts.runFailed || facts.criticalKinds.includes('auth')) return { outcome: 'failed', stopReason };
  if (unfinished && facts.stopReason !== null) return { outcome: 'interrupted', stopReason };
  // Work left with no stop reason is waiting on a retry backoff, a pause or another worker's lease: partial,
  // never completed.
  if (unfinished || facts.criticalKinds.length > 0) return { outcome: 'partial', stopReason };
  return { outcome: 'completed', stopReason };
}
