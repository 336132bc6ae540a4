/**
 * A cold isolate's whole life in one script: create the clients, serve one authorized tick, close the store, and
 * then simply end. test/edge-functions/deno.test.ts runs it and checks that Deno exits promptly on its own: no timer of
 * the GitHub client's throttling or timeouts keeps the process alive after the work is done. With PB_COLD_TICK_APP=1
 * the client authenticates as the simulator's GitHub App, as the function does when GITHUB_APP_ID is set.
 */
import { handleBackfillTick } from '../../../src/edge-functions/backfill-tick.ts';
import { createGitHubClientFor, githubAuthFromEnv } from '../../../src/github/auth-env.ts';
import { createPostgresStore } from '../../../src/store/postgres.ts';
import { requiredEnv } from './support.ts';

const store = createPostgresStore(requiredEnv('PB_TEST_DATABASE_URL'), { max: 2 });
const asApp = Deno.env.get('PB_COLD_TICK_APP') === '1';
const auth = githubAuthFromEnv(
  asApp
    ? {
        GITHUB_APP_ID: requiredEnv('PB_SIMULATOR_APP_ID'),
        GITHUB_APP_PRIVATE_KEY: requiredEnv('PB_SIMULATOR_APP_KEY'),
      }
    : { GITHUB_TOKEN: requiredEnv('PB_SIMULATOR_TOKEN') },
);
const github = createGitHubClientFor(auth!, { apiUrl: requiredEnv('PB_SIMULATOR_URL') });
const repository = requiredEnv(asApp ? 'PB_SIMULATOR_APP_REPOSITORY' : 'PB_SIMULATOR_REPOSITORY');
const response = await handleBackfillTick(
  new Request('http://localhost/functions/v1/backfill-tick', {
    method: 'POST',
    headers: { authorization: 'Bearer cold-key' },
    body: JSON.stringify({ repositories: [repository], budgetMs: 20_000 }),
  }),
  { store, github, budgetMs: 20_000, authorizedTokens: ['cold-key'] },
);
const { summary } = await response.json();
await store.close();
console.log(JSON.stringify({ status: response.status, outcome: summary?.outcome }));
