import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fastClock } from '../../scripts/harness/fast-clock.ts';
import { runBackfill } from '../../src/engine/run.ts';
import type { BackfillOptions } from '../../src/engine/types.ts';
import { createGitHubAppClient } from '../../src/github/app-client.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { readStored, truth } from '../support/engine-environment.ts';

const APP_ID = '424242';
const HOUR_MS = 3_600_000;
// GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY"); the app must take them as they come.
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const repositories = [
  { owner: 'acme', name: 'api', pullRequests: 1_500 },
  { owner: 'octo-user', name: 'tool', pullRequests: 300, ownerType: 'User' as const },
];
const installations = [
  { id: 11, account: 'acme' },
  { id: 22, account: 'octo-user', accountType: 'User' as const, access: { limit: 2_000 } },
];

describe('a GitHub App-authenticated run', () => {
  const clock = fastClock();
  let sim: Simulator;
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    sim = await startSimulator({
      dataset: { seed: 7, repositories },
      tokens: {},
      apps: { [APP_ID]: { publicKey, installations } },
      now: clock.now,
      sleep: (ms) => clock.sleep(ms),
      // five simulated minutes a page: the run lasts well past its first token's hour
      latencyMs: 5 * 60_000,
    });
    db = await createTestDatabase();
    store = createPostgresStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    await sim?.stop();
  });

  const options: BackfillOptions = {
    repositories: repositories.map(({ owner, name }) => ({ owner, name })),
    completenessThreshold: 0.8,
    minPrs: 100,
    fieldProfile: 'core',
    chunkSize: 50,
    concurrency: 1,
    timeBudgetMs: 6 * HOUR_MS,
    dryRun: false,
    workerId: 'app-test',
    trigger: 'test',
    triggerRef: null,
    force: true,
  };

  test('outlives its first installation token, each owner on its own installation and budget', async () => {
    const issued: string[] = [];
    const github = createGitHubAppClient(
      { appId: APP_ID, privateKey },
      {
        apiUrl: sim.url,
        now: clock.now,
        onToken: (token) => issued.push(token),
        retry: { retries: 0 },
      },
    );
    const began = clock.now();
    const summary = await runBackfill(options, { store, github, clock });

    expect(summary.errors.critical).toEqual([]);
    expect(summary.outcome).toBe('completed');
    expect(clock.now() - began).toBeGreaterThan(HOUR_MS);
    for (const { owner, name } of repositories) {
      expect(await readStored(db, owner, name), `${owner}/${name}`).toEqual(truth(sim, owner, name, 'core'));
    }

    const tokens = sim.appTokens();
    expect(issued).toEqual(tokens.map((t) => t.token));
    const acmeTokens = tokens.filter((t) => t.installationId === 11);
    expect(acmeTokens.length).toBeGreaterThanOrEqual(2);
    // every GraphQL request carried a token that was live when it was sent; none was refused
    const graphql = sim.requests.filter((r) => r.path === '/graphql');
    expect(graphql.every((r) => r.status === 200)).toBe(true);
    for (const request of graphql) {
      const token = tokens.find((t) => t.token === request.token)!;
      expect(request.at).toBeLessThan(token.expiresAt);
    }
    // each owner's pages went out under its own installation, and each installation's budget paid for them
    const installationOf = (token: string | null) => tokens.find((t) => t.token === token)?.installationId;
    const pagesOf = (owner: string) =>
      graphql.filter((r) => r.operationName !== null && (r.variables as { owner?: string })?.owner === owner);
    expect(new Set(pagesOf('acme').map((r) => installationOf(r.token)))).toEqual(new Set([11]));
    expect(new Set(pagesOf('octo-user').map((r) => installationOf(r.token)))).toEqual(new Set([22]));
    const lastOf = (id: number) => tokens.filter((t) => t.installationId === id).at(-1)!.token;
    expect(sim.budget(lastOf(22)).limit).toBe(2_000);
    expect(sim.budget(lastOf(22)).used).toBeGreaterThan(0);
    expect(sim.budget(lastOf(11)).limit).toBe(5_000);
  });

  test('the simulator refuses an expired installation token and a JWT signed by another key', async () => {
    const [first] = sim.appTokens();
    const expired = await fetch(`${sim.url}/rate_limit`, {
      headers: { authorization: `token ${first!.token}` },
    });
    expect(expired.status).toBe(401);

    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const forged = createGitHubAppClient(
      { appId: APP_ID, privateKey: other.privateKey },
      { apiUrl: sim.url, now: clock.now, retry: { retries: 0 } },
    );
    await expect(forged.rateLimit()).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining(`GitHub rejected GitHub App ${APP_ID}`),
    });
  });

  test('a repository of an owner the app is not installed on is reported, not fetched', async () => {
    const github = createGitHubAppClient({ appId: APP_ID, privateKey }, { apiUrl: sim.url, now: clock.now });
    const result = await github.lookupRepositories([
      { owner: 'elsewhere', name: 'repo' },
      { owner: 'acme', name: 'api' },
    ]);
    expect(result.missing).toEqual([{ owner: 'elsewhere', name: 'repo' }]);
    expect(result.found.map((r) => r.name)).toEqual(['api']);
    await expect(
      github.fetchPullRequests({
        owner: 'elsewhere',
        name: 'repo',
        profile: 'core',
        windows: [{ key: 'forward', direction: 'forward', size: 1, cursor: null }],
      }),
    ).rejects.toMatchObject({
      kind: 'not_found',
      message: expect.stringContaining('not installed on elsewhere'),
    });
  });
});
