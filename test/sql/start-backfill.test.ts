import { expect, test } from 'vitest';
import {
  claim,
  commitPage,
  countPullRequests,
  expectSqlState,
  leasedRepository,
  nextIdBase,
  pullRequests,
  rpc,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

interface StateJson {
  status: string;
  cursor: unknown;
  openChunkId: number | null;
  fieldProfile: string;
  watermark: string | null;
}
const start = (repositoryId: number, fieldProfile = 'core') =>
  rpc<StateJson>(ctx.client, 'backfill_start_backfill', {
    p_repository_id: repositoryId,
    p_field_profile: fieldProfile,
  });

async function openChunks(repositoryId: number) {
  const { rows } = await ctx.client.query(
    "select id, chunk_number, start_cursor from progressive_backfill.backfill_chunks where repository_id = $1 and status in ('pending', 'running')",
    [repositoryId],
  );
  return rows;
}

test('starting an idle backfill makes it active with one pending chunk and a watermark', async () => {
  const repository = await trackRepository(ctx.client);
  const state = await start(repository.id, 'full');
  expect(state).toMatchObject({ status: 'active', cursor: null, fieldProfile: 'full' });
  expect(state.watermark).not.toBeNull();
  const chunks = await openChunks(repository.id);
  expect(chunks).toHaveLength(1);
  expect(Number(chunks[0].id)).toBe(state.openChunkId);
  expect(chunks[0].chunk_number).toBe(1);
});

test('starting again while active or paused changes nothing', async () => {
  const repository = await trackRepository(ctx.client);
  const first = await start(repository.id);
  expect(await start(repository.id)).toEqual(first);
  await rpc(ctx.client, 'backfill_pause', {
    p_repository_id: repository.id,
    p_reason: 'wait',
    p_resume_at: new Date(Date.now() + 60_000),
  });
  expect((await start(repository.id)).status).toBe('paused');
  expect(await openChunks(repository.id)).toHaveLength(1);
});

test('a failed backfill restarts where it stopped; a completed one starts over', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await commitPage(ctx.client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { page: 4 },
  });
  await rpc(ctx.client, 'backfill_fail_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_error: 'fatal',
    p_retryable: false,
  });
  const restarted = await start(repository.id);
  expect(restarted).toMatchObject({ status: 'active', cursor: { page: 4 } });
  const again = await claim(ctx.client, { repositoryId: repository.id });
  expect(again).toMatchObject({ chunkNumber: 2, cursor: { page: 4 } });

  await commitPage(ctx.client, {
    chunkId: again!.chunkId,
    fencingToken: again!.fencingToken,
    expectedCursor: { page: 4 },
    nextCursor: { page: 5 },
    done: true,
  });
  const before = await stateOf(ctx.client, repository.id);
  const fresh = await start(repository.id);
  expect(fresh).toMatchObject({ status: 'active', cursor: null });
  expect(new Date(fresh.watermark!).getTime()).toBeGreaterThanOrEqual(before.watermark.getTime());
  expect((await openChunks(repository.id))[0].chunk_number).toBe(3);
});

test('an unknown repository or field profile is invalid input (PB004)', async () => {
  await expectSqlState(start(99_999_999), 'PB004');
  const repository = await trackRepository(ctx.client);
  await expectSqlState(start(repository.id, 'everything'), 'PB004');
});

const startScoped = (repositoryId: number, scope: unknown) =>
  rpc<StateJson & { scope: unknown }>(ctx.client, 'backfill_start_backfill', {
    p_repository_id: repositoryId,
    p_field_profile: 'core',
    p_scope: JSON.stringify(scope),
  });

test('a backfill keeps its scope, and a run with another scope is refused until it is cancelled', async () => {
  const repository = await trackRepository(ctx.client, { owner: 'octo', name: 'scoped' });
  const scope = { since: '2024-01-01', states: ['MERGED'], base: 'main' };
  expect(await startScoped(repository.id, scope)).toMatchObject({ status: 'active', scope });
  expect((await startScoped(repository.id, scope)).scope).toEqual(scope);

  const refused = startScoped(repository.id, { states: ['OPEN'] });
  await expectSqlState(refused, 'PB003');
  await expect(refused).rejects.toThrow(
    /repository octo\/scoped is being backfilled with scope .*MERGED.*; run with the same scope, or `progressive-backfill cancel octo\/scoped` first/,
  );
  expect((await stateOf(ctx.client, repository.id)).scope).toEqual(scope);

  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: repository.id, p_reason: 'new scope' });
  const restarted = await startScoped(repository.id, { states: ['OPEN'] });
  expect(restarted).toMatchObject({ status: 'active', cursor: null, scope: { states: ['OPEN'] } });
  expect(await openChunks(repository.id)).toHaveLength(1);
});

test('a new scope removes the stored pull requests outside it, with their count; a wider one removes nothing', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  const prs = pullRequests(1, 9, nextIdBase()); // OPEN: 1, 4, 7; MERGED: 3, 6, 9; CLOSED: 2, 5, 8
  prs[0] = { ...prs[0], base_ref: 'release' } as (typeof prs)[number];
  await commitPage(ctx.client, { chunkId: lease.chunkId, fencingToken: lease.fencingToken, prs, done: true });
  const stored = async () => ({
    count: await countPullRequests(ctx.client, repository.id),
    counted: (
      await ctx.client.query('select stored_pr_count from progressive_backfill.repositories where id = $1', [
        repository.id,
      ])
    ).rows[0].stored_pr_count,
  });
  expect(await stored()).toEqual({ count: 9, counted: 9 });

  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: repository.id, p_reason: 'narrow' });
  await startScoped(repository.id, { states: ['OPEN'], base: 'main' });
  expect(await stored()).toEqual({ count: 2, counted: 2 });
  const { rows } = await ctx.client.query(
    'select number from progressive_backfill.pull_requests where repository_id = $1 order by number',
    [repository.id],
  );
  expect(rows.map((row) => row.number)).toEqual([4, 7]);

  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: repository.id, p_reason: 'widen' });
  await startScoped(repository.id, {});
  expect(await stored()).toEqual({ count: 2, counted: 2 });
});

test('a start that gives no scope carries the backfill on under its own; a new backfill gets the whole repository', async () => {
  const scoped = await trackRepository(ctx.client, { owner: 'octo', name: 'adopts' });
  const scope = { states: ['MERGED'], base: 'main' };
  const first = await startScoped(scoped.id, scope);
  await ctx.client.query(
    `update progressive_backfill.backfill_state set cursor = '{"v":2,"partitions":[]}'::jsonb where repository_id = $1`,
    [scoped.id],
  );
  const adopted = (await start(scoped.id)) as StateJson & { scope: unknown };
  expect(adopted).toMatchObject({ status: 'active', scope, openChunkId: first.openChunkId });
  expect(adopted.cursor).toEqual({ v: 2, partitions: [] });

  // stopped (cancelled) and carried on without a scope: from its cursor, in its scope
  await rpc(ctx.client, 'backfill_cancel', { p_repository_id: scoped.id, p_reason: 'operator' });
  const carried = (await start(scoped.id)) as StateJson & { scope: unknown };
  expect(carried).toMatchObject({ status: 'active', scope, cursor: { v: 2, partitions: [] } });

  const fresh = await trackRepository(ctx.client, { owner: 'octo', name: 'new' });
  expect(((await start(fresh.id)) as StateJson & { scope: unknown }).scope).toEqual({});
  expect((await stateOf(ctx.client, fresh.id)).scope).toEqual({});
});

test('a scope that is not a JSON object is invalid input (PB004)', async () => {
  const repository = await trackRepository(ctx.client);
  await expectSqlState(startScoped(repository.id, ['OPEN']), 'PB004');
});
