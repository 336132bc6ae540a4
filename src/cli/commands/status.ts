/** `status`: the progress table, one row per tracked repository. */
import { Command } from 'commander';
import { DEFAULTS } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { statusNote, statusTable } from '../../shared-entry/format.ts';
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
    'Print backfill progress: stored and GitHub totals, progress, rate and ETA per tracked repository, and why ' +
      'each is where it is (paused, failed, stalled, locked by another worker, below or above the threshold).',
  );
  addDatabaseOptions(command);
  addJsonOption(command, 'the progress rows');
  return command.action(async (flags: StatusFlags) => {
    const { rows, leases } = await withStore(storeBackend(flags, ctx), async (store) => ({
      rows: await store.progress(),
      leases: await store.leases(),
    }));
    const context = { leases, threshold: DEFAULTS.completenessThreshold };
    ctx.out(
      flags.json
        ? JSON.stringify(
            rows.map((row) => ({ ...row, note: statusNote(row, context) })),
            null,
            2,
          )
        : statusTable(rows, context),
    );
    done(ExitCode.Ok);
  });
}
