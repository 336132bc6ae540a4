/**
 * GitHub's published GraphQL schema, built once per process. Only the simulator and the tests load it: the
 * action and the engine never do, so the 1 MB IDL stays out of the bundle.
 */
import { schema } from '@octokit/graphql-schema';
import { buildSchema, type GraphQLSchema } from 'graphql';

let cached: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  // assumeValidSDL: GitHub's IDL declares one field twice, which full SDL validation rejects.
  cached ??= buildSchema(schema.idl, { assumeValidSDL: true });
  return cached;
}
