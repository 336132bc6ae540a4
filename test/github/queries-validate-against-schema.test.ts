import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FOLLOW_UP_KINDS } from '../../src/domain/children.ts';
import { FIELD_PROFILES } from '../../src/domain/pull-request.ts';
import type { BackfillScope } from '../../src/domain/scope.ts';
import { parseWalkCursor, walkRequest } from '../../src/engine/walk.ts';
import { FOLLOW_UP_REQUESTS, followUpQuery } from '../../src/github/children-queries.ts';
import {
  LOOKUP_BATCH_SIZE,
  MAX_NUMBERS_PER_REQUEST,
  OWNER_REPOSITORIES_QUERY,
  pageRequestQuery,
  pullRequestNumbersDocument,
  pullRequestWindowsDocument,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  type WindowShape,
} from '../../src/github/queries.ts';
import { githubSchema } from '../../src/simulator/schema.ts';

const forward: WindowShape = { key: 'forward', direction: 'forward', order: 'CREATED_AT_ASC' };
const backward: WindowShape = { key: 'backward', direction: 'backward', order: 'CREATED_AT_ASC' };
const updated: WindowShape = { key: 'updated', direction: 'forward', order: 'UPDATED_AT_DESC' };
const partitioned = (['OPEN', 'CLOSED', 'MERGED'] as const).flatMap((state): WindowShape[] => [
  { ...forward, key: `${state.toLowerCase()}Forward`, states: [state] },
  { ...backward, key: `${state.toLowerCase()}Backward`, states: [state] },
]);
const WINDOW_SHAPES: [string, WindowShape[], boolean][] = [
  ['forward', [forward], false],
  ['backward', [backward], false],
  ['forward and backward', [forward, backward], false],
  ...[1, 2, 3, 4, 5, 6].map((n): [string, WindowShape[], boolean] => [
    `${n} state-partition window(s) and the total count`,
    partitioned.slice(0, n),
    true,
  ]),
];

/** Each kind of scope, and the walk's first request under it (what the scope adds: baseRefName, the counts). */
const SCOPES: BackfillScope[] = [
  { base: 'main' },
  { states: ['MERGED'] },
  { states: ['OPEN', 'CLOSED'], base: 'release/2.x' },
  { since: '2024-01-31T00:00:00Z' },
  { since: '2024-01-31T00:00:00Z', states: ['OPEN', 'MERGED'], base: 'main' },
];
const scopedPage = (scope: BackfillScope, windows: number) =>
  pageRequestQuery(
    walkRequest(parseWalkCursor(null, scope), { owner: 'o', name: 'n' }, 'core', 100, windows, scope),
  );

/** Every document the product can send, named for the failure report. */
const everyQuery: [string, string][] = [
  ...FIELD_PROFILES.flatMap((profile) =>
    WINDOW_SHAPES.map(([name, shapes, totalCount]): [string, string] => [
      `page ${profile} ${name}`,
      pullRequestWindowsDocument(profile, shapes, { totalCount }),
    ]),
  ),
  ...FIELD_PROFILES.map((profile): [string, string] => [
    `incremental ${profile}`,
    pullRequestWindowsDocument(profile, [updated]),
  ]),
  ...SCOPES.flatMap((scope) =>
    [1, 6].map((windows): [string, string] => [
      `page scoped to ${JSON.stringify(scope)}, ${windows} window(s)`,
      scopedPage(scope, windows).query,
    ]),
  ),
  ...FIELD_PROFILES.flatMap((profile) =>
    [1, 250, MAX_NUMBERS_PER_REQUEST].map((count): [string, string] => [
      `number walk ${profile}, ${count} lookup(s)`,
      pullRequestNumbersDocument(profile, count),
    ]),
  ),
  ['lookup of 1 repository', repositoryLookupQuery(1)],
  ['lookup of 7 repositories', repositoryLookupQuery(7)],
  [`lookup of ${LOOKUP_BATCH_SIZE} repositories`, repositoryLookupQuery(LOOKUP_BATCH_SIZE)],
  ['owner listing', OWNER_REPOSITORIES_QUERY],
  ...FOLLOW_UP_KINDS.map((kind): [string, string] => [`follow-up ${kind}`, followUpQuery([kind])]),
  ['follow-up of every kind at once', followUpQuery([...FOLLOW_UP_KINDS, ...FOLLOW_UP_KINDS])],
  [
    `follow-up of ${FOLLOW_UP_REQUESTS} connections`,
    followUpQuery(Array.from({ length: FOLLOW_UP_REQUESTS }, (_, k) => FOLLOW_UP_KINDS[k % 4] ?? 'labels')),
  ],
  ['rate limit', RATE_LIMIT_QUERY],
];

describe('every query the product sends', () => {
  it.each(everyQuery)('%s validates against GitHub’s schema', (_name, query) => {
    const errors = validate(githubSchema(), parse(query)).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it('the validator does catch a field GitHub does not have', () => {
    const broken = pullRequestWindowsDocument('core', [forward]).replace('isDraft', 'isDrafty');
    expect(
      validate(githubSchema(), parse(broken))
        .map((error) => error.message)
        .join(),
    ).toMatch(/isDrafty/);
  });

  it('a scoped page narrows every connection to the base and counts the scope', () => {
    const { query, variables } = scopedPage(
      { since: '2024-01-31T00:00:00Z', states: ['OPEN', 'MERGED'], base: 'main' },
      6,
    );
    // two partitions walked newest-first only; each connection, and no other, is narrowed to the base
    expect(query.match(/pullRequests\(/g)).toHaveLength(2);
    expect(query.match(/baseRefName: \$baseRefName/g)).toHaveLength(2);
    expect(variables).toMatchObject({
      baseRefName: 'main',
      total0Query: 'repo:o/n is:pr created:>=2024-01-31T00:00:00Z base:"main" is:open',
      total1Query: 'repo:o/n is:pr created:>=2024-01-31T00:00:00Z base:"main" is:merged',
    });
    const counted = scopedPage({ states: ['CLOSED'], base: 'main' }, 6).query;
    expect(counted).toContain(
      'total: pullRequests(states: [CLOSED], baseRefName: $baseRefName) { totalCount }',
    );
  });

  it('a page without any window is refused before it is built', () => {
    expect(() => pullRequestWindowsDocument('core', [])).toThrow(RangeError);
  });
});
