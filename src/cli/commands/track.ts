/** `track`: look repositories up on GitHub (ids, PR totals) and add them to the tracked set. */
import { Command, Option } from 'commander';
import type { ParsedRepositorySpec } from '../../domain/repository-spec.ts';
import { ExitCode } from '../../entry/exit-codes.ts';
import { formatCount, textTable } from '../../entry/format.ts';
import { openBackend } from '../../entry/open-store.ts';
import type { GitHubClient } from '../../github/types.ts';
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
    const { refs, missing: noOwner } = await expand(github, flags.repo);
    const { found, missing } =
      refs.length > 0 ? await github.lookupRepositories(refs) : { found: [], missing: [] };
    const store = await openBackend(backend);
    const rows: RepositoryRow[] = [];
    try {
      await store.assertSchema();
      for (const info of found) {
        rows.push(
          await store.trackRepository({
            owner: info.owner,
            name: info.name,
            githubId: info.githubId,
            nodeId: info.nodeId,
            prTotalCount: info.prTotalCount,
            ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
          }),
        );
      }
    } finally {
      await store.close();
    }
    const notFound = [...noOwner, ...missing.map((m) => `${m.owner}/${m.name}`)];
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

async function expand(
  github: GitHubClient,
  specs: ParsedRepositorySpec[],
): Promise<{ refs: { owner: string; name: string }[]; missing: string[] }> {
  const refs: { owner: string; name: string }[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (ref: { owner: string; name: string }) => {
    const key = `${ref.owner}/${ref.name}`.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(ref);
    }
  };
  for (const spec of specs) {
    if (spec.name !== '*') {
      add({ owner: spec.owner, name: spec.name });
      continue;
    }
    const listed = await github.listOwnerRepositories(spec.owner);
    if (listed.length === 0) missing.push(`${spec.owner}/*`);
    for (const ref of listed) add(ref);
  }
  return { refs, missing };
}
