/**
 * The `backfill_schema_version()` this code was written against. Kept free of imports so runtime-neutral code
 * (the RPC store, Edge Functions) can check the schema without pulling in the Node-only migration runner.
 */
export const EXPECTED_SCHEMA_VERSION = 2;
