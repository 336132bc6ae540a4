/**
 * Turns an RPC (function name + named arguments) into one parameterised `select` for SQL drivers (pg, PGlite).
 */
import { storableJson } from '../domain/postgres-text.ts';
import { encodePrRows } from './pr-rows.ts';
import { JsonbArg, PrRowsArg } from './rpc.ts';
import { SCHEMA } from './schema-version.ts';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export interface SqlCall {
  text: string;
  values: unknown[];
}

/**
 * `select progressive_backfill.fn(p_a => $1, p_b => $2::jsonb) as result`. Plain arguments are typed by the
 * function's signature; jsonb ones are sent as storable JSON text in one pass (a JSON array would otherwise be
 * serialised as a Postgres array), and a null becomes SQL NULL — the same thing PostgREST does with a JSON `null`, so
 * every transport agrees. Pull-request rows go in binary when the caller knows the oid of `pr_row` in the database
 * (a driver that sends binary parameters), else as JSON that `backfill_pr_rows` turns into the same rows.
 */
export function buildSqlCall(
  fn: string,
  args: Record<string, unknown>,
  options: { prRowTypeOid?: number } = {},
): SqlCall {
  if (!IDENTIFIER.test(fn)) throw new Error(`not a function name: ${fn}`);
  const values: unknown[] = [];
  const named: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (!IDENTIFIER.test(name)) throw new Error(`not an argument name: ${name}`);
    if (value instanceof PrRowsArg && options.prRowTypeOid !== undefined) {
      values.push(encodePrRows(value.value, options.prRowTypeOid));
      named.push(`${name} => $${values.length}::${SCHEMA}.pr_row[]`);
    } else if (value instanceof PrRowsArg) {
      values.push(storableJson(value.value));
      named.push(`${name} => ${SCHEMA}.backfill_pr_rows($${values.length}::jsonb)`);
    } else if (value instanceof JsonbArg) {
      values.push(value.value === null || value.value === undefined ? null : storableJson(value.value));
      named.push(`${name} => $${values.length}::jsonb`);
    } else {
      values.push(value);
      named.push(`${name} => $${values.length}`);
    }
  }
  return { text: `select ${SCHEMA}.${fn}(${named.join(', ')}) as result`, values };
}
