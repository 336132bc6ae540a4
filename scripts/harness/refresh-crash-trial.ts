/**
 * One SIGKILL trial of the resumable refresh: a `full` backfill of a repository with the hard child cases walks to
 * the end, then many of its pull requests change (new, edited and deleted comments, a new review with its own
 * comment), and a run that refreshes them is killed once GitHub has seen a given number of its requests — in a
 * refresh page or in the children's follow-ups. Unkilled, that refresh sends 14: a repository lookup, then three
 * rounds of one refresh page and its follow-ups. One plain rerun, started at once, must finish the refresh: its stored
 * position cleared, no follow-up left, every pull request and child equal to GitHub.
 */
import { startSimulator } from '../../src/simulator/server.ts';
import { type ChildrenDiff, diffChildren } from './children-diff.ts';
import type { TestDatabase } from './database.ts';
import { TOKEN } from './engine-environment.ts';
import { diffAgainstGroundTruth, type GroundTruthDiff } from './ground-truth-diff.ts';
import { startEngine } from './spawn-engine.ts';

const REPO = { owner: 'crash', name: 'refresh', pullRequests: 420, childCases: true };
/** three refresh pages of 100, each with follow-ups for the new reviews' comments */
const CHANGED = 260;

export interface RefreshCrashTrialResult extends GroundTruthDiff {
  trial: number;
  /** requests of the refresh run GitHub had seen when it was killed; null when it finished first */
  killedAtRequest: number | null;
  /** the killed run left a refresh position or queued follow-ups behind: the rerun had something to resume */
  leftMidway: boolean;
  /** a stored refresh position was resumed from: the rerun never asked for the refresh's first page again */
  resumed: boolean;
  rerunExit: number | null;
  /** what the rerun left of the refresh: its stored cursor and queued follow-ups */
  refreshCursor: string | null;
  queuedFollowUps: number;
  children: ChildrenDiff;
}

export async function runRefreshCrashTrial(input: {
  trial: number;
  /** kill once GitHub has seen this many requests of the refreshing run (1 = during its first) */
  killAtRequest: number;
  createDatabase: () => Promise<TestDatabase>;
}): Promise<RefreshCrashTrialResult> {
  const sim = await startSimulator({
    dataset: { seed: input.trial + 101, repositories: [REPO] },
    tokens: { [TOKEN]: {} },
    latencyMs: 2,
  });
  const db = await input.createDatabase();
  const env = {
    ENGINE_DATABASE_URL: db.url,
    ENGINE_API_URL: sim.url,
    ENGINE_TOKEN: TOKEN,
    ENGINE_REPOSITORY: `${REPO.owner}/${REPO.name}`,
    ENGINE_PROFILE: 'full',
  };
  const drain = async (engine: ReturnType<typeof startEngine>) => {
    for await (const _ of engine.lines);
    return engine.exit;
  };
  try {
    const walk = await drain(startEngine({ ...env, ENGINE_UNTIL_COMPLETE: '1' }));
    if (walk !== 0) throw new Error(`the walk before the refresh exited ${walk}`);

    const repository = sim.dataset.repository(REPO.owner, REPO.name)!;
    const now = Math.floor(Date.now() / 1000) + 60;
    for (let index = 0; index < CHANGED; index++) repository.changeChildren(index, now);

    // named and forced, a completed repository is refreshed at once
    const seen = sim.requests.length;
    const first = startEngine(env);
    let killedAtRequest: number | null = null;
    const watch = setInterval(() => {
      const sent = sim.requests.length - seen;
      if (killedAtRequest === null && sent >= input.killAtRequest) {
        killedAtRequest = sent;
        first.child.kill('SIGKILL');
      }
    }, 1);
    try {
      await drain(first);
    } finally {
      clearInterval(watch);
    }

    const position = async () =>
      (
        await db.client.query<{ refresh_cursor: string | null; queued: number }>(
          `select s.refresh_cursor,
                  (select count(*)::int from progressive_backfill.child_follow_ups f
                    where f.repository_id = r.id) as queued
             from progressive_backfill.backfill_state s
             join progressive_backfill.repositories r on r.id = s.repository_id
            where r.owner = $1 and r.name = $2`,
          [REPO.owner, REPO.name],
        )
      ).rows[0];
    const left = await position();

    // No waiting and no back-dating: the rerun takes over whatever the killed process held.
    const rerunFrom = sim.requests.length;
    const rerunExit = await drain(startEngine(env));
    const rerunFirstPages = sim.requests
      .slice(rerunFrom)
      .filter((r) => r.operationName === 'UpdatedPullRequests' && r.variables?.updatedAfter === null).length;
    const after = await position();
    return {
      trial: input.trial,
      killedAtRequest,
      leftMidway: left?.refresh_cursor != null || (left?.queued ?? 0) > 0,
      resumed: left?.refresh_cursor == null || rerunFirstPages === 0,
      rerunExit,
      refreshCursor: after?.refresh_cursor ?? null,
      queuedFollowUps: after?.queued ?? -1,
      ...(await diffAgainstGroundTruth(db, sim, REPO.owner, REPO.name, 'full')),
      children: await diffChildren(db, sim, REPO.owner, REPO.name),
    };
  } finally {
    await db.drop();
    await sim.stop();
  }
}
