/** `run`: backfill the named repositories (tracking them first), or work through the selection. */
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { FIELD_PROFILES, type FieldProfile, type PullRequestState } from '../../domain/pull-request.ts';
import type { ParsedRepositorySpec } from '../../domain/repository-spec.ts';
import { ConfigError, DEFAULTS, givenScope, validateOptions } from '../../engine/options.ts';
import { runBackfill } from '../../engine/run.ts';
import type { BackfillOptions, RepositorySpec, RunSummary } from '../../engine/types.ts';
import type { GitHubClient } from '../../github/types.ts';
import { exitCodeFor } from '../../shared-entry/exit-codes.ts';
import { openBackend } from '../../shared-entry/open-store.ts';
import type { Store } from '../../store/types.ts';
import type { CliContext } from '../context.ts';
import {
  base,
  collectIntegers,
  collectRepositories,
  duration,
  integerIn,
  ratio,
  since,
  states,
  wholeSetting,
} from '../parsers.ts';
import { createRenderer, printSummary, type RenderMode, renderMode } from '../render.ts';
import {
  addDatabaseOptions,
  addGitHubOptions,
  addJsonOption,
  type DatabaseFlags,
  type GitHubFlags,
  githubClient,
  storeBackend,
} from '../shared-options.ts';

export interface RunFlags extends DatabaseFlags, GitHubFlags {
  repo?: ParsedRepositorySpec[];
  repositoryId?: number[];
  chunkSize?: number;
  maxChunks?: number;
  dryRun?: boolean;
  fieldProfile: FieldProfile;
  completenessThreshold: number;
  minPrs: number;
  timeBudget: number;
  reservePoints?: number;
  concurrency?: number;
  workerId?: string;
  json?: boolean;
  since?: string;
  states?: PullRequestState[];
  base?: string;
}

/** The backfill options shared by `run` and `demo`. */
export function addBackfillOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--chunk-size <n>',
        "pull requests per page request, 1-100 (GitHub's limit); default: planned from the budget",
      )
        .argParser(wholeSetting('chunkSize'))
        .helpGroup('Backfill:'),
    )
    .addOption(
      new Option('--max-chunks <n>', 'page requests this run at most; default: as many as the budget allows')
        .argParser(wholeSetting('maxChunks'))
        .helpGroup('Backfill:'),
    )
    .addOption(
      new Option(
        '--field-profile <profile>',
        'columns to fetch: core (cheapest), standard (+labels, review counts), full (+reviews, comments)',
      )
        .choices(FIELD_PROFILES)
        .default(DEFAULTS.fieldProfile)
        .helpGroup('Backfill:'),
    )
    .addOption(
      new Option('--time-budget <duration>', 'stop starting new pages after this long, e.g. 90s, 10m, 1h30m')
        .argParser(duration)
        .default(duration(DEFAULTS.timeBudget.cli), DEFAULTS.timeBudget.cli)
        .helpGroup('Backfill:'),
    )
    .addOption(
      new Option('--concurrency <n>', 'repositories worked on at once, 1-32; default: planned')
        .argParser(wholeSetting('concurrency'))
        .helpGroup('Backfill:'),
    )
    .addOption(
      new Option(
        '--reserve-points <n>',
        'GraphQL points left untouched for other tools; default: 10% of the limit, at least 100',
      )
        .argParser(wholeSetting('reservePoints'))
        .helpGroup('Backfill:'),
    );
}

export function runCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('run')
    .description(
      'Backfill pull requests. With --repo: track those repositories if needed and backfill them whatever ' +
        '--min-prs and --completeness-threshold say. Without: work through the tracked repositories that need it.',
    )
    .addOption(
      new Option(
        '--repo <owner/name>',
        'repository to backfill, or owner/* for all of an owner; repeatable, comma lists allowed',
      )
        .argParser(collectRepositories)
        .helpGroup('Selection:'),
    )
    .addOption(
      new Option(
        '--repository-id <id>',
        'tracked repository by its database id (see `status --json`); repeatable',
      )
        .argParser(collectIntegers(integerIn(1)))
        .helpGroup('Selection:'),
    )
    .addOption(
      new Option(
        '--completeness-threshold <ratio>',
        'without --repo: repositories stored below this share of their PRs are selected',
      )
        .argParser(ratio)
        .default(DEFAULTS.completenessThreshold)
        .helpGroup('Selection:'),
    )
    .addOption(
      new Option('--min-prs <n>', 'without --repo: skip repositories with fewer pull requests than this')
        .argParser(wholeSetting('minPrs'))
        .default(DEFAULTS.minPrs)
        .helpGroup('Selection:'),
    )
    .addOption(
      new Option('--since <date>', 'only pull requests created on or after this date (2024-01-31) or time')
        .argParser(since)
        .helpGroup('Scope:'),
    )
    .addOption(
      new Option(
        '--states <list>',
        'only pull requests in these states: a comma list of open, closed, merged',
      )
        .argParser(states)
        .helpGroup('Scope:'),
    )
    .addOption(
      new Option('--base <branch>', 'only pull requests into this base branch')
        .argParser(base)
        .helpGroup('Scope:'),
    )
    .addOption(new Option('--dry-run', 'plan and report, write nothing').helpGroup('Backfill:'))
    .addOption(
      new Option(
        '--worker-id <id>',
        'name recorded on leases and the run (default: cli:<host>:<pid>)',
      ).helpGroup('Backfill:'),
    );
  addBackfillOptions(command);
  addDatabaseOptions(command);
  addGitHubOptions(command);
  addJsonOption(command, 'the run summary');
  return command.action(async (flags: RunFlags) => done(await run(flags, ctx)));
}

export function backfillOptions(
  flags: RunFlags,
  repositories: RepositorySpec[],
  force: boolean,
): BackfillOptions {
  const options: BackfillOptions = {
    repositories,
    completenessThreshold: flags.completenessThreshold,
    minPrs: flags.minPrs,
    fieldProfile: flags.fieldProfile,
    timeBudgetMs: flags.timeBudget,
    dryRun: flags.dryRun === true,
    workerId: flags.workerId ?? `cli:${hostname()}:${process.pid}`,
    trigger: 'cli',
    triggerRef: null,
    force,
    ...(flags.chunkSize !== undefined ? { chunkSize: flags.chunkSize } : {}),
    ...(flags.maxChunks !== undefined ? { maxChunks: flags.maxChunks } : {}),
    ...(flags.reservePoints !== undefined ? { reservePoints: flags.reservePoints } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
  };
  const scope = givenScope({
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.states !== undefined ? { states: flags.states } : {}),
    ...(flags.base !== undefined ? { base: flags.base } : {}),
  });
  // no scope flag: each backfill is worked in its own stored scope
  if (scope) options.scope = scope;
  validateOptions(options);
  return options;
}

async function run(flags: RunFlags, ctx: CliContext): Promise<number> {
  const named = (flags.repo?.length ?? 0) + (flags.repositoryId?.length ?? 0) > 0;
  // Everything that can be wrong with the input is found before a database is opened (or created).
  const options = backfillOptions(flags, flags.repo ?? [], named);
  const backend = storeBackend(flags, ctx);
  const github = githubClient(flags, ctx);
  const store = await openBackend(backend, { secrets: ctx.secrets });
  try {
    for (const id of flags.repositoryId ?? []) {
      const row = await store.getRepository({ id });
      if (!row) throw new ConfigError('repository-id', `no tracked repository has id ${id} (see \`status\`)`);
      options.repositories.push({ owner: row.owner, name: row.name });
    }
    const mode = renderMode(flags.json, ctx);
    const summary = await executeRun(options, { store, github }, mode, ctx);
    printSummary(summary, mode, ctx);
    return exitCodeFor(summary);
  } finally {
    await store.close();
  }
}

/** Runs the engine with the chosen renderer; shared by `run` and `demo`. */
export async function executeRun(
  options: BackfillOptions,
  deps: { store: Store; github: GitHubClient },
  mode: RenderMode,
  ctx: CliContext,
): Promise<RunSummary> {
  const renderer = createRenderer(mode, ctx);
  let summary: RunSummary;
  try {
    summary = await runBackfill(options, {
      ...deps,
      onEvent: (event) => renderer.onEvent(event),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } finally {
    renderer.stop();
  }
  return summary;
}
