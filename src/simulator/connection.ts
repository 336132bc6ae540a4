/**
 * Relay connections the way GitHub serves them: opaque base64 cursors ("cursor:v2:…", like GitHub's) that encode a
 * sort key rather than an offset, so a cursor keeps its place when rows move, and windows cut by after/before and
 * then first/last.
 */
import { GraphQLError } from 'graphql';
import { lowerBound, type OrderedList, type OrderField, type SortKey, upperBound } from './dataset.ts';

const PREFIX = 'cursor:v2:';
const FIELD_TAGS: Record<OrderField, string> = { CREATED_AT: 'c', UPDATED_AT: 'u' };

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Window {
  start: number;
  end: number;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

export function invalidCursor(argument: 'after' | 'before'): GraphQLError {
  return new GraphQLError(`\`${argument}\` does not appear to be a valid cursor.`, {
    extensions: { type: 'INVALID_CURSOR_ARGUMENTS' },
  });
}

function encode(payload: unknown[]): string {
  return Buffer.from(PREFIX + JSON.stringify(payload), 'utf8').toString('base64');
}

function decode(cursor: string): unknown[] | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  try {
    const payload: unknown = JSON.parse(text.slice(PREFIX.length));
    return Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}

export function sortKeyCursor(field: OrderField, key: SortKey): string {
  return encode([FIELD_TAGS[field], key[0], key[1]]);
}

function parseSortKeyCursor(cursor: string, field: OrderField, argument: 'after' | 'before'): SortKey {
  const payload = decode(cursor);
  const [tag, seconds, index] = payload ?? [];
  if (
    payload?.length !== 3 ||
    tag !== FIELD_TAGS[field] ||
    !Number.isInteger(seconds) ||
    !Number.isInteger(index)
  ) {
    throw invalidCursor(argument);
  }
  return [seconds as number, index as number];
}

export function offsetCursor(offset: number): string {
  return encode([offset]);
}

function parseOffsetCursor(cursor: string, argument: 'after' | 'before'): number {
  const payload = decode(cursor);
  const offset = payload?.[0];
  if (payload?.length !== 1 || !Number.isInteger(offset) || (offset as number) < 0)
    throw invalidCursor(argument);
  return offset as number;
}

function cut(size: number, start: number, end: number, args: PageArgs): Window {
  let from = Math.max(0, Math.min(start, size));
  let to = Math.max(from, Math.min(end, size));
  if (args.first != null) to = Math.min(to, from + args.first);
  if (args.last != null) from = Math.max(from, to - args.last);
  return { start: from, end: to, hasPreviousPage: from > 0, hasNextPage: to < size };
}

/** Window over an ordered pull-request list read ascending or descending. */
export function sortedWindow(
  list: OrderedList,
  field: OrderField,
  descending: boolean,
  args: PageArgs,
): Window {
  const size = list.size;
  let start = 0;
  let end = size;
  if (args.after != null) {
    const key = parseSortKeyCursor(args.after, field, 'after');
    start = descending ? size - lowerBound(list, key) : upperBound(list, key);
  }
  if (args.before != null) {
    const key = parseSortKeyCursor(args.before, field, 'before');
    end = descending ? size - upperBound(list, key) : lowerBound(list, key);
  }
  return cut(size, start, end, args);
}

/** Window over a small in-memory list (labels, reviews, comments). */
export function arrayWindow(size: number, args: PageArgs): Window {
  const start = args.after != null ? parseOffsetCursor(args.after, 'after') + 1 : 0;
  const end = args.before != null ? parseOffsetCursor(args.before, 'before') : size;
  return cut(size, start, end, args);
}

export interface ConnectionShape<T> {
  totalCount: number;
  pageInfo: {
    startCursor: string | null;
    endCursor: string | null;
    hasNextPage: boolean;
    hasPreviousPage: boolean;
  };
  nodes: () => T[];
  edges: () => { cursor: string; node: T }[];
}

/** A connection whose nodes are only built when the query selects them. */
export function connection<T>(
  totalCount: number,
  window: Window,
  nodeAt: (position: number) => T,
  cursorAt: (position: number) => string,
): ConnectionShape<T> {
  let built: T[] | undefined;
  // a query asking only for totalCount leaves the window uncut: the whole list, never to be built
  const nodes = () => {
    built ??= Array.from({ length: window.end - window.start }, (_, i) => nodeAt(window.start + i));
    return built;
  };
  const empty = window.end === window.start;
  return {
    totalCount,
    pageInfo: {
      startCursor: empty ? null : cursorAt(window.start),
      endCursor: empty ? null : cursorAt(window.end - 1),
      hasNextPage: window.hasNextPage,
      hasPreviousPage: window.hasPreviousPage,
    },
    nodes,
    edges: () => nodes().map((node, i) => ({ cursor: cursorAt(window.start + i), node })),
  };
}

/** Pagination arguments of a resolver call. */
export function pageArgs(args: Record<string, unknown>): PageArgs {
  return {
    first: args.first as number | null | undefined,
    last: args.last as number | null | undefined,
    after: args.after as string | null | undefined,
    before: args.before as string | null | undefined,
  };
}

/** A connection over a small in-memory list, offset cursors. */
export function listConnection<T>(
  items: readonly T[],
  args: Record<string, unknown>,
  toNode: (item: T) => unknown,
) {
  const window = arrayWindow(items.length, pageArgs(args));
  return connection(items.length, window, (position) => toNode(items[position] as T), offsetCursor);
}
