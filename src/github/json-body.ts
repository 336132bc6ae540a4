/**
 * GraphQL bodies both ways, with the native JSON parser and serializer. octokit goes through json-with-bigint,
 * which keeps integers beyond 2^53 exact at several times the native cost (a tenth of a round's client time in a
 * time-bound run). GraphQL's Int is 32-bit and GitHub sends its larger ids as strings (BigInt scalars), so the
 * native parser loses nothing on a conforming answer; a body holding an integer literal too long for a double
 * (only a non-conforming server's) still goes through the exact parser.
 */
import { JSONParse } from 'json-with-bigint';

/** 16 digits or more after a `:`, `[` or `,`: possibly past 2^53 (9,007,199,254,740,992). */
const LONG_INTEGER = /[:[,]\s*-?\d{16}/;

/** A response body as octokit would hand it over: parsed when JSON, else the text as it came. */
export function parseResponseBody(text: string, contentType: string | undefined): unknown {
  if (!contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return LONG_INTEGER.test(text) ? JSONParse(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

/** A GraphQL request's body; its variables are strings, numbers and booleans only. */
export function graphqlRequestBody(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}
