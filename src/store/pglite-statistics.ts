/**
 * Planner statistics for the embedded database. PGlite has no autovacuum, so nothing ever runs ANALYZE: the plans
 * PL/pgSQL caches for the commit functions were made while the tables were empty (a sequential scan is then the
 * cheapest way to join them) and, with no statistics change to invalidate them, they stay for the life of the
 * session. Every page commit then scanned `pull_requests` three times and `comments` and `reviews` once: the demo
 * at pytorch's size slowed from ~4,000 to ~2,000 PRs a minute by a quarter of the way. A server's autovacuum
 * analyzes a table once a tenth of it has changed; here a table is analyzed each time it has doubled since its
 * last ANALYZE, which also invalidates the cached plans that read it.
 */

/** What the check needs of a database: one query at a time (PGlite is one session). */
export type QueryRows = (text: string) => Promise<{ rows: { name: string }[] }>;

/** Tables smaller than this many pages are not worth analyzing yet: any plan reads them quickly. */
const MIN_PAGES = 16;

/**
 * The product's tables that have at least doubled in pages since their last ANALYZE (relpages is what ANALYZE
 * last saw; 0 when never), largest first.
 */
const GROWN_TABLES = `
  select c.relname as name
  from pg_catalog.pg_class c
  where c.relnamespace = 'progressive_backfill'::regnamespace and c.relkind = 'r'
    and pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int
      >= greatest(2 * c.relpages, ${MIN_PAGES})
  order by pg_catalog.pg_relation_size(c.oid) desc`;

/** Analyzes the product's tables that have grown enough (see above); returns their names. */
export async function analyzeGrownTables(query: QueryRows): Promise<string[]> {
  const { rows } = await query(GROWN_TABLES);
  const names = rows.map((r) => r.name);
  if (names.length > 0)
    await query(`analyze ${names.map((n) => `progressive_backfill.${quoteIdentifier(n)}`).join(', ')}`);
  return names;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
