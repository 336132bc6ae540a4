/**
 * Bad inputs through the real CLI process: each must end with a clear message, its documented exit code, no secret
 * in the output, no stack trace, and no partial state — no pull request stored, nothing left running, no tracked
 * repository for an input that was never valid, and no embedded database folder created by accident.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { ExitCode } from '../../src/shared-entry/exit-codes.ts';
import { startSimulator } from '../../src/simulator/server.ts';
import type { TestDatabase } from './database.ts';

const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const GOOD_TOKEN = 'ghp_chaosgoodtoken00000000000000000000000';
const READ_ONLY_METADATA_TOKEN = 'ghp_chaosnoprpermission000000000000000000';
const REVOKED_TOKEN = 'ghp_chaosrevokedtoken0000000000000000000';
const DB_PASSWORD = 'chaos-Secr3t-pw';
const SECRETS = [GOOD_TOKEN, READ_ONLY_METADATA_TOKEN, REVOKED_TOKEN, DB_PASSWORD];

interface CaseContext {
  /** a migrated database's URL, password included */
  db: string;
  /** a database without the schema */
  unmigrated: string;
  api: string;
}

/**
 * `writes`: what a rejected input may leave behind. `none`: not one row anywhere. `run-record`: a finished run row
 * saying what went wrong (GitHub was asked and answered no), and the repository tracked when GitHub confirmed it
 * exists — but no pull request, no chunk, nothing running.
 */
export interface BadInputCase {
  name: string;
  args: (ctx: CaseContext) => string[];
  env?: Record<string, string | undefined>;
  exit: number;
  message: RegExp;
  writes: 'none' | 'run-record';
}

const run = (ctx: CaseContext, ...extra: string[]) => [
  'run',
  '--database-url',
  ctx.db,
  '--github-api-url',
  ctx.api,
  ...extra,
];
const runRepo = (ctx: CaseContext, ...extra: string[]) => run(ctx, '--repo', 'acme/widgets', ...extra);
/** `run --repo` against a database other than the migrated one */
const runOn = (ctx: CaseContext, databaseUrl?: string) => [
  'run',
  '--repo',
  'acme/widgets',
  '--github-api-url',
  ctx.api,
  ...(databaseUrl === undefined ? [] : ['--database-url', databaseUrl]),
];

/** A flag value the parser must refuse, naming the flag, before anything is written. */
function rejected(name: string, flag: string, value: string): BadInputCase {
  return {
    name,
    args: (c) => runRepo(c, `${flag}=${value}`),
    exit: ExitCode.BadInput,
    message: new RegExp(flag),
    writes: 'none',
  };
}

export const BAD_INPUTS: BadInputCase[] = [
  {
    name: 'repository without an owner',
    args: (c) => run(c, '--repo', 'widgets'),
    exit: ExitCode.BadInput,
    message: /--repo.*not a repository/s,
    writes: 'none',
  },
  {
    name: 'repository with a third segment',
    args: (c) => run(c, '--repo', 'acme/widgets/pulls'),
    exit: ExitCode.BadInput,
    message: /--repo/,
    writes: 'none',
  },
  {
    name: 'owner with a leading hyphen',
    args: (c) => run(c, '--repo', '-acme/widgets'),
    exit: ExitCode.BadInput,
    message: /--repo/,
    writes: 'none',
  },
  {
    name: 'repository name with a shell character',
    args: (c) => run(c, '--repo', 'acme/wid;gets'),
    exit: ExitCode.BadInput,
    message: /not a valid repository name/,
    writes: 'none',
  },
  {
    name: 'unknown repository',
    args: (c) => run(c, '--repo', 'acme/ghost'),
    exit: ExitCode.Partial,
    message: /acme\/ghost.*(does not exist|not found)/s,
    writes: 'run-record',
  },
  {
    name: 'unknown repository id',
    args: (c) => run(c, '--repository-id', '999'),
    exit: ExitCode.BadInput,
    message: /no tracked repository has id 999/,
    writes: 'none',
  },
  {
    name: 'bad token',
    args: (c) => runRepo(c),
    env: { GITHUB_TOKEN: REVOKED_TOKEN },
    exit: ExitCode.Auth,
    message: /rejected the token/,
    writes: 'run-record',
  },
  {
    name: 'token without pull-request permission',
    args: (c) => runRepo(c),
    env: { GITHUB_TOKEN: READ_ONLY_METADATA_TOKEN },
    exit: ExitCode.Auth,
    message: /Pull requests|permission|access/i,
    writes: 'run-record',
  },
  {
    name: 'no token at all',
    args: (c) => runRepo(c),
    env: { GITHUB_TOKEN: undefined },
    exit: ExitCode.BadInput,
    message: /GITHUB_TOKEN/,
    writes: 'none',
  },
  rejected('chunk size 0', '--chunk-size', '0'),
  rejected('chunk size 101', '--chunk-size', '101'),
  rejected('completeness threshold 1.5', '--completeness-threshold', '1.5'),
  rejected('negative reserve', '--reserve-points', '-5'),
  rejected('concurrency 33', '--concurrency', '33'),
  rejected('time budget "forever"', '--time-budget', 'forever'),
  rejected('max chunks 1e3', '--max-chunks', '1e3'),
  rejected('GitHub API URL that is no URL', '--github-api-url', 'api.github.com'),
  rejected('GitHub API URL with ftp://', '--github-api-url', 'ftp://github.example'),
  {
    name: 'database URL with mysql://',
    args: (c) => runOn(c, `mysql://u:${DB_PASSWORD}@127.0.0.1/db`),
    exit: ExitCode.BadInput,
    message: /--database-url/,
    writes: 'none',
  },
  {
    name: 'unparsable database URL',
    args: (c) => runOn(c, `postgres://u:${DB_PASSWORD}@[::1/db`),
    exit: ExitCode.BadInput,
    message: /--database-url/,
    writes: 'none',
  },
  {
    name: 'unparsable PB_DATABASE_URL',
    args: (c) => runOn(c),
    env: { PB_DATABASE_URL: `postgres//u:${DB_PASSWORD}@host/db` },
    exit: ExitCode.BadInput,
    message: /PB_DATABASE_URL/,
    writes: 'none',
  },
  {
    name: 'database that refuses connections',
    args: (c) => runOn(c, `postgres://u:${DB_PASSWORD}@127.0.0.1:1/db`),
    exit: ExitCode.Database,
    message: /database|connect/i,
    writes: 'none',
  },
  {
    name: 'database without the schema',
    args: (c) => runOn(c, c.unmigrated),
    exit: ExitCode.Database,
    message: /migrate/,
    writes: 'none',
  },
];

export interface BadInputResult {
  name: string;
  expectedExit: number;
  exit: number | null;
  /** the line of stderr that says what was wrong */
  said: string;
  /** every way the case went wrong; empty when it behaved */
  problems: string[];
}

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = DB_PASSWORD;
  return parsed.toString();
}

function runCliProcess(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface StateCounts {
  repositories: number;
  pullRequests: number;
  chunks: number;
  runningRuns: number;
  runs: number;
}

async function stateOf(client: pg.Client): Promise<StateCounts> {
  const { rows } = await client.query<StateCounts>(
    `select (select count(*) from progressive_backfill.repositories)::int as "repositories",
            (select count(*) from progressive_backfill.pull_requests)::int as "pullRequests",
            (select count(*) from progressive_backfill.backfill_chunks)::int as "chunks",
            (select count(*) from progressive_backfill.backfill_runs where outcome = 'running')::int as "runningRuns",
            (select count(*) from progressive_backfill.backfill_runs)::int as "runs"`,
  );
  return rows[0]!;
}

async function runCase(
  c: BadInputCase,
  input: { createDatabase: () => Promise<TestDatabase>; adminUrl: string; api: string },
): Promise<BadInputResult> {
  const db = await input.createDatabase();
  const unmigratedName = `pb_unmigrated_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client(input.adminUrl);
  await admin.connect();
  await admin.query(`create database ${unmigratedName}`);
  const unmigrated = new URL(input.adminUrl);
  unmigrated.pathname = `/${unmigratedName}`;
  const cwd = mkdtempSync(join(tmpdir(), 'pb-bad-input-'));
  const problems: string[] = [];
  try {
    const ctx = { db: withPassword(db.url), unmigrated: withPassword(unmigrated.toString()), api: input.api };
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', CI: '1' };
    for (const [key, value] of Object.entries({ GITHUB_TOKEN: GOOD_TOKEN, ...c.env })) {
      if (value !== undefined) env[key] = value;
    }
    const { code, stdout, stderr } = await runCliProcess(c.args(ctx), env, cwd);
    if (code !== c.exit) problems.push(`exit ${code}, expected ${c.exit}`);
    if (!c.message.test(stderr))
      problems.push(`message ${JSON.stringify(stderr.trim())} does not match ${c.message}`);
    if (/^\s+at /m.test(stderr)) problems.push('a stack trace was printed');
    for (const secret of SECRETS) {
      if ((stdout + stderr).includes(secret)) problems.push('a secret was printed');
    }
    if (existsSync(join(cwd, '.progressive-backfill')))
      problems.push('an embedded database folder was created');
    const state = await stateOf(db.client);
    if (state.pullRequests > 0) problems.push(`${state.pullRequests} pull requests stored`);
    if (state.chunks > 0) problems.push(`${state.chunks} chunks created`);
    if (state.runningRuns > 0) problems.push('a run was left running');
    if (c.writes === 'none' && state.repositories + state.runs > 0)
      problems.push(`${state.repositories} repositories and ${state.runs} runs written`);
    const lines = stderr.trim().split('\n');
    const said =
      lines.find((line) => c.message.test(line)) ?? lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '';
    return { name: c.name, expectedExit: c.exit, exit: code, said, problems };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    await admin.query(`drop database if exists ${unmigratedName} with (force)`);
    await admin.end();
    await db.drop();
  }
}

/** Every case, a few at a time (each is a Node process start). */
export async function runBadInputs(input: {
  createDatabase: () => Promise<TestDatabase>;
  adminUrl: string;
  parallel?: number;
}): Promise<BadInputResult[]> {
  const sim = await startSimulator({
    dataset: { seed: 5, repositories: [{ owner: 'acme', name: 'widgets', pullRequests: 40 }] },
    tokens: {
      [GOOD_TOKEN]: {},
      [READ_ONLY_METADATA_TOKEN]: { canReadPullRequests: () => false, kind: 'integration' },
    },
  });
  try {
    const results: BadInputResult[] = new Array(BAD_INPUTS.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < BAD_INPUTS.length; i = next++) {
        results[i] = await runCase(BAD_INPUTS[i]!, { ...input, api: sim.url });
      }
    };
    await Promise.all(Array.from({ length: input.parallel ?? 4 }, worker));
    return results;
  } finally {
    await sim.stop();
  }
}
