/**
 * A REPLAY OF THE SEED SYSTEM'S STRATEGY, for side-by-side benchmarks — not product code, never shipped.
 *
 * The seed ("Progressive Backfill System", shared/seeds/002) ran on a cron schedule: every 15 minutes one run takes
 * the first unfinished repository and processes up to 10 chunks of 25 pull requests, one forward page per chunk.
 * Before each chunk it asks GitHub's GraphQL rateLimit in a query of its own; after each chunk it upserts the pull
 * requests in one statement and writes its progress in another. Only the GitHub access goes through the product's
 * client (same queries, same simulator), so the difference measured is the strategy.
 */
import pg from 'pg';
import type { FieldProfile } from '../../src/domain/pull-request.ts';
import type { Clock } from '../../src/engine/types.ts';
import type { GitHubClientWithGraphQL } from '../../src/github/client.ts';

export const SEED_STRATEGY = {
  pageSize: 25,
  chunksPerRun: 10,
  runEveryMs: 15 * 60_000,
} as const;

const RATE_LIMIT_QUERY = 'query SeedRateLimit { rateLimit { cost remaining resetAt limit used } }';

export interface SeedReplayInput {
  github: GitHubClientWithGraphQL;
  databaseUrl: string;
  clock: Clock;
  repositories: { owner: string; name: string }[];
  profile: FieldProfile;
  /** stop scheduling runs at this instant of the clock (default: when every repository is done) */
  until?: number;
}

export interface SeedReplayResult {
  prs: number;
  points: number;
  requests: number;
  runs: number;
  /** clock time from the first run's start to the last page's end */
  elapsedMs: number;
  /** wall time spent in the two write statements, and the PRs they wrote: the seed's write throughput */
  writeMs: number;
  finished: boolean;
}

interface Progress {
  cursor: string | null;
  done: boolean;
}

export async function replaySeedStrategy(input: SeedReplayInput): Promise<SeedReplayResult> {
  const { github, clock } = input;
  const db = new pg.Client(input.databaseUrl);
  await db.connect();
  await db.query(`create schema if not exists seed_replay;
    create table if not exists seed_replay.pull_requests (github_id bigint primary key, repository text not null,
      record jsonb not null);
    create table if not exists seed_replay.progress (repository text primary key, cursor text, processed int not null,
      done boolean not null)`);
  const progress = new Map<string, Progress>(
    input.repositories.map((r) => [`${r.owner}/${r.name}`, { cursor: null, done: false }]),
  );
  const result: SeedReplayResult = {
    prs: 0,
    points: 0,
    requests: 0,
    runs: 0,
    elapsedMs: 0,
    writeMs: 0,
    finished: false,
  };
  const started = clock.now();
  let lastPageEnd = started;
  try {
    for (let run = 0; ; run++) {
      const runAt = started + run * SEED_STRATEGY.runEveryMs;
      if (input.until !== undefined && runAt >= input.until) break;
      // One repository at a time: the first one not finished.
      const current = input.repositories.find((r) => !progress.get(`${r.owner}/${r.name}`)!.done);
      if (!current) {
        result.finished = true;
        break;
      }
      if (clock.now() < runAt) await clock.sleep(runAt - clock.now());
      result.runs++;
      const key = `${current.owner}/${current.name}`;
      const state = progress.get(key)!;
      for (let chunk = 0; chunk < SEED_STRATEGY.chunksPerRun && !state.done; chunk++) {
        const limit = await github.graphql<{ rateLimit: { cost: number } }>(RATE_LIMIT_QUERY);
        result.points += limit.data.rateLimit.cost;
        const page = await github.fetchPullRequests({
          ...current,
          profile: input.profile,
          windows: [
            { key: 'forward', direction: 'forward', size: SEED_STRATEGY.pageSize, cursor: state.cursor },
          ],
        });
        const window = page.windows.forward;
        result.requests += 2;
        result.points += page.rateLimit.cost;
        const prs = window?.nodes ?? [];
        state.cursor = window?.cursor ?? state.cursor;
        state.done = !window?.hasMore;
        const writeStarted = performance.now();
        await db.query(
          `insert into seed_replay.pull_requests (github_id, repository, record)
           select (r ->> 'github_id')::bigint, $1, r from jsonb_array_elements($2::jsonb) r
           on conflict (github_id) do update set record = excluded.record`,
          [key, JSON.stringify(prs)],
        );
        await db.query(
          `insert into seed_replay.progress (repository, cursor, processed, done) values ($1, $2, $3, $4)
           on conflict (repository) do update set cursor = excluded.cursor,
             processed = seed_replay.progress.processed + $3, done = excluded.done`,
          [key, state.cursor, prs.length, state.done],
        );
        result.writeMs += performance.now() - writeStarted;
        result.prs += prs.length;
        lastPageEnd = clock.now();
      }
    }
  } finally {
    await db.end();
  }
  result.elapsedMs = lastPageEnd - started;
  return result;
}
