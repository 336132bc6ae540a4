/**
 * pr_in_scope (SQL, for webhook deliveries) and inScope (TypeScript, for the refresh) are one rule written twice:
 * every scope against every kind of pull request gives the same answer in both.
 */
import { expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import { type BackfillScope, inScope } from '../../src/domain/scope.ts';
import { jsonb, pullRequest, rpc, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

const scopes: BackfillScope[] = [
  {},
  { states: ['OPEN'] },
  { states: ['CLOSED', 'MERGED'] },
  { base: 'main' },
  { base: 'release/2.x' },
  { since: '2024-01-15T00:00:00Z' },
  { since: '2024-01-15T10:00:00Z', states: ['MERGED'], base: 'main' },
];

const prs: PullRequestRecord[] = [];
for (const state of ['OPEN', 'CLOSED', 'MERGED'] as const)
  for (const base_ref of ['main', 'release/2.x', 'develop'])
    for (const created_at of [
      '2024-01-14T23:59:59Z',
      '2024-01-15T10:00:00.000Z',
      '2024-01-20T00:00:00+02:00',
    ])
      prs.push(pullRequest(1, { state, base_ref, created_at }));

test('the SQL rule and the TypeScript rule agree on every scope and pull request', async () => {
  const { rows } = await ctx.client.query<{ scope: number; pr: number; inside: boolean }>(
    `select s.ordinality - 1 as scope, p.ordinality - 1 as pr, progressive_backfill.pr_in_scope(s.value, p.value) as inside
       from jsonb_array_elements($1::jsonb) with ordinality s, jsonb_array_elements($2::jsonb) with ordinality p`,
    [JSON.stringify(scopes), JSON.stringify(prs)],
  );
  expect(rows).toHaveLength(scopes.length * prs.length);
  const disagreements = rows.filter((row) => row.inside !== inScope(prs[row.pr]!, scopes[row.scope]!));
  expect(disagreements).toEqual([]);
  expect(rows.some((row) => row.inside)).toBe(true);
  expect(rows.some((row) => !row.inside)).toBe(true);
});

test('a repository without a backfill keeps everything', async () => {
  expect(await rpc(ctx.client, 'pr_in_scope', { p_scope: null, p_pr: jsonb(pullRequest(1)) })).toBe(true);
});
