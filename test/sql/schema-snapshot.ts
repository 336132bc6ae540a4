/**
 * A comparable picture of everything in the progressive_backfill schema, read from the catalogs: relations with
 * their options and privileges, columns, constraints, indexes, views, sequences, functions (whole definitions),
 * policies and the schema's own privileges. Two databases with equal snapshots hold the same schema.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

const SCHEMA = "'progressive_backfill'::regnamespace";

const QUERIES: Record<string, string> = {
  schema: `select nspname, nspacl::text from pg_namespace where oid = ${SCHEMA}`,
  relations: `
    select relname, relkind, reloptions, relrowsecurity, relforcerowsecurity, relacl::text
    from pg_class where relnamespace = ${SCHEMA} and relkind in ('r', 'p', 'v', 'm', 'S', 'c', 'f')`,
  columns: `
    select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull, a.attidentity,
           a.attgenerated, a.attcompression, pg_get_expr(d.adbin, d.adrelid) as default_value, a.attacl::text
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = ${SCHEMA} and a.attnum > 0 and not a.attisdropped`,
  constraints: `
    select conrelid::regclass::text as relation, conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = ${SCHEMA}`,
  indexes: `select indexname, indexdef from pg_indexes where schemaname = 'progressive_backfill'`,
  views: `select viewname, definition from pg_views where schemaname = 'progressive_backfill'`,
  sequences: `
    select sequencename, data_type::text, start_value, increment_by, max_value, cycle
    from pg_sequences where schemaname = 'progressive_backfill'`,
  functions: `
    select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition, p.proacl::text
    from pg_proc p where p.pronamespace = ${SCHEMA}`,
  policies: `
    select tablename, policyname, permissive, roles::text, cmd, qual, with_check
    from pg_policies where schemaname = 'progressive_backfill'`,
  triggers: `
    select tgrelid::regclass::text as relation, tgname, pg_get_triggerdef(t.oid) as definition
    from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where c.relnamespace = ${SCHEMA} and not t.tgisinternal`,
  types: `
    select typname, typtype, typacl::text from pg_type
    where typnamespace = ${SCHEMA} and typtype in ('e', 'd', 'c') and typrelid = 0`,
};

export type SchemaSnapshot = Record<string, string[]>;

export async function snapshotSchema(client: pg.ClientBase): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  for (const [part, sql] of Object.entries(QUERIES)) {
    const { rows } = await client.query(sql);
    snapshot[part] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

/** supabase/schemas/*.sql in file-name order: the declarative source of the schema. */
export async function loadSchemaFiles(): Promise<{ file: string; sql: string }[]> {
  const dir = join(import.meta.dirname, '..', '..', 'supabase', 'schemas');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(files.map(async (file) => ({ file, sql: await readFile(join(dir, file), 'utf8') })));
}
