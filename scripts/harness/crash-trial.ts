/**
 * One SIGKILL trial: an engine process is killed after a given number of committed pages (0 = during start-up, at
 * a random point of the next page otherwise), and a plain rerun started at once goes to the end, taking over the
 * lease the killed process left (its database session died with it). The result is how the database then differs
 * from GitHub.
 */
import { startSimulator } from '../../src/simulator/server.ts';
import { type ChildrenDiff, diffChildren } from './children-diff.ts';
import type { TestDatabase } from './database.ts';
import { TOKEN } from './engine-environment.ts';
import { diffAgainstGroundTruth, type GroundTruthDiff } from './ground-truth-diff.ts';
import { startEngine } from './spawn-engine.ts';

export const CRASH_REPO = {
  owner: 'crash',
  name: 'repo',
  pullRequests: 3_000,
  changes: { everyPages: 4, transitions: 2, growth: 1, maxEvents: 3 },
};

export interface CrashTrialResult extends GroundTruthDiff {
  trial: number;
  killedAfterPages: number;
  rerunExit: number | null;
  /** `full` trials: how the children differ from GitHub's */
  children?: ChildrenDiff;
}

export async function runCrashTrial(input: {
  trial: number;
  killAfterPages: number;
  createDatabase: () => Promise<TestDatabase>;
  /** `full`: a smaller repository carrying the hard child cases, its children compared too */
  profile?: 'core' | 'full';
}): Promise<CrashTrialResult> {
  const full = input.profile === 'full';
  const repository = full ? { ...CRASH_REPO, pullRequests: 400, childCases: true } : CRASH_REPO;
  const sim = await startSimulator({
    dataset: { seed: input.trial + 1, repositories: [repository] },
    tokens: { [TOKEN]: {} },
    latencyMs: 2,
  });
  const db = await input.createDatabase();
  try {
    const env = {
      ENGINE_DATABASE_URL: db.url,
      ENGINE_API_URL: sim.url,
      ENGINE_TOKEN: TOKEN,
      ENGINE_REPOSITORY: `${CRASH_REPO.owner}/${CRASH_REPO.name}`,
      ENGINE_PAGES_PER_CHUNK: '3',
      ENGINE_CHUNK_SIZE: full ? '20' : '50',
      ENGINE_PROFILE: full ? 'full' : 'core',
    };
    const first = startEngine(env);
    let pages = 0;
    if (input.killAfterPages === 0) first.child.kill('SIGKILL');
    else {
      for await (const line of first.lines) {
        if (line.startsWith('page') && ++pages >= input.killAfterPages) {
          setImmediate(() => first.child.kill('SIGKILL'));
          break;
        }
      }
    }
    await first.exit;
    // No waiting and no back-dating: the killed process's session is gone, so the rerun takes its lease over.
    const second = startEngine({ ...env, ENGINE_UNTIL_COMPLETE: '1' });
    for await (const _ of second.lines);
    const rerunExit = await second.exit;
    const diff = await diffAgainstGroundTruth(db, sim, CRASH_REPO.owner, CRASH_REPO.name, input.profile);
    const children = full ? { children: await diffChildren(db, sim, CRASH_REPO.owner, CRASH_REPO.name) } : {};
    return { trial: input.trial, killedAfterPages: input.killAfterPages, rerunExit, ...diff, ...children };
  } finally {
    await db.drop();
    await sim.stop();
  }
}
