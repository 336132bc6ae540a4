/**
 * The simulator keeps the documents it has checked parsed without token locations: a located parse is ~2.7 times
 * the size (4.4 MB for a 90 KB follow-up document), and only an error answer needs a line and column. When one
 * does, the text is parsed again with locations and each error's nodes are swapped for their located twins.
 */
import { type ASTNode, GraphQLError, parse } from 'graphql';

function isNode(value: unknown): value is ASTNode {
  return (
    typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** Maps every node of `plain` to the node at the same place in `located` (the same text, parsed twice). */
function pairNodes(plain: unknown, located: unknown, twins: Map<ASTNode, ASTNode>): void {
  if (Array.isArray(plain) && Array.isArray(located)) {
    plain.forEach((item, i) => {
      pairNodes(item, located[i], twins);
    });
    return;
  }
  if (!isNode(plain) || !isNode(located)) return;
  twins.set(plain, located);
  for (const key of Object.keys(plain)) {
    if (key !== 'loc') pairNodes((plain as never)[key], (located as never)[key], twins);
  }
}

/** `errors` about `document` (parsed from `text` without locations), with the locations a located parse gives. */
export function withLocations(
  errors: readonly GraphQLError[],
  text: string,
  document: ASTNode,
): readonly GraphQLError[] {
  if (!errors.some((error) => error.nodes?.length && !error.locations)) return errors;
  const twins = new Map<ASTNode, ASTNode>();
  pairNodes(document, parse(text), twins);
  return errors.map((error) =>
    error.nodes?.length && !error.locations
      ? new GraphQLError(error.message, {
          nodes: error.nodes.map((node) => twins.get(node) ?? node),
          path: error.path,
          originalError: error.originalError,
          extensions: error.extensions,
        })
      : error,
  );
}
