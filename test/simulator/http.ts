/** Plain-fetch helpers for talking to the simulator the way any GitHub client would. */
import type { Simulator } from '../../src/simulator/server.ts';

export interface GraphqlReply {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected ad hoc by each test
  body: any;
}

export async function graphql(
  sim: Simulator,
  query: string,
  variables: Record<string, unknown> = {},
  authorization: string | null = 'bearer test-token',
  path = '/graphql',
): Promise<GraphqlReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML error pages stay text
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}
