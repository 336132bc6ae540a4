/**
 * Autovacuum's work for the embedded database, which has none. Without it two things went wrong as a backfill grew:
 *  - nothing ever ran ANALYZE, so the plans PL/pgSQL caches for the commit functions were the ones made while the
 *    tables were empty (a sequential scan is then the cheapest join) and, with no statistics change to invalidate
 *    them, they stayed for the whole session: every page commit scanned `pull_requests` three times and `comments`
 *    and `reviews` once, and the demo at pytorch's size slowed from ~4,000 to ~2,000 PRs a minute by a quarter;
 *  - nothing reclaimed deleted rows, so the follow-up queue, where every task is deleted when done, grew with all
 *    the tasks ever queued, and counting what is left read all of them.
 * The rules are autovacuum's (PostgreSQL's defaults: vacuum once dead rows pass 50 + 20% of the rows last counted), except
 * that a table is analyzed once its changes pass 50 + 100% of those rows rather than 10%: the plans only need sizes
 * to within a factor of two, and here every ANALYZE runs inline, in the one session the backfill uses.
 */

/** What the check needs of a database: one statement at a time (PGlite is one session). */
export type RunSql = (text: string) => Promise<{ rows: unknown[] }>;

export interface TableMaintenance {
  /** vacuumed and analyzed */
  vacuumed: string[];
  /** analyzed only */
  analyzed: string[];
}

// reltuples: the rows the last VACUUM or ANALYZE counted (-1 before the first), what autovacuum's rules scale with
const DUE = `
  select name, vacuum, grew
  from (
    select s.relname as name,
      s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) as vacuum,
      s.n_mod_since_analyze > 50 + 1.0 * greatest(c.reltuples, 0) as grew
    from pg_catalog.pg_stat_user_tables s
    join pg_catalog.pg_class c on c.oid = s.relid
    where s.schemaname = 'progressive_backfill'
  ) t
  where vacuum or grew
  order by name`;

/** Vacuums (and analyzes) the product's tables with enough dead rows, analyzes those that grew; returns both. */
export async function maintainTables(run: RunSql): Promise<TableMaintenance> {
  // the session's counts reach pg_stat_user_tables when they are flushed, at most once a second unless forced
  await run('select pg_catalog.pg_stat_force_next_flush()');
  const due = (await run(DUE)).rows as { name: string; vacuum: boolean; grew: boolean }[];
  const vacuumed = due.filter((t) => t.vacuum).map((t) => t.name);
  const analyzed = due.filter((t) => !t.vacuum && t.grew).map((t) => t.name);
  // VACUUM cannot run inside a transaction: one statement each, never part of another call's
  if (vacuumed.length > 0) await run(`vacuum (analyze) ${qualified(vacuumed)}`);
  if (analyzed.length > 0) await run(`analyze ${qualified(analyzed)}`);
  return { vacuumed, analyzed };
}

function qualified(names: string[]): string {
  return names.map((n) => `progressive_backfill."${n.replaceAll('"', '""')}"`).join(', ');
}
