/** `status`: the progress table, one row per tracked repository. */
import { Command } from 'commander';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { statusTable } from '../../shared-entry/format.ts';
import type { CliContext } from '../context.ts';
import {
  addDatabaseOptions,
  addJsonOption,
  type DatabaseFlags,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface StatusFlags extends DatabaseFlags {
  json?: boolean;
}

export function statusCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('status').description(
    'Print backfill progress: stored and GitHub totals, progress, rate and ETA per tracked repository.',
  );
  addDatabaseOptions(command);
  addJsonOption(command, 'the progress rows');
  return command.action(async (flags: StatusFlags) => {
    const rows = await withStore(storeBackend(flags, ctx), (store) => store.progress());
    ctx.out(flags.json ? JSON.stringify(rows, null, 2) : statusTable(rows));
    done(ExitCode.Ok);
  });
}
