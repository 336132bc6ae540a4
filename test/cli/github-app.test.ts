import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { readStored, truth } from '../support/engine-environment.ts';
import { runMain } from './cli-harness.ts';

const APP_ID = '9001';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const KEY_BODY = privateKey.split('\n')[1]!;

describe('run as a GitHub App', () => {
  let sim: Simulator;
  let db: TestDatabase;
  let keyFile: string;

  beforeAll(async () => {
    sim = await startSimulator({
      dataset: { seed: 9, repositories: [{ owner: 'acme', name: 'widgets', pullRequests: 150 }] },
      tokens: {},
      apps: { [APP_ID]: { publicKey, installations: [{ id: 5, account: 'acme' }] } },
    });
    db = await createTestDatabase();
    keyFile = join(mkdtempSync(join(tmpdir(), 'pb-app-')), 'app.pem');
    writeFileSync(keyFile, privateKey);
  });
  afterAll(async () => {
    await db?.drop();
    await sim?.stop();
  });

  const flags = () => ['--database-url', db.url, '--github-api-url', sim.url];

  test('authenticates with the key file, backfills, and prints neither the key nor a token', async () => {
    const { code, stdout, stderr } = await runMain(['run', '--repo', 'acme/widgets', ...flags()], {
      GITHUB_APP_ID: APP_ID,
      GITHUB_APP_PRIVATE_KEY_FILE: keyFile,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/run completed/);
    expect(await readStored(db, 'acme', 'widgets')).toEqual(truth(sim, 'acme', 'widgets', 'core'));
    const tokens = sim.appTokens().map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [KEY_BODY, ...tokens]) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  });

  test('a key that is not a PEM key is bad input, named, before anything connects', async () => {
    const before = sim.requests.length;
    const { code, stderr } = await runMain(['run', '--repo', 'acme/widgets', ...flags()], {
      GITHUB_APP_ID: APP_ID,
      GITHUB_APP_PRIVATE_KEY: 'not-a-key',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/GITHUB_APP_PRIVATE_KEY/);
    expect(stderr).not.toContain('not-a-key');
    expect(sim.requests.length).toBe(before);
  });
});
