/**
 * SIGKILL at a random moment of a run, then a plain rerun: the database must end exactly equal to GitHub, every
 * time. Leases of the killed process are expired by back-dating them (what the passage of time would do).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { startSimulator } from '../../src/simulator/server.ts';
import { createTestDatabase } from '../support/database.ts';
import { readStored, TOKEN, truth } from '../support/engine-environment.ts';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 20);
const REPO = {
  owner: 'crash',
  name: 'repo',
  pullRequests: 3_000,
  changes: { everyPages: 4, transitions: 2, growth: 1, maxEvents: 3 },
};

export function startEngine(env: Record<string, string>): {
  child: ChildProcess;
  lines: AsyncIterable<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-process.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(stderr);
      resolve(code);
    }),
  );
  return { child, lines: createInterface({ input: child.stdout! }), exit };
}

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('a run killed at a random moment', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  test(`${TRIALS} trials: killed with SIGKILL, run again, the database equals GitHub exactly`, async () => {
    const random = seeded(20261122);
    const results: {
      trial: number;
      killedAfterPages: number;
      lost: number;
      duplicated: number;
      differing: number;
    }[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const sim = await startSimulator({
        dataset: { seed: trial + 1, repositories: [REPO] },
        tokens: { [TOKEN]: {} },
        latencyMs: 2,
      });
      const db = await createTestDatabase();
      cleanups.push(async () => {
        await db.drop();
        await sim.stop();
      });
      const env = {
        ENGINE_DATABASE_URL: db.url,
        ENGINE_API_URL: sim.url,
        ENGINE_TOKEN: TOKEN,
        ENGINE_REPOSITORY: `${REPO.owner}/${REPO.name}`,
        ENGINE_PAGES_PER_CHUNK: '3',
        ENGINE_CHUNK_SIZE: '50',
      };
      // Kill after a random number of committed pages (0 = during start-up), at a random point of the next one.
      const killAfter = Math.floor(random() * 12);
      const first = startEngine(env);
      let pages = 0;
      if (killAfter === 0) first.child.kill('SIGKILL');
      else {
        for await (const line of first.lines) {
          if (line.startsWith('page') && ++pages >= killAfter) {
            setImmediate(() => first.child.kill('SIGKILL'));
            break;
          }
        }
      }
      await first.exit;
      await db.client.query(
        `update backfill_chunks set lease_expires_at = now() - interval '1 hour' where status = 'running'`,
      );
      const second = startEngine({ ...env, ENGINE_UNTIL_COMPLETE: '1' });
      for await (const _ of second.lines);
      expect(await second.exit).toBe(0);

      const stored = await readStored(db, REPO.owner, REPO.name);
      const expected = truth(sim, REPO.owner, REPO.name, 'core');
      const storedIds = new Set(stored.map((p) => p.github_id));
      const expectedById = new Map(expected.map((p) => [p.github_id, p]));
      const { rows } = await db.client.query(
        `select count(*)::int as rows, count(distinct github_id)::int as ids,
                (select stored_pr_count from repositories limit 1) as counter from pull_requests`,
      );
      results.push({
        trial,
        killedAfterPages: killAfter,
        lost: expected.filter((p) => !storedIds.has(p.github_id)).length,
        duplicated: rows[0].rows - rows[0].ids + Math.abs(rows[0].counter - rows[0].rows),
        differing: stored.filter((p) => !isDeepStrictEqual(p, expectedById.get(p.github_id))).length,
      });
    }
    const failures = results.filter((r) => r.lost + r.duplicated + r.differing > 0);
    expect(failures).toEqual([]);
    expect(results).toHaveLength(TRIALS);
  }, 600_000);
});
