import { expect, test } from 'vitest';
import {
  chunkOf,
  claim,
  commitPage,
  expectInvalidTransition,
  expectSqlState,
  expectStaleLease,
  leasedRepository,
  rpc,
  staleToken,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const complete = (chunkId: number, fencingToken: string) =>
  rpc<{ nextChunkId: number | null }>(ctx.client, 'backfill_complete_chunk', {
    p_chunk_id: chunkId,
    p_fencing_token: fencingToken,
  });

test('completing a chunk queues the next one at the backfill’s cursor', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  await commitPage(ctx.client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { page: 3 },
  });
  const { nextChunkId } = await complete(lease.chunkId, lease.fencingToken);

  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({ status: 'completed', lease_owner: null });
  expect(await chunkOf(ctx.client, nextChunkId!)).toMatchObject({
    status: 'pending',
    chunk_number: 2,
    start_cursor: { page: 3 },
  });
  const next = await claim(ctx.client, { repositoryId: repository.id });
  expect(next).toMatchObject({ chunkId: nextChunkId, chunkNumber: 2, cursor: { page: 3 } });
});

test('completing twice is an invalid transition (PB003)', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await complete(lease.chunkId, lease.fencingToken);
  await expectInvalidTransition(complete(lease.chunkId, lease.fencingToken));
});

test('completing with a stale token is refused (PB001)', async () => {
  const { lease } = await leasedRepository(ctx.client);
  await expectStaleLease(ctx.client, { ...lease, fencingToken: staleToken(lease) });
  await expectSqlState(complete(99_999_999, lease.fencingToken), 'PB004');
});

test('no next chunk once the backfill is no longer active', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  // the lease survives a direct state change (e.g. an operator failing the backfill from SQL)
  await ctx.client.query(
    "update progressive_backfill.backfill_state set status = 'failed' where repository_id = $1",
    [repository.id],
  );
  expect(await complete(lease.chunkId, lease.fencingToken)).toEqual({ nextChunkId: null });
});
