/**
 * The GitHub Action: inputs → one backfill run → outputs, annotations, job summary and (optionally) issues.
 *
 * The step fails on bad input and when the run as a whole failed (e.g. GitHub rejected the token, or the database
 * is unreachable). A *partial* run, where some repositories had critical errors and the others were backfilled,
 * keeps the step green: it sets `has-critical-errors` to `true`, annotates each error and files issues, so one
 * deleted repository in a list does not turn every scheduled run red.
 */
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { redactSecrets } from '../domain/redact.ts';
import { ConfigError } from '../engine/options.ts';
import { runBackfill } from '../engine/run.ts';
import type { BackfillOptions, RunSummary } from '../engine/types.ts';
import { createGitHubClient } from '../github/client.ts';
import { openBackend } from '../shared-entry/open-store.ts';
import {
  type OperatorCommand,
  operate,
  operatedLine,
  retryChunk,
} from '../shared-entry/operator-commands.ts';
import type { Store } from '../store/types.ts';
import { type RunnerContext, runnerContext, splitRepository, workerIdFor } from './context.ts';
import { type ActionInputs, readInputs, secretValues } from './inputs.ts';
import { createIssueReporter, type ReportAction } from './issue-reporter.ts';
import { logLine } from './log-lines.ts';
import { actionOutputs, annotations, jobSummaryMarkdown, redactSummary } from './report.ts';

const MAX_REPORTED_FAILURES = 5;

const FAILED_ACTION: Record<ReportAction, (issue?: number) => string> = {
  list: () => 'list the open issues',
  create: () => 'create an issue',
  comment: (n) => `comment on issue #${n}`,
  update: (n) => `update issue #${n}`,
  close: (n) => `close issue #${n}`,
  report: () => 'report to issues',
};

function engineOptions(inputs: ActionInputs, context: RunnerContext): BackfillOptions {
  const options: BackfillOptions = {
    repositories: inputs.repositories,
    completenessThreshold: inputs.completenessThreshold,
    minPrs: inputs.minPrs,
    fieldProfile: inputs.fieldProfile,
    timeBudgetMs: inputs.timeBudgetMs,
    dryRun: inputs.dryRun,
    workerId: workerIdFor(context),
    trigger: 'workflow',
    triggerRef: context.runId || null,
  };
  if (inputs.scope !== undefined) options.scope = inputs.scope;
  if (inputs.chunkSize !== undefined) options.chunkSize = inputs.chunkSize;
  if (inputs.maxChunks !== undefined) options.maxChunks = inputs.maxChunks;
  if (inputs.reservePoints !== undefined) options.reservePoints = inputs.reservePoints;
  return options;
}

/** `repository-id` names tracked repositories; an id that is not tracked is bad input, found before any work. */
async function addNamedByIds(inputs: ActionInputs, store: Store): Promise<void> {
  for (const id of inputs.repositoryIds) {
    const row = await store.getRepository({ id });
    if (!row) throw new ConfigError('repository-id', `no tracked repository has id ${id}`);
    inputs.repositories.push({ owner: row.owner, name: row.name });
  }
}

/** A cancelled workflow gets SIGINT, then SIGTERM: finish the page in flight and hand the leases back. */
function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => {
    core.warning('Cancellation received: finishing the page in flight and releasing leases');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

async function backfill(
  inputs: ActionInputs,
  context: RunnerContext,
  store: Store,
  secrets: readonly string[],
): Promise<RunSummary> {
  const github = createGitHubClient({ token: inputs.githubToken, apiUrl: inputs.githubApiUrl });
  const signals = stopOnSignals();
  try {
    return await runBackfill(engineOptions(inputs, context), {
      store,
      github,
      signal: signals.signal,
      onEvent: (event) => {
        const line = logLine(event, secrets);
        if (line !== null) core.info(line);
      },
    });
  } finally {
    signals.dispose();
  }
}

async function publish(summary: RunSummary, context: RunnerContext): Promise<void> {
  for (const [name, value] of Object.entries(actionOutputs(summary))) core.setOutput(name, value);
  for (const a of annotations(summary)) {
    if (a.level === 'error') core.error(a.message, { title: a.title });
    else core.warning(a.message, { title: a.title });
  }
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('No GITHUB_STEP_SUMMARY file: skipping the job summary');
    return;
  }
  await core.summary.addRaw(jobSummaryMarkdown(summary, context), true).write();
}

/** Files and closes issues; every failure here is a warning, never the step's failure. */
async function reportIssues(
  summary: RunSummary,
  inputs: ActionInputs,
  context: RunnerContext,
  secrets: string[],
): Promise<void> {
  const repository = splitRepository(context.repository);
  if (!repository) {
    core.warning('report-issues: GITHUB_REPOSITORY is not set, so there is no repository to file issues in');
    return;
  }
  try {
    const octokit = getOctokit(inputs.githubToken, { baseUrl: inputs.githubApiUrl });
    const reporter = createIssueReporter({
      request: (route, parameters) => octokit.request(route, parameters),
      token: inputs.githubToken, // kept out of everything the issues say
      repository,
      labels: inputs.issueLabels,
      runUrl: context.runUrl,
      secrets,
    });
    const outcome = await reporter.report(summary);
    core.info(
      `Issues in ${context.repository}: ${outcome.created.length} created, ${outcome.commented.length} updated, ` +
        `${outcome.closed.length} closed`,
    );
    for (const f of outcome.failures.slice(0, MAX_REPORTED_FAILURES)) {
      const status = f.status === undefined ? '' : ` (HTTP ${f.status})`;
      core.warning(
        `report-issues: could not ${FAILED_ACTION[f.action](f.issueNumber)}${status}: ${f.message}`,
      );
    }
  } catch (error) {
    core.warning(
      `report-issues: ${redactSecrets(error instanceof Error ? error.message : String(error), secrets)}`,
    );
  }
}

/** `command: pause` and the others: one SQL function per named repository, each said in the log. */
async function operateOn(inputs: ActionInputs, store: Store, command: OperatorCommand): Promise<void> {
  if (inputs.chunkIds.length > 0) {
    for (const chunkId of inputs.chunkIds) {
      core.info(`chunk ${chunkId}: ${operatedLine(await retryChunk(store, chunkId))}`);
    }
    return;
  }
  const targets = [...inputs.repositories, ...inputs.repositoryIds.map((id) => ({ id }))];
  for (const target of targets) {
    const ref = 'id' in target ? target : { owner: target.owner, name: target.name };
    core.info(operatedLine(await operate(store, command, ref, inputs.operatorArgs)));
  }
}

function failureMessage(summary: RunSummary): string {
  const first = summary.errors.critical[0];
  return `The backfill failed${first ? `: ${first.message}` : ''}`;
}

export async function run(): Promise<void> {
  const get = (name: string) => core.getInput(name);
  // Masked before anything else runs, so no later log line, annotation or error can show them.
  const secrets = secretValues(get);
  if (process.env.GITHUB_TOKEN) secrets.push(process.env.GITHUB_TOKEN);
  for (const secret of secrets) core.setSecret(secret);

  let store: Store | undefined;
  try {
    const context = runnerContext();
    const inputs = readInputs(get, {
      token: process.env.GITHUB_TOKEN,
      repository: context.repository,
      apiUrl: context.apiUrl,
    });
    store = await core.group('Connect to the database', async () => {
      const opened = await openBackend(inputs.store, { secrets });
      core.info(
        inputs.store.kind === 'supabase'
          ? redactSecrets(`Supabase project ${inputs.store.supabaseUrl}`, secrets)
          : 'Postgres database',
      );
      return opened;
    });
    const openedStore = store;
    if (inputs.command !== 'run') {
      const command = inputs.command;
      await core.group(`${command[0]!.toUpperCase()}${command.slice(1)}`, () =>
        operateOn(inputs, openedStore, command),
      );
      return;
    }
    await addNamedByIds(inputs, openedStore);
    const raw = await core.group(inputs.dryRun ? 'Plan (dry run)' : 'Backfill', () =>
      backfill(inputs, context, openedStore, secrets),
    );
    const summary = redactSummary(raw, secrets);
    await core.group('Outputs and job summary', () => publish(summary, context));
    if (inputs.reportIssues && !inputs.dryRun) {
      await core.group('Report issues', () => reportIssues(summary, inputs, context, secrets));
    }
    if (summary.outcome === 'failed') core.setFailed(failureMessage(summary));
  } catch (error) {
    core.setFailed(redactSecrets(error instanceof Error ? error.message : String(error), secrets));
  } finally {
    await store?.close().catch(() => {});
  }
}
