/**
 * The operator's commands, each one SQL function on one tracked repository: `pause`, `resume`, `cancel`, `retry`,
 * `untrack`. A repository that is not tracked, or a change its backfill's state does not allow, is bad input (exit 2)
 * with a message that says why.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { InvalidRepositorySpecError, parseRepositorySpec } from '../../domain/repository-spec.ts';
import { parseDuration } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { type RepositoryRow, type Store, StoreError } from '../../store/types.ts';
import type { CliContext } from '../context.ts';
import { nonEmpty } from '../parsers.ts';
import {
  addDatabaseOptions,
  addJsonOption,
  type DatabaseFlags,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface OperateFlags extends DatabaseFlags {
  reason?: string;
  until?: Date;
  json?: boolean;
}

interface Operation {
  name: string;
  description: string;
  options?: Option[];
  act(store: Store, row: RepositoryRow, flags: OperateFlags): Promise<unknown>;
}

/** `--until`: an ISO 8601 time or a duration from now (`2h`, `1h30m`), in the future either way. */
export function pauseUntil(text: string, now = Date.now()): Date {
  const trimmed = text.trim();
  const at = /^\d{4}-\d\d-\d\d/.test(trimmed)
    ? new Date(trimmed)
    : (() => {
        try {
          return new Date(now + parseDuration(trimmed, 'until'));
        } catch {
          return new Date(Number.NaN);
        }
      })();
  if (Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 time (2026-12-24T08:00:00Z) or a duration (90m, 2h).',
    );
  }
  if (at.getTime() <= now) throw new InvalidArgumentError(`${at.toISOString()} is not in the future.`);
  return at;
}

function repository(text: string): { owner: string; name: string } {
  try {
    const spec = parseRepositorySpec(text);
    if (spec.name === '*') throw new InvalidArgumentError('name one repository (owner/name), not owner/*.');
    return spec;
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}

const OPERATIONS: Operation[] = [
  {
    name: 'pause',
    description: 'Pause a backfill: no run works on it until --until passes, or until `resume`.',
    options: [
      new Option('--reason <text>', 'why, shown by `status`').argParser(nonEmpty).makeOptionMandatory(),
      new Option(
        '--until <time>',
        'an ISO 8601 time or a duration from now (90m, 2h); default: until resumed',
      ).argParser((text) => pauseUntil(text)),
    ],
    act: (store, row, flags) => store.pauseRepository(row.id, flags.reason!, flags.until ?? null),
  },
  {
    name: 'resume',
    description: 'Resume a paused backfill now.',
    act: (store, row) => store.resumeRepository(row.id),
  },
  {
    name: 'cancel',
    description: 'Cancel a backfill: its open chunk ends and no run works on it until `retry`.',
    options: [new Option('--reason <text>', 'why, shown by `status`').argParser(nonEmpty)],
    act: (store, row, flags) => store.cancelBackfill(row.id, flags.reason ?? 'cancelled by an operator'),
  },
  {
    name: 'retry',
    description:
      'Put a failed, stalled or cancelled backfill back to work from its cursor, its requeue count reset.',
    act: (store, row) => store.retryBackfill(row.id),
  },
  {
    name: 'untrack',
    description:
      'Take a repository out of the tracked set (its data stays; `track` brings it back where it was).',
    act: (store, row) => store.untrackRepository(row.id),
  },
];

function operatorCommand(operation: Operation, ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command(operation.name)
    .description(operation.description)
    .argument('<owner/name>', 'a tracked repository', repository);
  for (const option of operation.options ?? []) command.addOption(option);
  addDatabaseOptions(command);
  addJsonOption(command, 'the repository afterwards');
  return command.action(async (ref: { owner: string; name: string }, flags: OperateFlags) => {
    const after = await withStore(storeBackend(flags, ctx), async (store) => {
      const row = await store.getRepository(ref);
      if (!row) {
        throw new StoreError(
          'invalid_input',
          `${ref.owner}/${ref.name} is not tracked: \`progressive-backfill track --repo ${ref.owner}/${ref.name}\` first`,
        );
      }
      try {
        await operation.act(store, row, flags);
      } catch (error) {
        // The state does not allow it (resuming an active backfill, retrying a completed one): the operator's call.
        if (error instanceof StoreError && error.code === 'invalid_transition') {
          const reason = error.message.replace(/^backfill_\w+: /, '');
          throw new StoreError('invalid_input', `${row.fullName}: ${reason}`, { cause: error });
        }
        throw error;
      }
      return store.getRepository({ id: row.id });
    });
    if (flags.json) ctx.out(JSON.stringify(after, null, 2));
    else if (after) {
      ctx.out(`${after.fullName}: ${after.backfillStatus}${after.tracked ? '' : ', untracked'}`);
    }
    done(ExitCode.Ok);
  });
}

export function operatorCommands(ctx: CliContext, done: (code: number) => void): Command[] {
  return OPERATIONS.map((operation) => operatorCommand(operation, ctx, done));
}
