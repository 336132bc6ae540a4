import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { OPERATOR_COMMANDS } from '../../src/shared-entry/operator-commands.ts';

const root = join(import.meta.dirname, '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface ActionInput {
  description?: string;
  default?: string;
  required?: boolean;
}
interface Action {
  name: string;
  description: string;
  author?: string;
  branding: { icon: string; color: string };
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface TriggerInputs {
  inputs: Record<string, { type: string; options?: string[] }>;
  secrets?: Record<string, { required?: boolean }>;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch: TriggerInputs; workflow_call: TriggerInputs };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  jobs: Record<string, { steps?: Step[]; strategy?: { matrix?: Record<string, unknown> } }>;
}

/** a GitHub expression, spelled so it is not mistaken for a misplaced template literal */
const expression = (body: string) => `\${{ ${body} }}`;

const action = parse(read('action.yml')) as Action;
const workflow = (file: string) => parse(read(`.github/workflows/${file}`)) as Workflow;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps ?? []);

/** The inputs this project's spec promises, with the defaults it names (undefined: optional, no default). */
const SPEC_INPUTS: Record<string, string | undefined> = {
  'github-token': expression('github.token'),
  'supabase-url': undefined,
  'supabase-service-role-key': undefined,
  'database-url': undefined,
  repositories: expression('github.repository'),
  'completeness-threshold': '0.8',
  'min-prs': '100',
  'field-profile': 'core',
  since: undefined,
  states: undefined,
  base: undefined,
  'chunk-size': undefined,
  'max-chunks': undefined,
  'reserve-points': undefined,
  'time-budget': '20m',
  'dry-run': 'false',
  'report-issues': 'true',
  'issue-labels': 'progressive-backfill,bug',
  'github-api-url': expression('github.api_url'),
};
const SPEC_OUTPUTS = [
  'prs-processed',
  'repositories-processed',
  'points-spent',
  'error-count',
  'has-critical-errors',
  'error-summary',
];
const DISPATCH_INPUTS = [
  'command',
  'reason',
  'until',
  'chunk-id',
  'repositories',
  'repository-id',
  'completeness-threshold',
  'min-prs',
  'dry-run',
  'field-profile',
  'since',
  'states',
  'base',
  'chunk-size',
  'max-chunks',
  'time-budget',
];

describe('action.yml', () => {
  it('passes the action schema', () => {
    // @action-validator 0.6.0 bundles a schema that predates `node24`; check everything else against it.
    const document = parseDocument(read('action.yml'));
    document.setIn(['runs', 'using'], 'node20');

    expect(validateAction(document.toString()).errors).toEqual([]);
  });

  it('runs dist/index.js on node24 with the project branding', () => {
    expect(action.name).toBe('Progressive Backfill');
    expect(action.description.length).toBeGreaterThan(20);
    expect(action.author).toBeTruthy();
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(action.branding).toEqual({ icon: 'database', color: 'blue' });
  });

  it('declares every specified input, described, with its default', () => {
    for (const [name, expected] of Object.entries(SPEC_INPUTS)) {
      const input = action.inputs[name];
      expect(input, name).toBeDefined();
      expect(input?.description?.trim().length, name).toBeGreaterThan(10);
      expect(input?.default === undefined ? undefined : String(input.default), name).toBe(expected);
    }
    for (const name of Object.keys(action.inputs)) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('declares every specified output, described', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...SPEC_OUTPUTS].sort());
    for (const output of Object.values(action.outputs)) expect(output.description?.trim()).toBeTruthy();
  });
});

describe.each(workflowFiles)('.github/workflows/%s', (file) => {
  it('passes the workflow schema', () => {
    expect(validateWorkflow(read(`.github/workflows/${file}`)).errors).toEqual([]);
  });

  it('passes only inputs the action declares to the local action', () => {
    for (const step of steps(file).filter((s) => s.uses?.startsWith('./'))) {
      for (const name of Object.keys(step.with ?? {})) expect(action.inputs, name).toHaveProperty([name]);
    }
  });
});

describe('the progressive-backfill workflow', () => {
  const backfill = workflow('progressive-backfill.yml');

  it('runs every 30 minutes, on demand and when called from another workflow', () => {
    expect(Object.keys(backfill.on).sort()).toEqual(['schedule', 'workflow_call', 'workflow_dispatch']);
    expect(backfill.on.schedule).toEqual([{ cron: '*/30 * * * *' }]);
  });

  it('takes the same typed inputs on demand and when called', () => {
    const dispatch = backfill.on.workflow_dispatch.inputs;
    const call = backfill.on.workflow_call.inputs;
    expect(Object.keys(dispatch).sort()).toEqual([...DISPATCH_INPUTS].sort());
    expect(Object.keys(call).sort()).toEqual([...DISPATCH_INPUTS].sort());
    const types = (inputs: TriggerInputs['inputs']) =>
      Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.type]));
    expect(types(dispatch)).toEqual({
      command: 'choice',
      reason: 'string',
      until: 'string',
      'chunk-id': 'string',
      repositories: 'string',
      'repository-id': 'string',
      'completeness-threshold': 'string',
      'min-prs': 'number',
      'dry-run': 'boolean',
      'field-profile': 'choice',
      since: 'string',
      states: 'string',
      base: 'string',
      'chunk-size': 'number',
      'max-chunks': 'number',
      'time-budget': 'string',
    });
    expect(dispatch['field-profile']?.options).toEqual(['core', 'standard', 'full']);
    expect(dispatch.command?.options).toEqual(['run', ...OPERATOR_COMMANDS]);
    // a called workflow has no `choice` type: the same inputs, with field-profile and command as strings
    expect(types(call)).toEqual({ ...types(dispatch), 'field-profile': 'string', command: 'string' });
  });

  it('accepts the database and token secrets from a caller, none of them required', () => {
    const secrets = backfill.on.workflow_call.secrets ?? {};
    expect(Object.keys(secrets).sort()).toEqual([
      'BACKFILL_GITHUB_TOKEN',
      'DATABASE_URL',
      'SUPABASE_SERVICE_ROLE_KEY',
      'SUPABASE_URL',
    ]);
    for (const secret of Object.values(secrets))
      expect((secret as { required: boolean }).required).toBe(false);
  });

  it('never runs twice at once for a repository, nor cancels a run in progress', () => {
    expect(backfill.concurrency).toEqual({
      group: `progressive-backfill-${expression('github.repository')}`,
      'cancel-in-progress': false,
    });
  });

  it('asks for exactly contents: read and issues: write', () => {
    expect(backfill.permissions).toEqual({ contents: 'read', issues: 'write' });
  });

  it('runs the action from its own checkout', () => {
    const all = steps('progressive-backfill.yml');
    const local = all.find((step) => step.uses?.startsWith('./'));
    const checkout = all.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.path).toBeTruthy();
    expect(local?.uses).toBe(`./${String(checkout?.with?.path)}`);
    expect(all.indexOf(checkout!)).toBeLessThan(all.indexOf(local!));
  });

  it('passes every input it takes through to the action, under the same name', () => {
    const local = steps('progressive-backfill.yml').find((step) => step.uses?.startsWith('./'));
    for (const name of DISPATCH_INPUTS) {
      expect(action.inputs, name).toHaveProperty([name]);
      expect(String(local?.with?.[name]), name).toContain(`inputs.${name}`);
    }
  });
});

describe('the CI gates', () => {
  const ciRun = read('.ci/run');
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  /** the shell commands of a script line, split at `&&` */
  const commands = (line: string) => line.split('&&').map((command) => command.trim());

  it('runs the CI entry point on Node 20 and 24', () => {
    const [job] = Object.values(workflow('ci.yml').jobs);
    expect(job?.strategy?.matrix?.node).toEqual([20, 24]);
    expect(steps('ci.yml').some((step) => step.run?.includes('bash .ci/run'))).toBe(true);
  });

  it('has .ci/run install from the lock file, then run exactly `npm run check`', () => {
    const lines = ciRun.split('\n').filter((line) => /^npm /.test(line));
    expect(lines).toEqual(['npm ci --no-audit --no-fund', 'npm run check']);
  });

  it('has `npm run check` gate on lint (biome ci), typecheck and the README test command', () => {
    expect(commands(scripts.check ?? '')).toEqual(['biome ci .', 'npm run typecheck', 'npm test']);
    expect(scripts.typecheck).toMatch(/^tsc --noEmit\b/);
    expect(read('README.md')).toMatch(/^npm test\s+#/m);
  });

  it('has one script that builds dist/, the one check-dist runs', () => {
    const builders = Object.entries(scripts).filter(([, line]) => line.includes('scripts/build.mjs'));
    expect(builders.map(([name]) => name)).toEqual(['bundle']);
  });

  it('installs check-dist the way .ci/run does and fails it when the rebuilt dist/ differs from the commit', () => {
    const runs = steps('check-dist.yml').map((step) => step.run ?? '');
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm run bundle');
    expect(runs.some((run) => run.includes('git diff --exit-code') && run.includes('dist/'))).toBe(true);
  });
});
