/**
 * The operator's commands, shared by the CLI and the action: each is one SQL function on one tracked repository.
 * A repository that is not tracked, or a change its backfill's state does not allow, is bad input with a message
 * that says why; nothing changes then.
 */
import { ConfigError, parseDuration } from '../engine/options.ts';
import { type RepositoryRef, type RepositoryRow, type Store, StoreError } from '../store/types.ts';

export const OPERATOR_COMMANDS = ['pause', 'resume', 'cancel', 'retry', 'untrack'] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

export interface OperatorArgs {
  /** required by pause; cancel's is optional */
  reason?: string;
  /** pause: when it ends by itself; null or absent: when someone resumes it */
  until?: Date | null;
}

export function isOperatorCommand(text: string): text is OperatorCommand {
  return (OPERATOR_COMMANDS as readonly string[]).includes(text);
}

/** A pause's end: an ISO 8601 time or a duration from now (`90m`, `2h`), in the future either way. */
export function parsePauseUntil(text: string, setting: string, now = Date.now()): Date {
  const trimmed = text.trim();
  let at = new Date(Number.NaN);
  if (/^\d{4}-\d\d-\d\d/.test(trimmed)) at = new Date(trimmed);
  else {
    try {
      at = new Date(now + parseDuration(trimmed, setting));
    } catch {
      // not a duration either: reported below
    }
  }
  if (Number.isNaN(at.getTime())) {
    throw new ConfigError(
      setting,
      'expected an ISO 8601 time (2026-12-24T08:00:00Z) or a duration (90m, 2h)',
    );
  }
  if (at.getTime() <= now) throw new ConfigError(setting, `${at.toISOString()} is not in the future`);
  return at;
}

const ACTIONS: Record<
  OperatorCommand,
  (store: Store, row: RepositoryRow, args: OperatorArgs) => Promise<unknown>
> = {
  pause: (store, row, args) => {
    if (!args.reason?.trim()) throw new ConfigError('reason', 'a pause needs a reason');
    return store.pauseRepository(row.id, args.reason, args.until ?? null);
  },
  resume: (store, row) => store.resumeRepository(row.id),
  cancel: (store, row, args) =>
    store.cancelBackfill(row.id, args.reason?.trim() || 'cancelled by an operator'),
  retry: (store, row) => store.retryBackfill(row.id),
  untrack: (store, row) => store.untrackRepository(row.id),
};

/** Carries out `command` on a tracked repository and returns it as it is afterwards. */
export async function operate(
  store: Store,
  command: OperatorCommand,
  ref: RepositoryRef | { id: number },
  args: OperatorArgs = {},
): Promise<RepositoryRow> {
  const row = await store.getRepository(ref);
  if (!row) {
    const named =
      'id' in ref ? `no tracked repository has id ${ref.id}` : `${ref.owner}/${ref.name} is not tracked`;
    const track = 'id' in ref ? 'track it' : `\`progressive-backfill track --repo ${ref.owner}/${ref.name}\``;
    throw new StoreError('invalid_input', `${named}: ${track} first`);
  }
  await asOperatorInput(ACTIONS[command](store, row, args), `${row.fullName}: `);
  return (await store.getRepository({ id: row.id })) ?? row;
}

/** `retry --chunk ID`: one failed or stalled chunk (ids in `status`) back to work; returns its repository after. */
export function retryChunk(store: Store, chunkId: number): Promise<RepositoryRow> {
  // the contract names the chunk and its repository in what it refuses, and an unknown id is invalid input already
  return asOperatorInput(store.retryChunk(chunkId), '', ['invalid_transition', 'invalid_input']);
}

/**
 * What the state does not allow (resuming an active backfill, retrying a completed one) is the operator's call:
 * bad input, said without the SQL function's name.
 */
async function asOperatorInput<T>(
  done: Promise<T>,
  prefix: string,
  codes: StoreError['code'][] = ['invalid_transition'],
): Promise<T> {
  try {
    return await done;
  } catch (error) {
    if (error instanceof StoreError && codes.includes(error.code)) {
      const reason = error.message.replace(/^backfill_\w+: /, '');
      throw new StoreError('invalid_input', `${prefix}${reason}`, { cause: error });
    }
    throw error;
  }
}

/** One line for logs: where the repository stands now. */
export function operatedLine(row: RepositoryRow): string {
  return `${row.fullName}: ${row.backfillStatus}${row.tracked ? '' : ', untracked'}`;
}
