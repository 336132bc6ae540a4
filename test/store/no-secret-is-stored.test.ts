/**
 * Error text reaches the database through failed chunks, failed and cancelled backfills, pauses and run summaries.
 * Whatever secret it carries — one the store was told about (its own database password, the GitHub token) or one
 * that merely looks like a credential — is redacted before the write. Checked by reading every table back.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const DATABASE_PASSWORD = 'db-query-param-secret';
const KNOWN_TOKEN = 'custom-enterprise-token-value';
const LEAKS = [
  DATABASE_PASSWORD,
  KNOWN_TOKEN,
  'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlc2lnbmF0dXJl',
  'hunter 22',
  'pgpass-word',
];
const LEAKY = `Bad credentials for x_${LEAKS[2]}\\n${LEAKS[3]} at postgres://app:pw@db?password=${DATABASE_PASSWORD}; token ${KNOWN_TOKEN}; {"password":"${LEAKS[4]}"} PGPASSWORD=${LEAKS[5]}`;

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  // trust authentication ignores the password, so the URL can carry one as a query parameter
  store = createPostgresStore(`${database.url}?password=${DATABASE_PASSWORD}`, { secrets: [KNOWN_TOKEN] });
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

/** Every row of every table the product owns, as text: wherever a secret was written, it shows up here. */
async function everyStoredRow(): Promise<string> {
  const { rows } = await database.client.query<{ dump: string | null }>(`
    select string_agg(query_to_xml(format('select * from %I.%I', table_schema, table_name), true, false, '')::text,
                      E'\n') as dump
      from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`);
  return rows[0]?.dump ?? '';
}

async function repository(name: string) {
  const row = await store.trackRepository({
    owner: 'leaks',
    name,
    githubId: null,
    nodeId: null,
    prTotalCount: 500,
  });
  await store.startBackfill(row.id, 'core');
  return row;
}

test('no secret in error text survives any write that stores it', async () => {
  const failedChunk = await repository('failed-chunk');
  const lease = await store.claimChunk({ repositoryId: failedChunk.id, workerId: 'w', leaseSeconds: 300 });
  expect(lease).not.toBeNull();
  await store.failChunk({
    chunkId: lease!.chunkId,
    fencingToken: lease!.fencingToken,
    error: LEAKY,
    retryable: false,
    maxFailures: 1,
  });

  const paused = await repository('paused');
  await store.pauseRepository(paused.id, LEAKY, new Date(Date.now() + 60_000));
  const failed = await repository('failed');
  await store.failBackfill(failed.id, LEAKY);
  const cancelled = await repository('cancelled');
  await store.cancelBackfill(cancelled.id, LEAKY);

  const runId = await store.startRun({ trigger: 'test', triggerRef: null, workerId: 'w', dryRun: false });
  await store.finishRun({
    runId,
    outcome: 'failed',
    errorSummary: { critical: [{ message: LEAKY, nested: [LEAKY] }], stopReason: LEAKY },
  });

  const stored = await everyStoredRow();
  for (const secret of LEAKS) expect(stored).not.toContain(secret);
  // the writes did happen, with their readable parts intact
  expect(stored).toContain('Bad credentials for x_[REDACTED]');
  expect(stored.match(/\[REDACTED\]/g)?.length).toBeGreaterThan(5 * LEAKS.length);
});
