import { describe, expect, test } from 'vitest';
import {
  chunkOf,
  commitPage,
  countPullRequests,
  expectSqlState,
  expectStaleLease,
  leasedRepository,
  nextIdBase,
  pullRequests,
  rpc,
  staleToken,
  stateOf,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

describe('applying a page', () => {
  test('writes the PRs, advances the cursor and counts inserts apart from updates', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const base = nextIdBase();
    const first = await commitPage(ctx.client, {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      expectedCursor: null,
      nextCursor: { after: 'A' },
      prs: pullRequests(1, 3, base),
      pointsSpent: 2,
      githubTotalCount: 5,
    });
    expect(first).toMatchObject({ applied: true, inserted: 3, updated: 0, storedPrCount: 3 });

    const second = await commitPage(ctx.client, {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      expectedCursor: { after: 'A' },
      nextCursor: { after: 'B' },
      prs: pullRequests(3, 3, base), // #3 again, #4 and #5 new
      pointsSpent: 3,
    });
    expect(second).toMatchObject({ applied: true, inserted: 2, updated: 1, storedPrCount: 5 });

    const state = await stateOf(ctx.client, repository.id);
    expect(state.cursor).toEqual({ after: 'B' });
    expect(Number(state.points_spent)).toBe(5);
    expect(Number(state.prs_written)).toBe(6);
    const chunk = await chunkOf(ctx.client, lease.chunkId);
    expect(chunk).toMatchObject({
      pages_committed: 2,
      prs_written: 6,
      points_spent: 5,
      end_cursor: { after: 'B' },
    });
    const repo = await ctx.client.query(
      'select pr_total_count, stored_pr_count from progressive_backfill.repositories where id = $1',
      [repository.id],
    );
    expect(repo.rows[0]).toEqual({ pr_total_count: 5, stored_pr_count: 5 });
  });

  test('extends the lease and resets the consecutive error count', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    await ctx.client.query(
      'update progressive_backfill.backfill_state set consecutive_errors = 3 where repository_id = $1',
      [repository.id],
    );
    const result = await commitPage(ctx.client, {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      nextCursor: { after: 'A' },
      leaseSeconds: 600,
    });
    expect(new Date(result.leaseExpiresAt).getTime()).toBeGreaterThan(
      new Date(lease.leaseExpiresAt).getTime(),
    );
    expect((await stateOf(ctx.client, repository.id)).consecutive_errors).toBe(0);
  });

  test('stored_pr_count always equals the number of stored rows', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const base = nextIdBase();
    let cursor: unknown = null;
    for (const [first, count] of [
      [1, 40],
      [30, 40],
      [1, 100],
      [95, 10],
    ] as const) {
      const next = { after: `${first}-${count}` };
      await commitPage(ctx.client, {
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        expectedCursor: cursor,
        nextCursor: next,
        prs: pullRequests(first, count, base),
      });
      cursor = next;
      const stored = await rpc<{ storedPrCount: number }>(ctx.client, 'backfill_get_repository', {
        p_repository_id: repository.id,
      });
      expect(stored.storedPrCount).toBe(await countPullRequests(ctx.client, repository.id));
    }
    expect(await countPullRequests(ctx.client, repository.id)).toBe(104);
  });

  test('the last page completes the chunk and the backfill in the same transaction', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const before = await stateOf(ctx.client, repository.id);
    await commitPage(ctx.client, {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      nextCursor: { after: 'end' },
      prs: pullRequests(1, 2, nextIdBase()),
      done: true,
    });
    const chunk = await chunkOf(ctx.client, lease.chunkId);
    expect(chunk.status).toBe('completed');
    expect(chunk.finished_at).not.toBeNull();
    expect(chunk.lease_owner).toBeNull();
    const state = await stateOf(ctx.client, repository.id);
    expect(state.status).toBe('completed');
    expect(state.completed_at).not.toBeNull();
    expect(state.watermark).toEqual(before.watermark);
    const open = await ctx.client.query(
      "select 1 from progressive_backfill.backfill_chunks where repository_id = $1 and status in ('pending', 'running')",
      [repository.id],
    );
    expect(open.rowCount).toBe(0);
  });

  test('no rows at all (SQL NULL, not an empty array) is refused with PB004 and moves nothing', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const error = await ctx.client
      .query(
        `select progressive_backfill.backfill_commit_page(p_chunk_id => $1, p_fencing_token => $2,
           p_expected_cursor => null, p_next_cursor => '{"after": "A"}', p_prs => null, p_points_spent => 0,
           p_skipped_nodes => 0, p_github_total_count => null, p_done => false, p_lease_seconds => 60)`,
        [lease.chunkId, lease.fencingToken],
      )
      .catch((caught: { code?: string; message: string }) => caught);
    expect(error).toMatchObject({
      code: 'PB004',
      message: expect.stringMatching(/pull requests must be given/),
    });
    expect((await stateOf(ctx.client, repository.id)).cursor).toBeNull();
  });

  test('a JSON null cursor counts as no cursor, like SQL NULL', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const { rows } = await ctx.client.query(
      `select progressive_backfill.backfill_commit_page(p_chunk_id => $1, p_fencing_token => $2, p_expected_cursor => 'null'::jsonb,
         p_next_cursor => '{"after": "A"}', p_prs => '{}', p_points_spent => 0, p_skipped_nodes => 0,
         p_github_total_count => null, p_done => false, p_lease_seconds => 60) as result`,
      [lease.chunkId, lease.fencingToken],
    );
    expect(rows[0].result.applied).toBe(true);
    expect((await stateOf(ctx.client, repository.id)).cursor).toEqual({ after: 'A' });
  });

  test('a page of 100 PRs commits in a few milliseconds', async () => {
    const { lease } = await leasedRepository(ctx.client);
    const base = nextIdBase();
    const timings: number[] = [];
    let cursor: unknown = null;
    for (let page = 0; page < 10; page += 1) {
      const next = { page };
      const started = performance.now();
      await commitPage(ctx.client, {
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        expectedCursor: cursor,
        nextCursor: next,
        prs: pullRequests(page * 100 + 1, 100, base),
      });
      timings.push(performance.now() - started);
      cursor = next;
    }
    const median = timings.sort((a, b) => a - b)[5]!;
    console.info(`commit_page, 100 PRs: median ${median.toFixed(1)} ms`);
    expect(median).toBeLessThan(100);
  });
});

describe('refusing a page', () => {
  test('a replayed commit returns applied=false and changes nothing', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const page = {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      expectedCursor: null,
      nextCursor: { after: 'A' },
      prs: pullRequests(1, 4, nextIdBase()),
      pointsSpent: 7,
    };
    await commitPage(ctx.client, page);
    const stateBefore = await stateOf(ctx.client, repository.id);
    const chunkBefore = await chunkOf(ctx.client, lease.chunkId);
    const capturedBefore = await ctx.client.query(
      'select max(captured_at) as t from progressive_backfill.pull_requests where repository_id = $1',
      [repository.id],
    );

    const replay = await commitPage(ctx.client, page);
    expect(replay).toMatchObject({ applied: false, inserted: 0, updated: 0, storedPrCount: 4 });
    expect(await stateOf(ctx.client, repository.id)).toEqual(stateBefore);
    expect(await chunkOf(ctx.client, lease.chunkId)).toEqual(chunkBefore);
    const capturedAfter = await ctx.client.query(
      'select max(captured_at) as t from progressive_backfill.pull_requests where repository_id = $1',
      [repository.id],
    );
    expect(capturedAfter.rows[0].t).toEqual(capturedBefore.rows[0].t);
  });

  test('a replayed final commit is recognised after the chunk completed', async () => {
    const { repository, lease } = await leasedRepository(ctx.client);
    const page = {
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      nextCursor: { after: 'end' },
      prs: pullRequests(1, 2, nextIdBase()),
      done: true,
    };
    await commitPage(ctx.client, page);
    const replay = await commitPage(ctx.client, page);
    expect(replay).toMatchObject({ applied: false, inserted: 0, updated: 0, storedPrCount: 2 });
    expect((await stateOf(ctx.client, repository.id)).status).toBe('completed');
  });

  test('a cursor other than the stored one is a conflict (PB002)', async () => {
    const { lease } = await leasedRepository(ctx.client);
    await expectSqlState(
      commitPage(ctx.client, {
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        expectedCursor: { after: 'somewhere else' },
        nextCursor: { after: 'B' },
      }),
      'PB002',
    );
  });

  test('a token that is not the chunk’s current one is stale (PB001)', async () => {
    const { lease } = await leasedRepository(ctx.client);
    await expectStaleLease(ctx.client, { ...lease, fencingToken: staleToken(lease) });
  });

  test.each([
    ['negative points', { pointsSpent: -1 }],
    ['negative skipped nodes', { skippedNodes: -1 }],
    ['negative total count', { githubTotalCount: -5 }],
    ['prs that are not an array', { prs: { github_id: '1' } }],
    ['a PR that is not an object', { prs: [42] }],
    ['a PR without required keys', { prs: [{ github_id: '1', title: 'no number' }] }],
    ['a PR with an unknown state', { prs: [{ ...pullRequests(1, 1)[0], state: 'DRAFTED' }] }],
    ['a PR with a malformed timestamp', { prs: [{ ...pullRequests(1, 1)[0], updated_at: 'yesterday-ish' }] }],
  ])('%s is invalid input (PB004) and writes nothing', async (_label, bad) => {
    const { repository, lease } = await leasedRepository(ctx.client);
    await expectSqlState(
      commitPage(ctx.client, {
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        nextCursor: { after: 'A' },
        ...bad,
      }),
      'PB004',
    );
    expect((await stateOf(ctx.client, repository.id)).cursor).toBeNull();
    expect(await countPullRequests(ctx.client, repository.id)).toBe(0);
  });
});
