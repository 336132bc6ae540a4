/**
 * GitHub's checks that run after schema validation and before execution: pagination arguments on every
 * connection, and whether the query is a `rateLimit(dryRun: true)` probe. Errors carry GitHub's wording.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MAX_PAGE_SIZE = 100;

export interface StaticCheckResult {
  errors: GraphQLError[];
  dryRun: boolean;
  /**
   * single-object lookups by number (`issueOrPullRequest(number:)`, `pullRequest(number:)`…) on a repository.
   * GitHub's documented node calculation counts only connections; the simulator counts each lookup as a node
   * requested too (for `rateLimit.nodeCount` and its latency), since each is a pull request GitHub must load.
   */
  lookups: number;
}

function pathOf(path: readonly string[], field: FieldNode): string[] {
  return [...path, field.alias?.value ?? field.name.value];
}

function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'pageInfo' in type.getFields();
}

function selectsItems(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  for (const selection of selectionSet?.selections ?? []) {
    if (
      selection.kind === Kind.FIELD &&
      (selection.name.value === 'nodes' || selection.name.value === 'edges')
    ) {
      return true;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT && selectsItems(selection.selectionSet, fragments))
      return true;
    if (
      selection.kind === Kind.FRAGMENT_SPREAD &&
      selectsItems(fragments[selection.name.value]?.selectionSet, fragments)
    ) {
      return true;
    }
  }
  return false;
}

function paginationErrors(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  args: Record<string, unknown>,
  path: string[],
  fragments: Record<string, FragmentDefinitionNode>,
): GraphQLError[] {
  const name = field.name;
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  const fail = (message: string, type?: string) =>
    new GraphQLError(message, { nodes: [node], path, extensions: type ? { type } : {} });
  if (first != null && last != null) {
    return [
      fail(`Passing both \`first\` and \`last\` to paginate the \`${name}\` connection is not supported.`),
    ];
  }
  for (const [argument, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value == null) continue;
    if (value < 0) return [fail(`\`${argument}\` on the \`${name}\` connection cannot be less than zero.`)];
    if (value > MAX_PAGE_SIZE) {
      return [
        fail(
          `Requesting ${value} records on the \`${name}\` connection exceeds the \`${argument}\` limit of ${MAX_PAGE_SIZE} records.`,
          'EXCESSIVE_PAGINATION',
        ),
      ];
    }
  }
  if (first == null && last == null && selectsItems(node.selectionSet, fragments)) {
    return [
      fail(
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
        'MISSING_PAGINATION_BOUNDARIES',
      ),
    ];
  }
  return [];
}

export function staticChecks(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): StaticCheckResult {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const errors: GraphQLError[] = [];
  let dryRun = false;
  let lookups = 0;

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, path: string[]) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        walk(selection.selectionSet, typeName ? schema.getType(typeName) : parentType, path);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (fragment) walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), path);
        continue;
      }
      if (!(isObjectType(parentType) || isInterfaceType(parentType))) continue;
      const field = parentType.getFields()[selection.name.value];
      if (!field) continue;
      const args = getArgumentValues(field, selection, variables);
      const fieldPath = pathOf(path, selection);
      const type = getNamedType(field.type);
      if (parentType === schema.getQueryType() && field.name === 'rateLimit' && args.dryRun === true)
        dryRun = true;
      if (parentType.name === 'Repository' && field.args.some((a) => a.name === 'number')) lookups++;
      if (isConnection(type) && field.args.some((a) => a.name === 'first')) {
        errors.push(...paginationErrors(field, selection, args, fieldPath, fragments));
      }
      if (selection.selectionSet) walk(selection.selectionSet, type, fieldPath);
    }
  };
  const root = operation.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  walk(operation.selectionSet, root ?? undefined, []);
  return { errors, dryRun, lookups };
}
