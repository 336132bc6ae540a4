import { expect, test } from 'vitest';
import {
  chunkOf,
  expectInvalidTransition,
  expectSqlState,
  expectStaleLease,
  leasedRepository,
  rpc,
  startedRepository,
  stateOf,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

const inAnHour = () => new Date(Date.now() + 3_600_000);
const pause = (repositoryId: number, reason: string, resumeAt: Date) =>
  rpc(ctx.client, 'backfill_pause', {
    p_repository_id: repositoryId,
    p_reason: reason,
    p_resume_at: resumeAt,
  });
const resume = (repositoryId: number) =>
  rpc(ctx.client, 'backfill_resume', { p_repository_id: repositoryId });

test('pausing a running backfill returns its chunk to pending, and the lease holder is stale', async () => {
  const { repository, lease } = await leasedRepository(ctx.client);
  const resumeAt = inAnHour();
  await pause(repository.id, 'secondary rate limit', resumeAt);

  const state = await stateOf(ctx.client, repository.id);
  expect(state).toMatchObject({ status: 'paused', pause_reason: 'secondary rate limit' });
  expect(state.resume_at.getTime()).toBe(resumeAt.getTime());
  expect(await chunkOf(ctx.client, lease.chunkId)).toMatchObject({ status: 'pending', lease_owner: null });
  await expectStaleLease(ctx.client, lease);
});

test('a paused backfill can be paused again with a new time', async () => {
  const repository = await startedRepository(ctx.client);
  await pause(repository.id, 'first', inAnHour());
  const later = new Date(Date.now() + 7_200_000);
  await pause(repository.id, 'second', later);
  expect((await stateOf(ctx.client, repository.id)).pause_reason).toBe('second');
});

test('a resume time in the past or an empty reason is invalid input (PB004)', async () => {
  const repository = await startedRepository(ctx.client);
  await expectSqlState(pause(repository.id, 'late', new Date(Date.now() - 1000)), 'PB004');
  await expectSqlState(pause(repository.id, '  ', inAnHour()), 'PB004');
  expect((await stateOf(ctx.client, repository.id)).status).toBe('active');
});

test('only active or paused backfills can be paused (PB003)', async () => {
  const idle = await trackRepository(ctx.client);
  await expectInvalidTransition(pause(idle.id, 'why', inAnHour()));
});

test('resuming makes the backfill active again and clears the pause', async () => {
  const repository = await startedRepository(ctx.client);
  await pause(repository.id, 'rate limit', inAnHour());
  await resume(repository.id);
  expect(await stateOf(ctx.client, repository.id)).toMatchObject({
    status: 'active',
    pause_reason: null,
    resume_at: null,
  });
});

test('resuming a backfill that is not paused is an invalid transition (PB003)', async () => {
  const active = await startedRepository(ctx.client);
  await expectInvalidTransition(resume(active.id));
  const idle = await trackRepository(ctx.client);
  await expectInvalidTransition(resume(idle.id));
  await expectSqlState(resume(99_999_999), 'PB004');
});
