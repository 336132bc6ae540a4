import { JSONParse } from 'json-with-bigint';
import { describe, expect, it } from 'vitest';
import { graphqlRequestBody, parseResponseBody } from '../../src/github/json-body.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

describe('GraphQL bodies go through the native JSON parser, exactly', () => {
  it('parses an answer as the exact parser does', () => {
    const text = JSON.stringify({
      data: {
        repository: {
          pullRequests: {
            totalCount: 2_147_483_647,
            nodes: [
              { databaseId: 2_147_483_647, fullDatabaseId: '9007199254740993', title: 'a "quoted" ünï' },
            ],
          },
        },
      },
    });
    expect(parseResponseBody(text, JSON_TYPE)).toEqual(JSONParse(text));
  });

  it('keeps an integer literal too long for a double exact, as octokit would', () => {
    const text = '{"data":{"node":{"databaseId":9007199254740993}}}';
    const parsed = parseResponseBody(text, JSON_TYPE) as { data: { node: { databaseId: unknown } } };
    expect(parsed.data.node.databaseId).toBe(9007199254740993n);
    // what the native parser alone would have made of it
    expect(String(JSON.parse(text).data.node.databaseId)).toBe('9007199254740992');
  });

  it('hands over text that is not JSON, or not said to be, as it came', () => {
    expect(parseResponseBody('<html>502</html>', JSON_TYPE)).toBe('<html>502</html>');
    expect(parseResponseBody('{"a":1}', 'text/html')).toBe('{"a":1}');
    expect(parseResponseBody('{"a":1}', undefined)).toBe('{"a":1}');
    expect(parseResponseBody('{"a":1}', 'application/vnd.github+json')).toEqual({ a: 1 });
  });

  it('sends the query and its variables as one JSON object', () => {
    const body = graphqlRequestBody('query Q($n: Int!) { x(n: $n) }', { n: 3, after: null });
    expect(JSON.parse(body)).toEqual({
      query: 'query Q($n: Int!) { x(n: $n) }',
      variables: { n: 3, after: null },
    });
  });
});
