/** Option groups several commands share: where the data lives, how to reach GitHub, how to print. */
import { type Command, Option } from 'commander';
import { ConfigError, DEFAULTS } from '../engine/options.ts';
import { chooseBackend, type StoreBackend } from '../entry/open-store.ts';
import { createGitHubClient } from '../github/client.ts';
import type { GitHubClient } from '../github/types.ts';
import type { CliContext } from './context.ts';
import { httpUrl, nonEmpty, postgresUrl } from './parsers.ts';

export const DEFAULT_DATA_DIR = './.progressive-backfill/db';

export interface DatabaseFlags {
  databaseUrl?: string;
  supabaseUrl?: string;
  dataDir?: string;
}

export interface GitHubFlags {
  githubApiUrl?: string;
}

export function addDatabaseOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--database-url <url>',
        'Postgres connection string (postgres://USER@HOST:5432/DB, password included); env PB_DATABASE_URL keeps the password out of `ps`',
      )
        .argParser(postgresUrl)
        .helpGroup('Database:'),
    )
    .addOption(
      new Option(
        '--supabase-url <url>',
        'Supabase project URL (https://<project>.supabase.co); the key comes from env SUPABASE_SERVICE_ROLE_KEY; env PB_SUPABASE_URL',
      )
        .argParser(httpUrl)
        .helpGroup('Database:'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        `embedded PGlite database folder, used when no database URL is given (default: ${DEFAULT_DATA_DIR})`,
      )
        .argParser(nonEmpty)
        .helpGroup('Database:'),
    );
}

export function addGitHubOptions(command: Command): Command {
  return command.addOption(
    new Option(
      '--github-api-url <url>',
      `GitHub REST API base: ${DEFAULTS.githubApiUrl}, or https://HOST/api/v3 for GitHub Enterprise Server; env GITHUB_API_URL`,
    )
      .argParser(httpUrl)
      .helpGroup('GitHub:'),
  );
}

export function addJsonOption(command: Command, what: string): Command {
  return command.addOption(
    new Option('--json', `print ${what} as JSON on stdout, nothing else`).helpGroup('Output:'),
  );
}

/** Flags first, then the PB_* environment variables; the embedded database when neither names a server. */
export function storeBackend(flags: DatabaseFlags, ctx: CliContext): StoreBackend {
  const databaseUrl = flags.databaseUrl ?? envValue(ctx, 'PB_DATABASE_URL', postgresUrl, 'database-url');
  const supabaseUrl = flags.supabaseUrl ?? envValue(ctx, 'PB_SUPABASE_URL', httpUrl, 'supabase-url');
  const serviceRoleKey = ctx.env.SUPABASE_SERVICE_ROLE_KEY;
  const server = Boolean(databaseUrl || supabaseUrl);
  return chooseBackend({
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(supabaseUrl ? { supabaseUrl, supabaseServiceRoleKey: serviceRoleKey ?? '' } : {}),
    // An explicit --data-dir next to a URL is a conflict chooseBackend reports; the default folder is not.
    ...(flags.dataDir !== undefined
      ? { dataDir: flags.dataDir }
      : server
        ? {}
        : { dataDir: DEFAULT_DATA_DIR }),
  });
}

function envValue(
  ctx: CliContext,
  name: string,
  parse: (text: string) => string,
  setting: string,
): string | undefined {
  const raw = ctx.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return parse(raw);
  } catch (error) {
    throw new ConfigError(setting, `${name} ${(error as Error).message}`);
  }
}

export function githubToken(ctx: CliContext): string {
  const token = ctx.env.GITHUB_TOKEN?.trim() || ctx.env.GH_TOKEN?.trim();
  if (!token) {
    throw new ConfigError(
      'GITHUB_TOKEN',
      'no GitHub token: export GITHUB_TOKEN (or GH_TOKEN) with a token that can read the repositories ' +
        '(a fine-grained token with "Pull requests: read", or `gh auth token`)',
    );
  }
  return token;
}

export function githubApiUrl(flags: GitHubFlags, ctx: CliContext): string {
  return (
    flags.githubApiUrl ?? envValue(ctx, 'GITHUB_API_URL', httpUrl, 'github-api-url') ?? DEFAULTS.githubApiUrl
  );
}

export function githubClient(flags: GitHubFlags, ctx: CliContext): GitHubClient {
  return createGitHubClient({ token: githubToken(ctx), apiUrl: githubApiUrl(flags, ctx) });
}
