import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FOLLOW_UP_KINDS } from '../../src/domain/children.ts';
import { FIELD_PROFILES } from '../../src/domain/pull-request.ts';
import { FOLLOW_UP_REQUESTS, followUpQuery } from '../../src/github/children-queries.ts';
import {
  LOOKUP_BATCH_SIZE,
  OWNER_REPOSITORIES_QUERY,
  pullRequestPageQuery,
  RATE_LIMIT_QUERY,
  repositoryLookupQuery,
  updatedPullRequestsQuery,
} from '../../src/github/queries.ts';
import { githubSchema } from '../../src/github/schema.ts';

const WINDOW_SHAPES = [
  { forward: true, backward: false },
  { forward: false, backward: true },
  { forward: true, backward: true },
];

/** Every document the product can send, named for the failure report. */
const everyQuery: [string, string][] = [
  ...FIELD_PROFILES.flatMap((profile) =>
    WINDOW_SHAPES.map((shape): [string, string] => [
      `page ${profile} forward=${shape.forward} backward=${shape.backward}`,
      pullRequestPageQuery(profile, shape),
    ]),
  ),
  ...FIELD_PROFILES.map((profile): [string, string] => [
    `incremental ${profile}`,
    updatedPullRequestsQuery(profile),
  ]),
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
    const broken = pullRequestPageQuery('core', { forward: true, backward: false }).replace(
      'isDraft',
      'isDrafty',
    );
    expect(
      validate(githubSchema(), parse(broken))
        .map((error) => error.message)
        .join(),
    ).toMatch(/isDrafty/);
  });

  it('a page without any window is refused before it is built', () => {
    expect(() => pullRequestPageQuery('core', { forward: false, backward: false })).toThrow(RangeError);
  });
});
