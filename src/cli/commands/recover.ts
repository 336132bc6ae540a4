/** `recover`: put chunks whose worker vanished back in the queue (or mark them stalled) and close dead runs. */
import { Command, Option } from 'commander';
import { DEFAULTS } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import type { CliContext } from '../context.ts';
import { integerIn } from '../parsers.ts';
import {
  addDatabaseOptions,
  addJsonOption,
  type DatabaseFlags,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface RecoverFlags extends DatabaseFlags {
  requeueLimit: number;
  graceSeconds: number;
  json?: boolean;
}

export function recoverCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('recover')
    .description(
      'Recover stuck work: chunks whose lease expired go back to pending (or become stalled after --requeue-limit ' +
        'recoveries, visible in `status`), and runs whose worker stopped heart-beating are marked interrupted.',
    )
    .addOption(
      new Option('--requeue-limit <n>', 'recoveries of one chunk before it is marked stalled')
        .argParser(integerIn(0, 1000))
        .default(DEFAULTS.recoverCommand.requeueLimit),
    )
    .addOption(
      new Option('--grace-seconds <n>', 'seconds past lease expiry before a chunk counts as stuck')
        .argParser(integerIn(0, 86_400))
        .default(DEFAULTS.recoverCommand.graceSeconds),
    );
  addDatabaseOptions(command);
  addJsonOption(command, 'the counts');
  return command.action(async (flags: RecoverFlags) => {
    const result = await withStore(storeBackend(flags, ctx), (store) =>
      store.recoverStuckChunks({ requeueLimit: flags.requeueLimit, graceSeconds: flags.graceSeconds }),
    );
    ctx.out(
      flags.json
        ? JSON.stringify(result)
        : `requeued ${result.requeued} chunk(s), marked ${result.stalled} stalled, ` +
            `marked ${result.runsInterrupted} run(s) interrupted`,
    );
    done(ExitCode.Ok);
  });
}
