/** Option groups several commands share: where the data lives, how to reach GitHub, how to print. */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { ConfigError, DEFAULTS } from '../engine/options.ts';
import {
  createGitHubClientFor,
  type GitHubAuth,
  GitHubAuthError,
  githubAuthFromEnv,
} from '../github/auth-env.ts';
import type { GitHubClient } from '../github/types.ts';
import { chooseBackend, openBackend, type StoreBackend } from '../shared-entry/open-store.ts';
import type { Store } from '../store/types.ts';
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

/** A token (GITHUB_TOKEN, GH_TOKEN) or a GitHub App (GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY[_FILE]). */
export function githubAuth(ctx: CliContext): GitHubAuth {
  let auth: GitHubAuth | null;
  try {
    const keyFile = ctx.env.GITHUB_APP_PRIVATE_KEY_FILE?.trim();
    auth = githubAuthFromEnv(
      keyFile ? { ...ctx.env, GITHUB_APP_PRIVATE_KEY: readPrivateKey(keyFile) } : ctx.env,
    );
  } catch (error) {
    if (error instanceof GitHubAuthError) throw new ConfigError(error.variable, error.message);
    throw error;
  }
  if (!auth) {
    throw new ConfigError(
      'GITHUB_TOKEN',
      'no GitHub token: export GITHUB_TOKEN (or GH_TOKEN) with a token that can read the repositories ' +
        '(a fine-grained token with "Pull requests: read", or `gh auth token`), or GITHUB_APP_ID and ' +
        'GITHUB_APP_PRIVATE_KEY_FILE for a GitHub App',
    );
  }
  if (auth.kind === 'app') ctx.secrets.push(auth.app.privateKey);
  return auth;
}

function readPrivateKey(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'GITHUB_APP_PRIVATE_KEY_FILE',
      `cannot read the GitHub App private key from ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function githubApiUrl(flags: GitHubFlags, ctx: CliContext): string {
  return (
    flags.githubApiUrl ?? envValue(ctx, 'GITHUB_API_URL', httpUrl, 'github-api-url') ?? DEFAULTS.githubApiUrl
  );
}

export function githubClient(flags: GitHubFlags, ctx: CliContext): GitHubClient {
  // installation tokens are only known once issued: each joins the secrets output is scrubbed of
  return createGitHubClientFor(githubAuth(ctx), {
    apiUrl: githubApiUrl(flags, ctx),
    onToken: (token) => ctx.secrets.push(token),
  });
}

/** Opens the store, refuses a schema it does not know, does the work and closes the store whatever happens. */
export async function withStore<T>(backend: StoreBackend, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openBackend(backend);
  try {
    await store.assertSchema();
    return await work(store);
  } finally {
    await store.close();
  }
}
