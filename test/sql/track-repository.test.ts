import { expect, test } from 'vitest';
import type { RepositoryRow } from '../../src/store/types.ts';
import { expectSqlState, rpc, stateOf, trackRepository, uniqueName, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

test('tracking creates the repository with an idle backfill and returns its row', async () => {
  const name = uniqueName();
  const row = await trackRepository(ctx.client, {
    owner: 'Octo-Org',
    name,
    prTotalCount: 250,
    githubId: '9007199254740993',
  });
  expect(row).toMatchObject({
    githubId: '9007199254740993',
    nodeId: null,
    owner: 'Octo-Org',
    name,
    fullName: `Octo-Org/${name}`,
    prTotalCount: 250,
    storedPrCount: 0,
    tracked: true,
    priority: 0,
    backfillStatus: 'idle',
  });
  expect(row.prTotalCountAt).not.toBeNull();
  expect((await stateOf(ctx.client, row.id)).status).toBe('idle');
});

test('tracking again is case-insensitive and only overwrites what is given', async () => {
  const name = uniqueName();
  const first = await trackRepository(ctx.client, { owner: 'octo', name, prTotalCount: 10, priority: 3 });
  await ctx.client.query('update progressive_backfill.repositories set tracked = false where id = $1', [
    first.id,
  ]);
  const again = await rpc<RepositoryRow>(ctx.client, 'backfill_track_repository', {
    p_owner: 'OCTO',
    p_name: name.toUpperCase(),
    p_node_id: 'R_kgDO',
  });
  expect(again).toMatchObject({
    id: first.id,
    prTotalCount: 10,
    priority: 3,
    nodeId: 'R_kgDO',
    tracked: true,
  });
  const count = await ctx.client.query(
    'select count(*)::int as n from progressive_backfill.repositories where lower(full_name) = lower($1)',
    [`octo/${name}`],
  );
  expect(count.rows[0].n).toBe(1);
});

test('a known GitHub id under a new name is the same repository, renamed', async () => {
  const before = await trackRepository(ctx.client, { name: uniqueName('old'), githubId: '777001' });
  const newName = uniqueName('new');
  const after = await trackRepository(ctx.client, { name: newName, githubId: '777001' });
  expect(after.id).toBe(before.id);
  expect(after.name).toBe(newName);
});

test.each([
  ['-leading-dash', 'repo'],
  ['a'.repeat(40), 'repo'],
  ['octo', '.'],
  ['octo', '..'],
  ['octo', 'has space'],
  ['octo', 'x'.repeat(101)],
  ['octo/evil', 'repo'],
])('owner %j / name %j is invalid input (PB004)', async (owner, name) => {
  await expectSqlState(trackRepository(ctx.client, { owner, name }), 'PB004');
});

test('get_repository finds by id or by name (any case) and returns null when missing', async () => {
  const row = await trackRepository(ctx.client, { owner: 'Mixed', name: uniqueName('Case') });
  expect(await rpc(ctx.client, 'backfill_get_repository', { p_repository_id: row.id })).toEqual(row);
  expect(
    await rpc(ctx.client, 'backfill_get_repository', { p_owner: 'mixed', p_name: row.name.toLowerCase() }),
  ).toEqual(row);
  expect(await rpc(ctx.client, 'backfill_get_repository', { p_repository_id: 99_999_999 })).toBeNull();
  await expectSqlState(rpc(ctx.client, 'backfill_get_repository', {}), 'PB004');
});

test('update_repository_counts stores the total and refuses a negative one (PB004)', async () => {
  const row = await trackRepository(ctx.client);
  await rpc(ctx.client, 'backfill_update_repository_counts', {
    p_repository_id: row.id,
    p_pr_total_count: 1234,
  });
  const updated = await rpc<RepositoryRow>(ctx.client, 'backfill_get_repository', {
    p_repository_id: row.id,
  });
  expect(updated.prTotalCount).toBe(1234);
  await expectSqlState(
    rpc(ctx.client, 'backfill_update_repository_counts', { p_repository_id: row.id, p_pr_total_count: -1 }),
    'PB004',
  );
});
