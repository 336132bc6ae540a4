/**
 * Runs the Deno tests of the Edge Function handlers (supabase/functions/tests) with the real Deno binary, so
 * `npm test` proves the shared core runs under Deno. This file provides what they need: a fresh migrated database
 * and a GitHub simulator on loopback, named in the child's environment.
 *
 * The simulator serves from this very process, so Deno is started asynchronously: a synchronous exec would block
 * the event loop the simulator answers on.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const GITHUB_TOKEN = 'ghp_denotestsimulatortoken0000000000';
const TICK_REPOSITORY = { owner: 'sim-deno', name: 'tick', pullRequests: 120 };
// a GitHub App installed on its own owner, whose installation tokens are due for renewal almost as soon as they are
// issued (the client renews 5 minutes before expiry): a tick that backfills under it must renew under Deno
const APP_ID = '515151';
const APP_REPOSITORY = { owner: 'sim-deno-app', name: 'tick', pullRequests: 120 };
const APP_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

let database: TestDatabase;
let simulator: Simulator;

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startSimulator({
    dataset: { seed: 20261123, repositories: [TICK_REPOSITORY, APP_REPOSITORY] },
    tokens: { [GITHUB_TOKEN]: {} },
    apps: {
      [APP_ID]: {
        publicKey: APP_KEY.publicKey,
        installations: [{ id: 77, account: APP_REPOSITORY.owner }],
        // as long as the client's renewal margin (5 minutes): every token is due for renewal once issued, so the
        // App-authenticated tick renews however fast it runs (a second more left a tick under a second with one token)
        tokenLifetimeMs: 5 * 60_000,
      },
    },
  });
});

afterAll(async () => {
  await simulator?.stop();
  await database?.drop();
});

interface DenoRun {
  code: number;
  output: string;
  durationMs: number;
}

// --no-config: Deno reads the project's package.json and node_modules, the same packages Node uses; the per-function
// deno.json files carry the import maps for `supabase functions deploy`. Type-checking is deno-check.test.ts's job.
const DENO_FLAGS = ['--allow-all', '--no-config', '--node-modules-dir=manual', '--no-check'];

async function deno(args: string[], extraEnv: Record<string, string> = {}): Promise<DenoRun> {
  const started = performance.now();
  const env = {
    ...process.env,
    NO_COLOR: '1',
    PB_TEST_DATABASE_URL: database.url,
    PB_SIMULATOR_URL: simulator.url,
    PB_SIMULATOR_TOKEN: GITHUB_TOKEN,
    PB_SIMULATOR_REPOSITORY: `${TICK_REPOSITORY.owner}/${TICK_REPOSITORY.name}`,
    PB_SIMULATOR_APP_ID: APP_ID,
    PB_SIMULATOR_APP_KEY: APP_KEY.privateKey,
    PB_SIMULATOR_APP_REPOSITORY: `${APP_REPOSITORY.owner}/${APP_REPOSITORY.name}`,
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(DENO, args, {
      cwd: ROOT,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env,
    });
    return { code: 0, output: `${stdout}\n${stderr}`, durationMs: performance.now() - started };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout ?? ''}\n${failed.stderr ?? ''}`,
      durationMs: performance.now() - started,
    };
  }
}

test('the edge function handlers pass their Deno tests against Postgres and the simulator', async () => {
  const trace = process.env.PB_DENO_TRACE_LEAKS ? ['--trace-leaks'] : [];
  const run = await deno(['test', ...DENO_FLAGS, ...trace, 'supabase/functions/tests/']);
  expect(run.output, run.output).toMatch(/ok \| \d+ passed \| 0 failed/);
  expect(run.code, run.output).toBe(0);
  // both test files were found and ran in full
  expect(run.output).toMatch(/running 4 tests from \.\/supabase\/functions\/tests\/backfill-tick\.test\.ts/);
  // the App-authenticated tick renewed its installation token at least once
  expect(simulator.appTokens().filter((t) => t.appId === APP_ID).length).toBeGreaterThan(1);
  expect(run.output).toMatch(
    /running 14 tests from \.\/supabase\/functions\/tests\/github-webhook\.test\.ts/,
  );
}, 150_000);

test.each([
  ['a token', '0'],
  ['a GitHub App', '1'],
])(
  'a cold isolate that served a tick with %s exits on its own: no client timer keeps Deno alive',
  async (_, app) => {
    const run = await deno(['run', ...DENO_FLAGS, 'supabase/functions/tests/cold-tick.ts'], {
      PB_COLD_TICK_APP: app,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('"status":200');
    // the client's per-request timeout is 30 s and Bottleneck's group cleanup runs every 2.5 min: a ref'd timer
    // of either would hold the process far past this
    expect(run.durationMs).toBeLessThan(20_000);
  },
  150_000,
);
