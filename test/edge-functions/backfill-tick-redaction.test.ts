/**
 * A tick answers its caller with the run summary, and pg_net stores that answer in `net._http_response`: whatever
 * secret the run's error text picked up is redacted from it, as it is from the tables.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { handleBackfillTick } from '../../src/edge-functions/backfill-tick.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type GitHubStub, startGitHubStub } from '../support/github-stub.ts';

const KEY = 'tick-redaction-service-role-key';
const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';

let database: TestDatabase;
let store: Store;
let github: GitHubStub;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresStore(database.url);
  // a proxy in front of GitHub that echoes what it was sent, credentials included
  github = await startGitHubStub(() => ({
    status: 401,
    body: { message: `Bad credentials (caller ${KEY}, token ${TOKEN})` },
  }));
});

afterAll(async () => {
  await github?.close();
  await store?.close();
  await database?.drop();
});

test('the summary a tick answers with carries no secret its error text picked up', async () => {
  const response = await handleBackfillTick(
    new Request('http://localhost/functions/v1/backfill-tick', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ repositories: ['acme/api'] }),
    }),
    {
      store,
      github: createGitHubClient({ token: 'a-token-github-rejects', apiUrl: github.url }),
      budgetMs: 10_000,
      authorizedTokens: [KEY],
    },
  );
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toContain('Bad credentials');
  expect(text).toContain('[REDACTED]');
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(TOKEN);
});
