/**
 * The newest migration this code depends on (its 14-digit version): `assertSchema` refuses a database whose newest
 * applied migration is older. Raise it only when the code starts to need a migration's changes (a new function, a
 * new argument); a migration the code does not depend on leaves it alone, so parallel migrations rarely touch this
 * line. A test checks that it names a migration in supabase/migrations. Kept free of imports so runtime-neutral code
 * (the RPC store, Edge Functions) can check the schema without pulling in the Node-only migration runner.
 */
export const EXPECTED_SCHEMA_VERSION = 20261204200001;

/** The Postgres schema holding every table, view and function of the product (supabase/schemas/00_schema.sql). */
export const SCHEMA = 'progressive_backfill';
