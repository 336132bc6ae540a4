import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runMain } from './cli-harness.ts';

describe('recover', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const store = createPostgresStore(db.url);
    try {
      const repo = await store.trackRepository({
        owner: 'acme',
        name: 'stuck',
        githubId: '1',
        nodeId: 'R_1',
        prTotalCount: 500,
      });
      await store.startBackfill(repo.id, 'core');
      await store.claimChunk({ workerId: 'vanished-worker', leaseSeconds: 60, repositoryId: repo.id });
    } finally {
      await store.close();
    }
    // the worker died long ago: its lease ran out ten minutes back
    await db.client.query(
      "update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '10 minutes' where status = 'running'",
    );
  });
  afterAll(() => db?.drop());

  test('requeues the chunk whose lease expired and prints the counts', async () => {
    const { code, stdout } = await runMain(['recover', '--database-url', db.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/requeued 1 chunk\(s\), marked 0 stalled/);
    const { rows } = await db.client.query(
      'select status, requeues from progressive_backfill.backfill_chunks',
    );
    expect(rows).toEqual([{ status: 'pending', requeues: 1 }]);

    const again = await runMain(['recover', '--json', '--database-url', db.url]);
    expect(JSON.parse(again.stdout)).toEqual({ requeued: 0, stalled: 0, runsInterrupted: 0 });
  });
});
