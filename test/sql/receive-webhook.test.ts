/**
 * backfill_receive_webhook: each delivery once and whole, and no stale view of a repository undoes a newer rename.
 */
import { expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import type { RepositoryRow, WebhookReceipt } from '../../src/store/types.ts';
import {
  expectSqlState,
  jsonb,
  nextIdBase,
  pullRequest,
  rpc,
  trackRepository,
  uniqueName,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();

let githubIds = 7_000_000;

interface Delivery {
  id?: string;
  owner?: string;
  name: string;
  githubId: string;
  observedAt: string;
  prs?: unknown;
}

function receive(delivery: Delivery): Promise<WebhookReceipt> {
  return rpc<WebhookReceipt>(ctx.client, 'backfill_receive_webhook', {
    p_delivery_id: delivery.id ?? crypto.randomUUID(),
    p_event: 'pull_request',
    p_owner: delivery.owner ?? 'octo',
    p_name: delivery.name,
    p_github_id: delivery.githubId,
    p_node_id: null,
    p_observed_at: delivery.observedAt,
    p_prs: jsonb(delivery.prs ?? []),
  });
}

async function repositoryById(githubId: string) {
  const { rows } = await ctx.client.query<{ owner: string; name: string; stored_pr_count: number }>(
    'select owner, name, stored_pr_count from progressive_backfill.repositories where github_id = $1',
    [githubId],
  );
  return rows;
}

function aRepository() {
  githubIds += 1;
  return { name: uniqueName('hook'), githubId: String(githubIds), idBase: nextIdBase() };
}

test('a delivery is applied once: its redelivery is reported as a duplicate and changes nothing', async () => {
  const repo = aRepository();
  const pr = { ...pullRequest(1), github_id: String(repo.idBase + 1) };
  const id = crypto.randomUUID();
  const first = await receive({ id, ...repo, observedAt: '2024-05-01T00:00:00Z', prs: [pr] });
  expect(first).toMatchObject({ duplicate: false, nameApplied: true, inserted: 1, updated: 0 });
  expect(first.repository).toMatchObject({ name: repo.name, githubId: repo.githubId, storedPrCount: 1 });

  const again = await receive({
    id,
    ...repo,
    observedAt: '2024-06-01T00:00:00Z',
    prs: [{ ...pr, title: 'changed', updated_at: '2024-06-01T00:00:00.000Z' }],
  });
  expect(again).toEqual({ duplicate: true, repository: null, nameApplied: false, inserted: 0, updated: 0 });
  const { rows } = await ctx.client.query(
    'select title from progressive_backfill.pull_requests where github_id = $1',
    [pr.github_id],
  );
  expect(rows).toEqual([{ title: pr.title }]);
});

test('an old delivery arriving after a newer rename keeps the new name, and its pull requests still land', async () => {
  const repo = aRepository();
  const renamed = `${repo.name}-renamed`;
  await receive({ ...repo, name: renamed, observedAt: '2024-05-02T00:00:00Z' });
  const late = await receive({
    ...repo,
    observedAt: '2024-05-01T00:00:00Z',
    prs: [{ ...pullRequest(2), github_id: String(repo.idBase + 2) }],
  });
  expect(late).toMatchObject({ duplicate: false, nameApplied: false, inserted: 1 });
  expect(late.repository?.name).toBe(renamed);
  expect(await repositoryById(repo.githubId)).toEqual([{ owner: 'octo', name: renamed, stored_pr_count: 1 }]);
});

test('a newer rename is applied, whatever order the deliveries were sent in', async () => {
  const repo = aRepository();
  await receive({ ...repo, observedAt: '2024-05-01T00:00:00Z' });
  const renamed = await receive({
    ...repo,
    owner: 'new-owner',
    name: `${repo.name}-2`,
    observedAt: '2024-05-03T00:00:00Z',
  });
  expect(renamed).toMatchObject({ nameApplied: true });
  expect(renamed.repository).toMatchObject({ owner: 'new-owner', name: `${repo.name}-2` });
  expect(await repositoryById(repo.githubId)).toHaveLength(1);
});

test('a lookup on GitHub is the newest view: a delivery written before it cannot rename the repository back', async () => {
  const repo = aRepository();
  await trackRepository(ctx.client, { name: repo.name, githubId: repo.githubId });
  const stale = await receive({ ...repo, name: `${repo.name}-old`, observedAt: '2024-01-01T00:00:00Z' });
  expect(stale.nameApplied).toBe(false);
  expect(await repositoryById(repo.githubId)).toMatchObject([{ name: repo.name }]);
});

test('owners of Enterprise Managed Users (`handle_shortcode`) are accepted', async () => {
  const tracked = await trackRepository(ctx.client, { owner: 'octo_corp', name: uniqueName('emu') });
  expect(tracked.fullName).toMatch(/^octo_corp\//);
  const repo = aRepository();
  const received = await receive({ ...repo, owner: 'mona_emu', observedAt: '2024-05-01T00:00:00Z' });
  expect(received.repository?.owner).toBe('mona_emu');
  await expectSqlState(trackRepository(ctx.client, { owner: '_octo', name: uniqueName() }), 'PB004');
});

test('a delivery that fails records nothing, so its redelivery is applied', async () => {
  const repo = aRepository();
  const id = crypto.randomUUID();
  const broken = { ...pullRequest(3), github_id: String(repo.idBase + 3), created_at: 'not a time' };
  await expectSqlState(receive({ id, ...repo, observedAt: '2024-05-01T00:00:00Z', prs: [broken] }), 'PB004');
  expect(await repositoryById(repo.githubId)).toEqual([]);
  const fixed = await receive({
    id,
    ...repo,
    observedAt: '2024-05-01T00:00:00Z',
    prs: [{ ...broken, created_at: '2024-01-03T10:00:00.000Z' }],
  });
  expect(fixed).toMatchObject({ duplicate: false, inserted: 1 });
});

test('a malformed delivery id, event or observation time is refused with PB004', async () => {
  const repo = aRepository();
  await expectSqlState(receive({ id: 'not a guid!', ...repo, observedAt: '2024-05-01T00:00:00Z' }), 'PB004');
  await expectSqlState(
    rpc(ctx.client, 'backfill_receive_webhook', {
      p_delivery_id: crypto.randomUUID(),
      p_event: 'Pull Request',
      p_owner: 'octo',
      p_name: repo.name,
      p_github_id: repo.githubId,
      p_node_id: null,
      p_observed_at: '2024-05-01T00:00:00Z',
      p_prs: jsonb([]),
    }),
    'PB004',
  );
  await expectSqlState(receive({ ...repo, observedAt: null as unknown as string }), 'PB004');
});

test('delivery ids older than a week are forgotten', async () => {
  const repo = aRepository();
  const old = crypto.randomUUID();
  await receive({ id: old, ...repo, observedAt: '2024-05-01T00:00:00Z' });
  await ctx.client.query(
    "update progressive_backfill.webhook_deliveries set received_at = now() - interval '8 days' where delivery_id = $1",
    [old],
  );
  await receive({ ...repo, observedAt: '2024-05-02T00:00:00Z' });
  const { rows } = await ctx.client.query(
    'select 1 from progressive_backfill.webhook_deliveries where delivery_id = $1',
    [old],
  );
  expect(rows).toEqual([]);
});

test('tracking returns the repository row it always did', async () => {
  const row: RepositoryRow = await trackRepository(ctx.client, { name: uniqueName(), prTotalCount: 5 });
  expect(row).toMatchObject({ prTotalCount: 5, tracked: true, backfillStatus: 'idle' });
});

test('a scoped backfill keeps its scope: a delivery outside it stores nothing, and one that left it is deleted', async () => {
  const repo = aRepository();
  const pr = (number: number, overrides: Partial<PullRequestRecord> = {}) => ({
    ...pullRequest(number),
    github_id: String(repo.idBase + number),
    state: 'OPEN' as const,
    closed_at: null,
    merged_at: null,
    ...overrides,
  });
  const observedAt = '2024-05-01T00:00:00Z';
  const first = await receive({ ...repo, observedAt, prs: [pr(1), pr(2), pr(3)] });
  const repositoryId = first.repository!.id;
  await rpc(ctx.client, 'backfill_start_backfill', {
    p_repository_id: repositoryId,
    p_field_profile: 'core',
    p_scope: jsonb({ states: ['OPEN'], base: 'main' }),
  });
  const later = '2024-06-01T00:00:00.000Z';
  const merged = pr(1, { state: 'MERGED', merged_at: later, closed_at: later, updated_at: later });
  const retargeted = pr(2, { base_ref: 'develop', updated_at: later });
  const elsewhere = pr(4, { base_ref: 'develop' });
  const edited = pr(3, { title: 'still open into main', updated_at: later });
  const receipt = await receive({ ...repo, observedAt, prs: [merged, retargeted, elsewhere, edited] });
  expect(receipt).toMatchObject({ inserted: 0, updated: 1, removed: 2 });
  expect(receipt.repository).toMatchObject({ storedPrCount: 1 });
  const { rows } = await ctx.client.query(
    'select number, title from progressive_backfill.pull_requests where repository_id = $1',
    [repositoryId],
  );
  expect(rows).toEqual([{ number: 3, title: 'still open into main' }]);

  // an older view of a pull request that left the scope since does not delete its newer stored version
  const reopened = pr(3, { title: 'reopened', updated_at: '2024-07-01T00:00:00.000Z' });
  await receive({ ...repo, observedAt, prs: [reopened] });
  await receive({
    ...repo,
    observedAt,
    prs: [pr(3, { state: 'CLOSED', closed_at: later, updated_at: later })],
  });
  expect(
    (
      await ctx.client.query('select 1 from progressive_backfill.pull_requests where github_id = $1', [
        reopened.github_id,
      ])
    ).rows,
  ).toHaveLength(1);
});
