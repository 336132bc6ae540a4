/**
 * GitHub's published GraphQL schema, built once per process. Only the simulator and the tests load it: the
 * action and the engine never do, so the 1 MB IDL stays out of the bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';

let cached: GraphQLSchema | undefined;

/**
 * The package's entry point also parses a 5 MB JSON copy of the schema at import time, which costs a bundled CLI
 * 60 MB of memory before it does anything; its `exports` hide the IDL file, so find that file on the module paths.
 */
function idlPath(): string {
  const paths = createRequire(import.meta.url).resolve.paths('@octokit/graphql-schema') ?? [];
  for (const dir of paths) {
    const candidate = join(dir, '@octokit', 'graphql-schema', 'schema.graphql');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('@octokit/graphql-schema is not installed: run npm ci');
}

export function githubSchema(): GraphQLSchema {
  // assumeValidSDL: GitHub's IDL declares one field twice, which full SDL validation rejects. noLocation: nothing
  // reads where in the IDL a type was declared, and the locations keep every token of the 1 MB text alive (~12 MB).
  cached ??= buildSchema(readFileSync(idlPath(), 'utf8'), { assumeValidSDL: true, noLocation: true });
  return cached;
}
