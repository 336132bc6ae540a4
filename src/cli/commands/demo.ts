/**
 * `demo`: the whole product offline in a few seconds. Starts the GitHub simulator on loopback with a synthetic
 * organisation, backfills it into an embedded database with the real engine, client and SQL, then proves the result
 * by comparing every stored pull request with the simulator's ground truth, field by field.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { FieldProfile, PullRequestRecord } from '../../domain/pull-request.ts';
import type { RunSummary } from '../../engine/types.ts';
import { ExitCode, SIGNAL_STOP_REASON } from '../../shared-entry/exit-codes.ts';
import { formatCount } from '../../shared-entry/format.ts';
import type { CliContext } from '../context.ts';
import { integerIn, nonEmpty } from '../parsers.ts';
import { printSummary, renderMode } from '../render.ts';
import { addJsonOption } from '../shared-options.ts';
import { compareInPages, readStoredPullRequests, type SqlQuery } from '../verify.ts';
import { addBackfillOptions, backfillOptions, executeRun, type RunFlags } from './run.ts';

export const DEMO_OWNER = 'demo-org';
const DEMO_TOKEN = 'demo-token-not-a-secret';
const DEMO_SEED = 20_261_122;
/**
 * The simulated token's points an hour: an Enterprise Cloud App installation's 15,000, so the largest demo (200,000
 * PRs with every review and comment, ~11,000 points) finishes in one go instead of waiting an hour for a reset.
 */
const DEMO_POINTS_PER_HOUR = 15_000;
/**
 * Pull requests verified at a time: the whole truth of a 100,000-PR repository would not fit the memory goal, and a
 * page's truth generates every review and comment of its pull requests (to count them), tens of MB for 2,000.
 */
const VERIFY_PAGE = 500;

interface DemoFlags extends Omit<RunFlags, 'databaseUrl' | 'supabaseUrl'> {
  prs: number;
  latency: number;
  json?: boolean;
}

/** Three repositories: an empty one, a mid-sized one and the large one `--prs` sizes. */
export function demoRepositories(prs: number): { owner: string; name: string; pullRequests: number }[] {
  return [
    { owner: DEMO_OWNER, name: 'empty', pullRequests: 0 },
    { owner: DEMO_OWNER, name: 'widgets', pullRequests: Math.min(1_234, prs) },
    { owner: DEMO_OWNER, name: 'platform', pullRequests: prs },
  ];
}

export function demoCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('demo')
    .description(
      `Offline demo: backfill a simulated GitHub organisation (${DEMO_OWNER}) into an embedded database and verify ` +
        "every stored pull request against the simulator's ground truth. No token, network or database needed.",
    )
    .addOption(
      new Option('--prs <n>', 'pull requests in the largest demo repository, 0-200000')
        .argParser(integerIn(0, 200_000))
        .default(5_000),
    )
    .addOption(
      new Option(
        '--latency <ms>',
        'simulated GitHub response time per request, 0-60000 ms (to watch the progress bar)',
      )
        .argParser(integerIn(0, 60_000))
        .default(0),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'keep the embedded database in this folder (default: a temporary folder, removed afterwards)',
      )
        .argParser(nonEmpty)
        .helpGroup('Database:'),
    );
  addBackfillOptions(command);
  addJsonOption(command, 'the run summary and the verification');
  return command.action(async (flags: DemoFlags) => done(await demo(flags, ctx)));
}

async function demo(flags: DemoFlags, ctx: CliContext): Promise<number> {
  const options = backfillOptions(
    { ...flags, completenessThreshold: 1, minPrs: 0, workerId: flags.workerId ?? 'cli:demo' },
    [{ owner: DEMO_OWNER, name: '*' }],
    true,
  );
  const mode = renderMode(flags.json, ctx);
  const [{ startSimulator }, { createGitHubClient }, { openMigratedPglite, pgliteStore }] = await Promise.all(
    [import('../../simulator/server.ts'), import('../../github/client.ts'), import('../../store/pglite.ts')],
  );

  const repositories = demoRepositories(flags.prs);
  const sim = await startSimulator({
    dataset: {
      seed: DEMO_SEED,
      repositories: repositories.map((r) => ({ ...r, ownerType: 'Organization' as const })),
    },
    tokens: { [DEMO_TOKEN]: { limit: DEMO_POINTS_PER_HOUR, login: 'demo-user' } },
    latencyMs: flags.latency,
    requestLog: false,
  });
  const temporary =
    flags.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'progressive-backfill-demo-')) : null;
  const dataDir = flags.dataDir ?? join(temporary!, 'db');
  try {
    if (mode !== 'json') {
      ctx.err(
        `demo: simulated GitHub at ${sim.url} with ${repositories
          .map((r) => `${r.owner}/${r.name} (${formatCount(r.pullRequests)} PRs)`)
          .join(', ')}`,
      );
      ctx.err(`demo: embedded database in ${flags.dataDir ?? 'a temporary folder'}`);
    }
    const db = await openMigratedPglite(dataDir);
    const store = pgliteStore(db);
    try {
      const github = createGitHubClient({ token: DEMO_TOKEN, apiUrl: sim.url });
      const summary = await executeRun(options, { store, github }, mode, ctx);
      const verification = await verify(db, repositories, options.fieldProfile, (owner, name) =>
        sim.groundTruthPages(owner, name, options.fieldProfile, VERIFY_PAGE),
      );
      const code = exitCode(summary, verification);
      if (mode === 'json') {
        ctx.out(JSON.stringify({ summary, verification }, null, 2));
        return code;
      }
      printSummary(summary, mode, ctx);
      const identical = verification.every((v) => v.expected === v.identical && v.stored === v.expected);
      const total = verification.reduce((n, v) => n + v.identical, 0);
      if (identical && summary.outcome === 'completed') {
        ctx.out(`verified: ${formatCount(total)} pull requests identical to GitHub's ground truth`);
      } else {
        for (const v of verification) {
          if (v.expected === v.identical && v.stored === v.expected) continue;
          ctx.err(
            `NOT verified: ${v.repository}: ${formatCount(v.identical)} of ${formatCount(v.expected)} identical, ` +
              `${formatCount(v.stored)} stored`,
          );
          for (const difference of v.differences) ctx.err(`  ${difference}`);
        }
      }
      return code;
    } finally {
      await store.close();
    }
  } finally {
    await sim.stop();
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}

interface RepositoryVerification {
  repository: string;
  expected: number;
  stored: number;
  identical: number;
  differences: string[];
}

async function verify(
  db: SqlQuery,
  repositories: { owner: string; name: string }[],
  profile: FieldProfile,
  truth: (owner: string, name: string) => Iterable<PullRequestRecord[]>,
): Promise<RepositoryVerification[]> {
  const out: RepositoryVerification[] = [];
  for (const { owner, name } of repositories) {
    const comparison = await compareInPages(
      truth(owner, name),
      (range) => readStoredPullRequests(db, owner, name, range),
      profile,
    );
    out.push({ repository: `${owner}/${name}`, ...comparison });
  }
  return out;
}

function exitCode(summary: RunSummary, verification: RepositoryVerification[]): number {
  if (summary.outcome === 'interrupted' && summary.stopReason === SIGNAL_STOP_REASON)
    return ExitCode.Interrupted;
  const identical = verification.every((v) => v.expected === v.identical && v.stored === v.expected);
  return summary.outcome === 'completed' && identical ? ExitCode.Ok : ExitCode.Unexpected;
}
