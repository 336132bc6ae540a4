/** `track`: look repositories up on GitHub (ids, PR totals) and add them to the tracked set. */
import { Command, Option } from 'commander';
import type { ParsedRepositorySpec } from '../../domain/repository-spec.ts';
import { expandSpecs, lookUp, track } from '../../engine/select.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { formatCount, textTable } from '../../shared-entry/format.ts';
import type { RepositoryRow } from '../../store/types.ts';
import type { CliContext } from '../context.ts';
import { collectRepositories, integerIn } from '../parsers.ts';
import {
  addDatabaseOptions,
  addGitHubOptions,
  addJsonOption,
  type DatabaseFlags,
  type GitHubFlags,
  githubClient,
  storeBackend,
  withStore,
} from '../shared-options.ts';

interface TrackFlags extends DatabaseFlags, GitHubFlags {
  repo: ParsedRepositorySpec[];
  priority?: number;
  json?: boolean;
}

export function trackCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('track')
    .description('Track repositories: look them up on GitHub and add them to the set `run` works through.')
    .addOption(
      new Option(
        '--repo <owner/name>',
        'repository to track, or owner/* for all of an owner; repeatable, comma lists allowed',
      )
        .argParser(collectRepositories)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--priority <n>',
        'higher is backfilled first, 0-1000 (default: unchanged, 0 for new ones)',
      ).argParser(integerIn(0, 1000)),
    );
  addDatabaseOptions(command);
  addGitHubOptions(command);
  addJsonOption(command, 'the tracked repositories');
  return command.action(async (flags: TrackFlags) => {
    const backend = storeBackend(flags, ctx);
    const github = githubClient(flags, ctx);
    const { refs, emptyOwners } = await expandSpecs(github, flags.repo);
    const { found, missing } = await lookUp(github, refs);
    const rows = await withStore(backend, async (store) => {
      const tracked: RepositoryRow[] = [];
      for (const info of found) tracked.push(await track(store, info, flags.priority));
      return tracked;
    });
    const notFound = [...emptyOwners, ...missing];
    if (flags.json) {
      ctx.out(JSON.stringify({ tracked: rows, notFound }, null, 2));
    } else {
      if (rows.length > 0) {
        ctx.out(
          textTable(
            ['Repository', 'Id', 'GitHub PRs', 'Stored', 'Priority', 'Status'],
            rows.map((r) => [
              r.fullName,
              String(r.id),
              formatCount(r.prTotalCount),
              formatCount(r.storedPrCount),
              String(r.priority),
              r.backfillStatus,
            ]),
          ),
        );
      }
      for (const name of notFound) ctx.err(`not found: ${name} does not exist or the token cannot see it`);
    }
    done(notFound.length > 0 ? ExitCode.Partial : ExitCode.Ok);
  });
}
