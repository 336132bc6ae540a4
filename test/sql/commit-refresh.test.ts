import { expect, test } from 'vitest';
import {
  expectSqlState,
  jsonb,
  nextIdBase,
  pullRequests,
  rpc,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const refresh = (repositoryId: number, prs: unknown[], newWatermark: Date | null, pointsSpent = 1) =>
  rpc<{ inserted: number; updated: number }>(ctx.client, 'backfill_commit_refresh', {
    p_repository_id: repositoryId,
    p_prs: jsonb(prs),
    p_points_spent: pointsSpent,
    p_new_watermark: newWatermark,
  });

test('a refresh upserts, spends points, moves the watermark forward and records when it ran', async () => {
  const repository = await trackRepository(ctx.client);
  const base = nextIdBase();
  const watermark = new Date('2025-01-01T00:00:00Z');
  expect(await refresh(repository.id, pullRequests(1, 3, base), watermark, 4)).toEqual({
    inserted: 3,
    updated: 0,
  });
  expect(await refresh(repository.id, pullRequests(3, 2, base), null, 2)).toEqual({
    inserted: 1,
    updated: 1,
  });
  const state = await stateOf(ctx.client, repository.id);
  expect(state.watermark.toISOString()).toBe(watermark.toISOString());
  expect(Number(state.points_spent)).toBe(6);
  expect(state.refreshed_at).not.toBeNull();
});

test('the watermark never moves back', async () => {
  const repository = await trackRepository(ctx.client);
  await refresh(repository.id, [], new Date('2025-06-01T00:00:00Z'));
  await refresh(repository.id, [], new Date('2025-01-01T00:00:00Z'));
  expect((await stateOf(ctx.client, repository.id)).watermark.toISOString()).toBe('2025-06-01T00:00:00.000Z');
});

test('negative points or an unknown repository are invalid input (PB004)', async () => {
  const repository = await trackRepository(ctx.client);
  await expectSqlState(refresh(repository.id, [], null, -1), 'PB004');
  await expectSqlState(refresh(99_999_999, [], null), 'PB004');
});
