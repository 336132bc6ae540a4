/**
 * The command line: commander parses and validates every flag before anything runs; each subcommand lives in
 * ./commands. `main` returns the exit code instead of exiting, so tests can call it in-process.
 */
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError } from '../engine/options.ts';
import { GitHubError } from '../github/types.ts';
import { ExitCode, exitCodeFor } from '../shared-entry/exit-codes.ts';
import { StoreError } from '../store/types.ts';
import { demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { operatorCommands } from './commands/operate.ts';
import { recoverCommand } from './commands/recover.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { trackCommand } from './commands/track.ts';
import { type CliContext, type CliIo, createContext } from './context.ts';

export const PROGRAM = 'progressive-backfill';

const EXIT_CODES_HELP = `
Environment:
  GITHUB_TOKEN, GH_TOKEN      GitHub token for run and track (never pass tokens as flags)
  GITHUB_APP_ID               or a GitHub App: its id, with GITHUB_APP_PRIVATE_KEY_FILE (path to its .pem) or
                              GITHUB_APP_PRIVATE_KEY (the key); GITHUB_APP_INSTALLATION_ID is optional (without
                              it each owner's installation is found); tokens are renewed before they expire
  PB_DATABASE_URL             Postgres connection string, instead of --database-url
  PB_SUPABASE_URL             Supabase project URL, instead of --supabase-url
  SUPABASE_SERVICE_ROLE_KEY   service-role key that goes with the Supabase URL
  GITHUB_API_URL              GitHub API base, instead of --github-api-url
  CI                          when set, progress is logged as plain lines instead of a bar

Exit codes:
  0    success (also a run that stopped at its time budget with progress saved)
  1    unexpected error
  2    invalid flag, input or setting
  3    GitHub rejected the token or it lacks access
  4    finished with critical errors for some repositories
  5    database unreachable, or its schema missing or behind (run migrate)
  130  interrupted by SIGINT/SIGTERM (leases released, run recorded as interrupted)

Start with: ${PROGRAM} demo
`;

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** Setting names that are flags print as flags; environment variables as themselves. */
function settingLabel(setting: string): string {
  return /^[a-z][a-z0-9-]*$/.test(setting) ? `--${setting}` : setting;
}

function describeError(error: unknown, command: string): string[] {
  const help = `(see '${PROGRAM}${command ? ` ${command}` : ''} --help')`;
  if (error instanceof ConfigError) {
    const message = error.message.startsWith(`${error.setting}: `)
      ? error.message.slice(error.setting.length + 2)
      : error.message;
    return [`error: ${settingLabel(error.setting)}: ${message}`, help];
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreError && error.code === 'connection') {
    return [`error: ${message}`, 'check the database URL and that the server is running and reachable'];
  }
  if (error instanceof StoreError && error.code === 'invalid_input') return [`error: ${message}`, help];
  if (error instanceof GitHubError && error.kind === 'auth') {
    return [
      `error: ${/rejected the token/i.test(message) ? message : `GitHub rejected the token: ${message}`}`,
      'check that GITHUB_TOKEN (or GH_TOKEN) holds a valid, unexpired token (`gh auth token` prints yours) ' +
        'and that --github-api-url points at the GitHub it belongs to',
    ];
  }
  if (error instanceof GitHubError && error.kind === 'permission') {
    return [
      `error: the token lacks access: ${message}`,
      'give it "Pull requests: read" (fine-grained) or the repo scope (classic), and authorise it for SSO',
    ];
  }
  return [`error: ${message}`];
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const ctx: CliContext = createContext(io, argv);
  let code: number = ExitCode.Ok;
  let active = '';
  const done = (exit: number) => {
    code = exit;
  };

  const program = new Command(PROGRAM)
    .description(
      "Backfill repositories' whole pull-request history from GitHub's GraphQL API into Postgres, Supabase or an " +
        'embedded database, a chunk at a time, never losing or duplicating a pull request.',
    )
    .version(packageJson.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(ctx.redact(text)),
      writeErr: (text) => io.stderr.write(ctx.redact(text)),
    })
    .showHelpAfterError(`(see '${PROGRAM} --help')`)
    .addHelpText('after', EXIT_CODES_HELP)
    .hook('preAction', (_program, action) => {
      active = action.name();
    });

  const commands = [
    demoCommand(ctx, done),
    runCommand(ctx, done),
    statusCommand(ctx, done),
    trackCommand(ctx, done),
    recoverCommand(ctx, done),
    migrateCommand(ctx, done),
    ...operatorCommands(ctx, done),
  ];
  for (const command of commands) {
    // addCommand, unlike .command(), does not inherit exitOverride and the output settings.
    command.copyInheritedSettings(program);
    command.showHelpAfterError(`(see '${PROGRAM} ${command.name()} --help')`);
    program.addCommand(command);
  }

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      // commander has printed its one-line message and the help pointer already
      return ExitCode.BadInput;
    }
    for (const line of describeError(error, active)) ctx.err(line);
    if (ctx.env.PB_DEBUG && error instanceof Error && error.stack) ctx.err(error.stack);
    return exitCodeFor(error);
  }
}
