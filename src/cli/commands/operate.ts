/**
 * The operator's commands as CLI subcommands (`pause owner/name --reason … [--until …]`, `resume`, `cancel`,
 * `retry`, `untrack`); what each does is in shared-entry/operator-commands.ts, which the action uses too.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import {
  OPERATOR_COMMANDS,
  type OperatorArgs,
  type OperatorCommand,
  operate,
  operatedLine,
  parsePauseUntil,
  retryChunk,
} from '../../shared-entry/operator-commands.ts';
import type { CliContext } from '../context.ts';
import { integerIn, nonEmpty, oneRepository } from '../parsers.ts';
import {
  addDatabaseOptions,
  addJsonOption,
  type DatabaseFlags,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface OperateFlags extends DatabaseFlags, OperatorArgs {
  json?: boolean;
  /** retry: this chunk instead of a repository's backfill */
  chunk?: number;
}

function pauseUntil(text: string): Date {
  try {
    return parsePauseUntil(text, 'until');
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(`${error.reason}.`);
    throw error;
  }
}

const DESCRIPTIONS: Record<OperatorCommand, string> = {
  pause: 'Pause a backfill: no run works on it until --until passes, or until `resume`.',
  resume: 'Resume a paused backfill now.',
  cancel: 'Cancel a backfill: its open chunk ends and no run works on it until `retry`.',
  retry:
    'Put a failed, stalled or cancelled backfill back to work from its cursor, its requeue count reset; or, with --chunk, the failed or stalled chunk that stopped it.',
  untrack: 'Take a repository out of the tracked set (its data stays; `track` brings it back where it was).',
};

const REASON = 'why, shown by `status`';

const OPTIONS: Partial<Record<OperatorCommand, () => Option[]>> = {
  pause: () => [
    new Option('--reason <text>', REASON).argParser(nonEmpty).makeOptionMandatory(),
    new Option(
      '--until <time>',
      'an ISO 8601 time or a duration from now (90m, 2h); default: until resumed',
    ).argParser(pauseUntil),
  ],
  cancel: () => [new Option('--reason <text>', REASON).argParser(nonEmpty)],
  retry: () => [
    new Option('--chunk <id>', 'retry this failed or stalled chunk (its id in `status`) instead').argParser(
      integerIn(1),
    ),
  ],
};

function operatorCommand(name: OperatorCommand, ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command(name)
    .description(DESCRIPTIONS[name])
    // retry names a repository or (--chunk) a chunk
    .argument(name === 'retry' ? '[owner/name]' : '<owner/name>', 'a tracked repository', oneRepository);
  for (const option of OPTIONS[name]?.() ?? []) command.addOption(option);
  addDatabaseOptions(command);
  addJsonOption(command, 'the repository afterwards');
  return command.action(async (ref: { owner: string; name: string } | undefined, flags: OperateFlags) => {
    if ((ref === undefined) === (flags.chunk === undefined)) {
      command.error('error: name a repository (owner/name) or a chunk (--chunk <id>), one of the two', {
        exitCode: ExitCode.BadInput,
      });
    }
    const after = await withStore(storeBackend(flags, ctx), (store) =>
      ref === undefined
        ? retryChunk(store, flags.chunk!)
        : operate(store, name, ref, { reason: flags.reason, until: flags.until ?? null }),
    );
    ctx.out(flags.json ? JSON.stringify(after, null, 2) : operatedLine(after));
    done(ExitCode.Ok);
  });
}

export function operatorCommands(ctx: CliContext, done: (code: number) => void): Command[] {
  return OPERATOR_COMMANDS.map((name) => operatorCommand(name, ctx, done));
}
