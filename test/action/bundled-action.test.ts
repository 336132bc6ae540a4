import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ActionRun, runActionBundle } from '../../scripts/harness/action-runner.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { readStored, truth } from '../support/engine-environment.ts';
import { type ActionBundle, currentActionBundle } from './bundle.ts';

const TOKEN = 'ghp_bundledActionToken000000000000000000';
const DB_PASSWORD = 'pw-Secr3t-value-in-url';

const repositories = [
  { owner: 'acme', name: 'widgets', pullRequests: 260 },
  { owner: 'acme', name: 'tiny', pullRequests: 12 },
];

/** The test database's URL with a password in it (the server trusts local connections and ignores it). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = DB_PASSWORD;
  return parsed.toString();
}

/** The runner consumes `::add-mask::` commands (they are how secrets get masked); everything else must be clean. */
function expectNoSecrets(run: ActionRun, token = TOKEN): void {
  const lines = run.stdout.split('\n');
  const masks = lines.findIndex((line) => !line.startsWith('::add-mask::'));
  const logged = lines.slice(masks).join('\n');
  expect(lines.slice(0, masks)).toEqual([`::add-mask::${token}`, `::add-mask::${DB_PASSWORD}`]);
  for (const secret of [token, DB_PASSWORD]) {
    expect(logged).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(JSON.stringify(run.outputs)).not.toContain(secret);
  }
}

async function countRows(db: TestDatabase, table: string): Promise<number> {
  const { rows } = await db.client.query<{ n: string }>(
    `select count(*) as n from progressive_backfill.${table}`,
  );
  return Number(rows[0]!.n);
}

describe('the bundled action, run as the runner runs it', () => {
  let bundle: ActionBundle;
  let sim: Simulator;
  const databases: TestDatabase[] = [];

  const database = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
  const inputs = (db: TestDatabase, overrides: Record<string, string> = {}) => ({
    'github-token': TOKEN,
    'github-api-url': sim.url,
    'database-url': withPassword(db.url),
    repositories: 'acme/widgets, acme/tiny',
    'completeness-threshold': '0.8',
    'min-prs': '100',
    'field-profile': 'core',
    'chunk-size': '50',
    'time-budget': '2m',
    'dry-run': 'false',
    'report-issues': 'false',
    'issue-labels': 'progressive-backfill,bug',
    ...overrides,
  });

  beforeAll(async () => {
    bundle = await currentActionBundle();
    sim = await startSimulator({ dataset: { seed: 7, repositories }, tokens: { [TOKEN]: {} }, latencyMs: 0 });
  });
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await sim?.stop();
    await bundle?.dispose();
  });

  test('a scheduled run backfills the repository, sets the outputs and writes the job summary', async () => {
    const db = await database();
    const run = await runActionBundle({ bundle: bundle.path, inputs: inputs(db), eventName: 'schedule' });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({
      'prs-processed': '260',
      'repositories-processed': '1',
      'error-count': '0',
      'has-critical-errors': 'false',
    });
    expect(Number(run.outputs['points-spent'])).toBeGreaterThan(0);
    expect(JSON.parse(run.outputs['error-summary']!)).toMatchObject({
      totalErrors: 0,
      critical: [],
      warnings: [],
    });

    expect(run.summary).toContain('| Repository | Completeness |');
    expect(run.summary).toMatch(/\| acme\/widgets \| 0\.0% → 100\.0% \| 260 \/ 260 \| 260 \|/);
    expect(run.summary).toContain('acme/tiny');
    expect(run.summary).toContain('```mermaid\nxychart-beta');
    expect(run.stdout).toContain('::group::Backfill');

    expect(await readStored(db, 'acme', 'widgets')).toEqual(truth(sim, 'acme', 'widgets', 'core'));
    expect(await readStored(db, 'acme', 'tiny')).toEqual([]);
    const { rows } = await db.client.query(
      `select trigger, trigger_ref, outcome from progressive_backfill.backfill_runs`,
    );
    expect(rows).toEqual([{ trigger: 'workflow', trigger_ref: '4242', outcome: 'completed' }]);
    expectNoSecrets(run);
  });

  test('an empty repositories works the tracked set, and says so when it needs nothing', async () => {
    const db = await database();
    const idle = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { repositories: '' }),
      eventName: 'schedule',
    });
    expect(idle.exitCode, idle.stdout + idle.stderr).toBe(0);
    expect(idle.stdout).toContain('No repositories need backfilling');
    expect(idle.summary).toContain('No repositories need backfilling.');

    expect(idle.summary).not.toContain('No repositories matched');

    // named once (one page of it), then a page by its id, then the rest from the tracked set on the schedule
    const named = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { 'max-chunks': '1', 'chunk-size': '10' }),
      eventName: 'workflow_dispatch',
    });
    const first = Number(named.outputs['prs-processed']);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(260);
    const { rows } = await db.client.query(
      `select id from progressive_backfill.repositories where name = 'widgets'`,
    );
    const byId = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, {
        repositories: '',
        'repository-id': String(rows[0].id),
        'max-chunks': '1',
        'chunk-size': '10',
      }),
      eventName: 'workflow_dispatch',
    });
    expect(byId.exitCode, byId.stdout + byId.stderr).toBe(0);
    expect(byId.outputs['repositories-processed']).toBe('1');
    const second = Number(byId.outputs['prs-processed']);
    expect(second).toBeGreaterThan(0);
    const scheduled = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { repositories: '' }),
      eventName: 'schedule',
    });
    expect(scheduled.exitCode, scheduled.stdout + scheduled.stderr).toBe(0);
    expect(scheduled.outputs).toMatchObject({
      'prs-processed': String(260 - first - second),
      'repositories-processed': '1',
    });
    expect(await readStored(db, 'acme', 'widgets')).toEqual(truth(sim, 'acme', 'widgets', 'core'));

    const unknown = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { repositories: '', 'repository-id': '987654' }),
      eventName: 'workflow_dispatch',
    });
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stdout).toMatch(/::error::repository-id: no tracked repository has id 987654/);
  });

  test('a dispatched run with a missing repository stays green, flags critical errors and annotates them', async () => {
    const db = await database();
    const run = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { repositories: 'acme/widgets\nacme/ghost', 'report-issues': 'true' }),
      eventName: 'workflow_dispatch',
      payload: { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/ops' } },
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['has-critical-errors']).toBe('true');
    expect(run.outputs['prs-processed']).toBe('260');
    const errors = JSON.parse(run.outputs['error-summary']!);
    expect(errors.critical).toEqual([
      expect.objectContaining({ repository: 'acme/ghost', kind: 'not_found' }),
    ]);
    expect(run.stdout).toMatch(
      /::error title=progressive-backfill%3A acme\/ghost \(not_found\)::acme\/ghost does not exist/,
    );
    // the simulator has no issues API: filing issues fails, and that is only a warning
    expect(run.stdout).toMatch(/::warning::report-issues: could not list the open issues \(HTTP 404\)/);
    expect(run.summary).toContain('workflow_dispatch');
    expect(await readStored(db, 'acme', 'widgets')).toEqual(truth(sim, 'acme', 'widgets', 'core'));
    expectNoSecrets(run);
  });

  test('a token GitHub rejects fails the step', async () => {
    const db = await database();
    const revoked = 'ghp_revokedToken0000000000000000000000000';
    const run = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { 'github-token': revoked }),
      eventName: 'schedule',
    });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::The backfill failed: /);
    expect(run.outputs['has-critical-errors']).toBe('true');
    expectNoSecrets(run, revoked);
    expect(await countRows(db, 'pull_requests')).toBe(0);
  });

  test.each([
    ['chunk-size', '0', /::error::chunk-size: must be a whole number from 1 to 100, got "0"/],
    ['repositories', 'acme/widgets, not/a/repo', /::error::repositories: "not\/a\/repo" is not a repository/],
    ['since', 'last week', /::error::since: must be a date \(2024-01-31\) or a time with its zone/],
    ['states', 'open,draft', /::error::states: must be a comma-separated list of OPEN, CLOSED, MERGED/],
    ['base', 'a..b', /::error::base: must be a branch name such as main or release\/2\.x, got "a\.\.b"/],
  ])('bad input %s=%s fails the step naming the input and writes nothing', async (name, value, message) => {
    const db = await database();
    const run = await runActionBundle({
      bundle: bundle.path,
      inputs: inputs(db, { [name]: value }),
      eventName: 'schedule',
    });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.outputs).toEqual({});
    for (const table of ['backfill_runs', 'repositories', 'pull_requests']) {
      expect(await countRows(db, table), table).toBe(0);
    }
    expectNoSecrets(run);
  });
});
