/**
 * A cold isolate's whole life in one script: create the clients, serve one authorized tick, close the store, and
 * then simply end. test/edge-functions/deno.test.ts runs it and checks that Deno exits promptly on its own: no timer of
 * the GitHub client's throttling or timeouts keeps the process alive after the work is done.
 */
import { handleBackfillTick } from '../../../src/edge-functions/backfill-tick.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { createPostgresStore } from '../../../src/store/postgres.ts';
import { requiredEnv } from './support.ts';

const store = createPostgresStore(requiredEnv('PB_TEST_DATABASE_URL'), { max: 2 });
const github = createGitHubClient({
  token: requiredEnv('PB_SIMULATOR_TOKEN'),
  apiUrl: requiredEnv('PB_SIMULATOR_URL'),
});
const response = await handleBackfillTick(
  new Request('http://localhost/functions/v1/backfill-tick', {
    method: 'POST',
    headers: { authorization: 'Bearer cold-key' },
    body: JSON.stringify({ repositories: [requiredEnv('PB_SIMULATOR_REPOSITORY')], budgetMs: 20_000 }),
  }),
  { store, github, budgetMs: 20_000, authorizedTokens: ['cold-key'] },
);
const { summary } = await response.json();
await store.close();
console.log(JSON.stringify({ status: response.status, outcome: summary?.outcome }));
