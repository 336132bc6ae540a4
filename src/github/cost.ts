/**
 * GitHub's documented GraphQL point formula ("Rate limits and query limits for the GraphQL API"): add up the
 * requests needed to fulfil each connection, assuming every request hits its `first`/`last` limit, divide by 100,
 * round to the nearest whole number, minimum 1. The node count is the documented node-limit calculation.
 *
 * Hand-written because no library implements GitHub's formula, and it must run without the 1 MB schema: a
 * connection is recognised by its `first`/`last` argument, or, for count-only connections such as
 * `pullRequests { totalCount }`, by selecting `totalCount`/`pageInfo`/`nodes`/`edges`. A count-only connection is
 * charged like any other (one request per parent), which errs on the side of over-predicting.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { TextKeyedCache } from '../domain/text-keyed-cache.ts';

export interface QueryCost {
  /** points GitHub is predicted to charge */
  cost: number;
  /** requests needed to fulfil every connection */
  requests: number;
  /** the node-limit calculation (at most 500,000 per call) */
  nodeCount: number;
}

const CONNECTION_MARKERS = new Set(['totalCount', 'pageInfo', 'nodes', 'edges']);

/** Parsed documents by text. A follow-up document is 90 KB and parses to megabytes: the cache is bounded by text. */
const parsedDocuments = new TextKeyedCache<DocumentNode>(256_000);

function toDocument(document: DocumentNode | string): DocumentNode {
  if (typeof document !== 'string') return document;
  let parsed = parsedDocuments.get(document);
  if (parsed === undefined) {
    parsed = parse(document, { noLocation: true });
    parsedDocuments.set(document, parsed);
  }
  return parsed;
}

export function queryCost(
  document: DocumentNode | string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): QueryCost {
  const doc = toDocument(document);
  const operation = findOperation(doc, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of doc.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const context: WalkContext = { fragments, variables: withDefaults(operation, variables) };
  const totals = { requests: 0, nodeCount: 0 };
  walk(operation.selectionSet, 1, context, totals);
  return { cost: Math.max(1, Math.round(totals.requests / 100)), ...totals };
}

interface WalkContext {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** `multiplier` is how many parent objects this selection is resolved for: the product of enclosing page sizes. */
function walk(
  selectionSet: SelectionSetNode,
  multiplier: number,
  context: WalkContext,
  totals: { requests: number; nodeCount: number },
): void {
  for (const fields of collectFields(selectionSet, context, new Set()).values()) {
    const field = fields[0]!;
    const merged = mergeSelections(fields);
    const limit = pageLimit(field, context);
    if (limit !== undefined) {
      totals.requests += multiplier;
      totals.nodeCount += multiplier * limit;
      if (merged) walk(merged, multiplier * limit, context, totals);
    } else if (merged && isCountOnlyConnection(merged, context)) {
      totals.requests += multiplier;
      walk(merged, multiplier, context, totals);
    } else if (merged) {
      walk(merged, multiplier, context, totals);
    }
  }
}

/**
 * Fields grouped by response key through fragments and inline fragments, as GraphQL merges them: a connection
 * reached twice under one key is one connection, fetched once.
 */
function collectFields(
  selectionSet: SelectionSetNode,
  context: WalkContext,
  visitedFragments: Set<string>,
  into: Map<string, FieldNode[]> = new Map(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection.directives, context)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = into.get(key);
      if (list) list.push(selection);
      else into.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, context, visitedFragments, into);
    } else {
      const name = selection.name.value;
      const fragment = context.fragments.get(name);
      if (fragment === undefined || visitedFragments.has(name)) continue;
      visitedFragments.add(name);
      collectFields(fragment.selectionSet, context, visitedFragments, into);
    }
  }
  return into;
}

function mergeSelections(fields: FieldNode[]): SelectionSetNode | undefined {
  const sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  if (sets.length <= 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((set) => set.selections) };
}

function isCountOnlyConnection(selectionSet: SelectionSetNode, context: WalkContext): boolean {
  const keys = [...collectFields(selectionSet, context, new Set()).keys()].filter(
    (key) => key !== '__typename',
  );
  return keys.length > 0 && keys.every((key) => CONNECTION_MARKERS.has(key));
}

function pageLimit(field: FieldNode, context: WalkContext): number | undefined {
  let limit: number | undefined;
  for (const argument of field.arguments ?? []) {
    const name = argument.name.value;
    if (name !== 'first' && name !== 'last') continue;
    const value = literalValue(argument.value, context);
    if (typeof value === 'number' && Number.isFinite(value)) limit = Math.max(limit ?? 0, value);
  }
  return limit;
}

function isIncluded(directives: FieldNode['directives'], context: WalkContext): boolean {
  for (const directive of directives ?? []) {
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
    if (!condition) continue;
    const value = literalValue(condition.value, context);
    if (directive.name.value === 'skip' && value === true) return false;
    if (directive.name.value === 'include' && value === false) return false;
  }
  return true;
}

function literalValue(value: ValueNode, context: WalkContext): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return context.variables[value.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(value.value);
    case Kind.BOOLEAN:
      return value.value;
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}

function findOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operationName === undefined ? operations[0] : operations.find((op) => op.name?.value === operationName);
  if (!operation)
    throw new Error(`no operation${operationName ? ` named ${operationName}` : ''} in the document`);
  return operation;
}

function withDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] !== undefined) resolved[name] = variables[name];
    else if (definition.defaultValue)
      resolved[name] = literalValue(definition.defaultValue, { fragments: new Map(), variables: {} });
  }
  return { ...variables, ...resolved };
}
