import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    dataset: { seed: 7, repositories: [{ owner: 'octo', name: 'repo', pullRequests: 40 }] },
    tokens: { 'test-token': {} },
  });
});
afterAll(() => sim.stop());

describe('queries GitHub would reject are rejected without data or charge', () => {
  it('an unknown field fails validation in GitHub wording', async () => {
    const reply = await graphql(sim, 'query { repository(owner: "octo", name: "repo") { bogus } }');
    expect(reply.status).toBe(200);
    expect(reply.body).not.toHaveProperty('data');
    expect(reply.body.errors).toEqual([
      {
        message: "Field 'bogus' doesn't exist on type 'Repository'",
        locations: [{ line: 1, column: 51 }],
        extensions: { code: 'undefinedField', typeName: 'Repository', fieldName: 'bogus' },
      },
    ]);
    expect(sim.budget('test-token').used).toBe(0);
  });

  it('a missing required argument and a syntax error are both reported', async () => {
    const missing = await graphql(sim, 'query { repository(owner: "octo") { name } }');
    expect(missing.body.errors[0].message).toBe("Field 'repository' is missing required arguments: name");
    const syntax = await graphql(sim, 'query { repository(owner: "octo", name: "repo") { name }');
    expect(syntax.body.errors[0].message).toMatch(/Syntax Error/);
    expect(syntax.body.errors[0].locations).toHaveLength(1);
  });

  it('rejects first above 100, first with last, and items without a page size', async () => {
    const tooMany = await graphql(
      sim,
      'query($n: Int!) { repository(owner: "octo", name: "repo") { pullRequests(first: $n) { nodes { number } } } }',
      { n: 101 },
    );
    expect(tooMany.body.errors[0]).toMatchObject({
      type: 'EXCESSIVE_PAGINATION',
      message:
        'Requesting 101 records on the `pullRequests` connection exceeds the `first` limit of 100 records.',
    });
    const both = await graphql(
      sim,
      'query { repository(owner: "octo", name: "repo") { pullRequests(first: 1, last: 1) { nodes { number } } } }',
    );
    expect(both.body.errors[0].message).toBe(
      'Passing both `first` and `last` to paginate the `pullRequests` connection is not supported.',
    );
    const unbounded = await graphql(
      sim,
      'query { repository(owner: "octo", name: "repo") { pullRequests { nodes { number } } } }',
    );
    expect(unbounded.body.errors[0]).toMatchObject({ type: 'MISSING_PAGINATION_BOUNDARIES' });
    const nested = await graphql(
      sim,
      'query { repository(owner: "octo", name: "repo") { pullRequests(first: 1) { nodes { labels(last: 500) { nodes { name } } } } } }',
    );
    expect(nested.body.errors[0].message).toContain('exceeds the `last` limit of 100 records');
    for (const reply of [tooMany, both, unbounded, nested]) expect(reply.body.data).toBeUndefined();
    expect(sim.budget('test-token').used).toBe(0);
  });

  it('accepts a count-only connection without a page size', async () => {
    const reply = await graphql(
      sim,
      'query { repository(owner: "octo", name: "repo") { pullRequests { totalCount } } }',
    );
    expect(reply.body).toEqual({ data: { repository: { pullRequests: { totalCount: 40 } } } });
  });

  it('a malformed cursor, or one from another ordering, is INVALID_CURSOR_ARGUMENTS', async () => {
    const query = `query($after: String, $field: IssueOrderField!) {
      repository(owner: "octo", name: "repo") {
        pullRequests(first: 2, after: $after, orderBy: {field: $field, direction: ASC}) { pageInfo { endCursor } }
      }
    }`;
    const garbage = await graphql(sim, query, { after: 'not a cursor', field: 'CREATED_AT' });
    expect(garbage.body.data).toEqual({ repository: null });
    expect(garbage.body.errors).toEqual([
      {
        type: 'INVALID_CURSOR_ARGUMENTS',
        message: '`after` does not appear to be a valid cursor.',
        path: ['repository', 'pullRequests'],
        locations: [{ line: 3, column: 9 }],
      },
    ]);
    const updated = await graphql(sim, query, { after: null, field: 'UPDATED_AT' });
    const cursor = updated.body.data.repository.pullRequests.pageInfo.endCursor;
    const crossed = await graphql(sim, query, { after: cursor, field: 'CREATED_AT' });
    expect(crossed.body.errors[0].type).toBe('INVALID_CURSOR_ARGUMENTS');
    const valid = await graphql(sim, query, { after: cursor, field: 'UPDATED_AT' });
    expect(valid.body.errors).toBeUndefined();
  });
});
