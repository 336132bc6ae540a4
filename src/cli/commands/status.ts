/** `status`: the progress table, one row per tracked repository. */
import { Command, Option } from 'commander';
import { DEFAULTS } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { statusNote, statusTable, untrackedNote } from '../../shared-entry/format.ts';
import type { RepositoryRef, RepositoryRow } from '../../store/types.ts';
import type { CliContext } from '../context.ts';
import { oneRepository } from '../parsers.ts';
import {
  addDatabaseOptions,
  addJsonOption,
  type DatabaseFlags,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface StatusFlags extends DatabaseFlags {
  json?: boolean;
  repo?: RepositoryRef[];
}

export function statusCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('status').description(
    'Print backfill progress: stored and GitHub totals, progress, rate and ETA per tracked repository, and why ' +
      'each is where it is (paused, failed, stalled, locked by another worker, below or above the threshold).',
  );
  command.addOption(
    new Option(
      '--repo <owner/name>',
      'only these repositories (repeatable); one that is not tracked is said so, with what is stored of it',
    ).argParser((text: string, previous: RepositoryRef[] = []) => [...previous, oneRepository(text)]),
  );
  addDatabaseOptions(command);
  addJsonOption(command, 'the progress rows');
  return command.action(async (flags: StatusFlags) => {
    const { rows, leases, untracked } = await withStore(storeBackend(flags, ctx), async (store) => {
      const all = await store.progress();
      const named = flags.repo ?? [];
      const key = (fullName: string) => fullName.toLowerCase();
      const wanted = new Set(named.map((ref) => key(`${ref.owner}/${ref.name}`)));
      const rows = named.length === 0 ? all : all.filter((row) => wanted.has(key(row.fullName)));
      const shown = new Set(rows.map((row) => key(row.fullName)));
      const untracked: { fullName: string; known: RepositoryRow | null }[] = [];
      for (const ref of named) {
        const fullName = `${ref.owner}/${ref.name}`;
        if (!shown.has(key(fullName))) untracked.push({ fullName, known: await store.getRepository(ref) });
      }
      return { rows, leases: await store.leases(), untracked };
    });
    const context = { leases, threshold: DEFAULTS.completenessThreshold };
    if (flags.json) {
      const tracked = rows.map((row) => ({ ...row, note: statusNote(row, context) }));
      const others = untracked.map(({ fullName, known }) => ({
        fullName,
        tracked: false,
        ...(known
          ? {
              repositoryId: known.id,
              backfillStatus: known.backfillStatus,
              storedPrCount: known.storedPrCount,
              prTotalCount: known.prTotalCount,
              scope: known.scope,
            }
          : {}),
        note: untrackedNote(fullName, known),
      }));
      ctx.out(JSON.stringify([...tracked, ...others], null, 2));
    } else {
      const lines = untracked.map(({ fullName, known }) => untrackedNote(fullName, known));
      ctx.out(
        rows.length === 0 && lines.length > 0
          ? lines.join('\n')
          : [statusTable(rows, context), ...lines].join('\n'),
      );
    }
    done(ExitCode.Ok);
  });
}
