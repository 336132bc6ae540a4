/**
 * Four engine processes race on one repository while a zombie — a worker that claimed a chunk, stalled past its
 * lease and had the lease recovered — wakes up and tries to commit the page it fetched before it stalled. The
 * zombie must be turned away with `stale_lease`, and the database must end exactly equal to GitHub.
 */

import { advanceWalk, parseWalkCursor, walkRequest } from '../../src/engine/walk.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { GitHubError } from '../../src/github/types.ts';
import { startSimulator } from '../../src/simulator/server.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import { StoreError } from '../../src/store/types.ts';
import { CRASH_REPO } from './crash-trial.ts';
import type { TestDatabase } from './database.ts';
import { TOKEN } from './engine-environment.ts';
import { diffAgainstGroundTruth, type GroundTruthDiff } from './ground-truth-diff.ts';
import { startEngine } from './spawn-engine.ts';

export const RACE_WORKERS = 4;

export interface WorkerRaceResult extends GroundTruthDiff {
  trial: number;
  /** what the zombie's late commit got: 'stale_lease' is the only right answer */
  zombieCommit: string;
  leasesRecovered: number;
  workerExits: (number | null)[];
  /** distinct workers that committed pages: the race was a race */
  workersThatCommitted: number;
}

export async function runWorkerRace(input: {
  trial: number;
  createDatabase: () => Promise<TestDatabase>;
}): Promise<WorkerRaceResult> {
  const repo = CRASH_REPO;
  const sim = await startSimulator({
    dataset: { seed: 100 + input.trial, repositories: [repo] },
    tokens: { [TOKEN]: {} },
    latencyMs: 2,
  });
  const db = await input.createDatabase();
  const zombieStore = createPostgresStore(db.url, { max: 1, applicationName: 'zombie' });
  const github = createGitHubClient({ token: TOKEN, apiUrl: sim.url, retry: { retries: 0 } });
  try {
    // The zombie starts the backfill, claims the first chunk and fetches a page…
    const { found } = await github.lookupRepositories([repo]);
    const info = found[0]!;
    const row = await zombieStore.trackRepository({
      owner: info.owner,
      name: info.name,
      githubId: info.githubId,
      nodeId: info.nodeId,
      prTotalCount: info.prTotalCount,
    });
    await zombieStore.startBackfill(row.id, 'core');
    const lease = await zombieStore.claimChunk({
      repositoryId: row.id,
      workerId: 'zombie',
      leaseSeconds: 60,
    });
    if (!lease) throw new Error('the zombie could not claim the first chunk');
    const cursor = parseWalkCursor(lease.cursor);
    const page = await github.fetchPullRequests(walkRequest(cursor, repo, 'core', 50, 2));
    const step = advanceWalk(cursor, page);
    // …then stalls past its lease (back-dated, as the passage of time would) and the lease is recovered.
    await db.client.query(
      `update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 hour' where id = $1`,
      [lease.chunkId],
    );
    const recovered = await zombieStore.recoverStuckChunks({ requeueLimit: 3, graceSeconds: 30 });

    const env = {
      ENGINE_DATABASE_URL: db.url,
      ENGINE_API_URL: sim.url,
      ENGINE_TOKEN: TOKEN,
      ENGINE_REPOSITORY: `${repo.owner}/${repo.name}`,
      ENGINE_PAGES_PER_CHUNK: '2',
      ENGINE_MAX_CHUNKS: '2',
      ENGINE_CHUNK_SIZE: '50',
      ENGINE_UNTIL_COMPLETE: '1',
    };
    const workers = Array.from({ length: RACE_WORKERS }, (_, i) =>
      startEngine({ ...env, ENGINE_WORKER: `racer${i}` }),
    );
    const committedBy = new Set<number>();
    let pagesCommitted = 0;
    let wake: () => void = () => {};
    const zombieWakes = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const drained = workers.map(async (worker, i) => {
      for await (const line of worker.lines) {
        if (!line.startsWith('page')) continue;
        committedBy.add(i);
        // The zombie wakes once the workers have taken its chunk over and moved on.
        if (++pagesCommitted === 6) wake();
      }
      return worker.exit;
    });
    const zombieCommit = (async () => {
      await Promise.race([zombieWakes, Promise.all(drained)]);
      try {
        await zombieStore.commitPage({
          chunkId: lease.chunkId,
          fencingToken: lease.fencingToken,
          runId: null,
          expectedCursor: lease.cursor,
          nextCursor: step.next as unknown as Record<string, unknown>,
          prs: step.prs.map((pr) => ({ ...pr, title: `zombie wrote this: ${pr.title}` })),
          pointsSpent: page.rateLimit.cost,
          skippedNodes: 0,
          githubTotalCount: page.totalCount,
          done: false,
          leaseSeconds: 60,
        });
        return 'accepted';
      } catch (error) {
        if (error instanceof StoreError) return error.code;
        if (error instanceof GitHubError) return `github ${error.kind}`;
        throw error;
      }
    })();
    const workerExits = await Promise.all(drained);
    return {
      trial: input.trial,
      zombieCommit: await zombieCommit,
      leasesRecovered: recovered.requeued,
      workerExits,
      workersThatCommitted: committedBy.size,
      ...(await diffAgainstGroundTruth(db, sim, repo.owner, repo.name)),
    };
  } finally {
    await zombieStore.close();
    await db.drop();
    await sim.stop();
  }
}
