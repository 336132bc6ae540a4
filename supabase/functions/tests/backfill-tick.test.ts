import assert from 'node:assert/strict';
import { handleBackfillTick } from '../../../src/edge-functions/backfill-tick.ts';
import { createGitHubClientFor, githubAuthFromEnv } from '../../../src/github/auth-env.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { requiredEnv, test, withDatabase } from './support.ts';

const KEY = 'service-role-key-for-deno-tests';

function tickRequest(body: unknown, authorization: string | null = `Bearer ${KEY}`): Request {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (authorization !== null) headers.set('authorization', authorization);
  return new Request('http://localhost/functions/v1/backfill-tick', {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

/**
 * One client per isolate, created outside the tests as supabase/functions/backfill-tick/index.ts does, and warmed
 * by one request: the throttling plugin creates its process-wide Bottleneck groups on an isolate's first request,
 * each with an unref'd cleanup interval that lives as long as the isolate. With those in place, the sanitizers check
 * that a tick leaves nothing of its own behind. (cold-tick.ts checks that a cold isolate can still exit.)
 */
const github = createGitHubClient({
  token: requiredEnv('PB_SIMULATOR_TOKEN'),
  apiUrl: requiredEnv('PB_SIMULATOR_URL'),
});
await github.rateLimit();
// the same for a GitHub App, as the function builds it from GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: one client per
// isolate, warmed on its installation
const appAuth = githubAuthFromEnv({
  GITHUB_APP_ID: requiredEnv('PB_SIMULATOR_APP_ID'),
  GITHUB_APP_PRIVATE_KEY: requiredEnv('PB_SIMULATOR_APP_KEY'),
});
if (appAuth?.kind !== 'app') throw new Error('the App settings were read as another kind of authentication');
const app = createGitHubClientFor(appAuth, { apiUrl: requiredEnv('PB_SIMULATOR_URL') });
await app.rateLimit();

test('a tick without the right bearer token is refused with 401 and starts no run', async () => {
  await withDatabase(async ({ store, sql }) => {
    const deps = { store, github, budgetMs: 10_000, authorizedTokens: [KEY] };
    for (const authorization of [null, 'Bearer wrong-key', `Basic ${KEY}`, KEY, `Bearer ${KEY}x`]) {
      const response = await handleBackfillTick(tickRequest({}, authorization), deps);
      assert.equal(response.status, 401, `authorization: ${authorization}`);
      assert.doesNotMatch(await response.text(), new RegExp(KEY));
    }
    assert.deepEqual(
      await sql(`select id from progressive_backfill.backfill_runs where trigger = 'function'`),
      [],
    );
  });
});

test('a tick with an unusable body is answered 400', async () => {
  await withDatabase(async ({ store }) => {
    const deps = { store, github, budgetMs: 10_000, authorizedTokens: [KEY] };
    for (const body of [{ repositories: 'x/y' }, { repositories: ['no-slash'] }, { budgetMs: 'soon' }, [1]]) {
      const response = await handleBackfillTick(tickRequest(body), deps);
      assert.equal(response.status, 400, JSON.stringify(body));
      await response.body?.cancel();
    }
  });
});

test('an authorized tick backfills from GitHub and answers with the run summary', async () => {
  await withDatabase(async ({ store, sql }) => {
    const repository = requiredEnv('PB_SIMULATOR_REPOSITORY');
    const response = await handleBackfillTick(tickRequest({ repositories: [repository], budgetMs: 30_000 }), {
      store,
      github,
      budgetMs: 60_000,
      authorizedTokens: ['another-accepted-secret', KEY],
      invocationId: () => 'deno-test-invocation',
    });
    assert.equal(response.status, 200);
    const { invocationId, summary } = await response.json();
    assert.equal(invocationId, 'deno-test-invocation');
    assert.equal(summary.outcome, 'completed');
    assert.equal(summary.repositories.length, 1);
    assert.equal(summary.repositories[0].fullName, repository);
    assert.equal(summary.repositories[0].outcome, 'completed');
    const [stored] = await sql<{ n: number }>(
      `select count(*)::int as n from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id
        where lower(r.owner || '/' || r.name) = lower($1)`,
      [repository],
    );
    assert.ok(stored && stored.n > 0);
    assert.equal(summary.prsWritten, stored.n);
    const runs = await sql(
      `select trigger, trigger_ref, outcome from progressive_backfill.backfill_runs where trigger = 'function'`,
    );
    assert.deepEqual(runs, [
      { trigger: 'function', trigger_ref: 'deno-test-invocation', outcome: 'completed' },
    ]);
  });
});

test('a tick authenticated as a GitHub App backfills, renewing its installation token as it goes', async () => {
  await withDatabase(async ({ store, sql }) => {
    const repository = requiredEnv('PB_SIMULATOR_APP_REPOSITORY');
    const response = await handleBackfillTick(tickRequest({ repositories: [repository], budgetMs: 30_000 }), {
      store,
      github: app,
      budgetMs: 60_000,
      authorizedTokens: [KEY],
    });
    assert.equal(response.status, 200);
    const { summary } = await response.json();
    assert.deepEqual(summary.errors.critical, []);
    assert.equal(summary.repositories[0].outcome, 'completed');
    const [stored] = await sql<{ n: number }>(
      `select count(*)::int as n from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id
        where lower(r.owner || '/' || r.name) = lower($1)`,
      [repository],
    );
    assert.equal(stored?.n, 120);
  });
});
