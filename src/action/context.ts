/**
 * What the runner tells a step about its workflow run, read from the documented GITHUB_* variables. Read here
 * rather than through @actions/github's `context`, whose module pulls a REST client (~120 kB) into the bundle for
 * a dozen environment variables.
 */
export interface RunnerContext {
  eventName: string;
  /** `owner/name` of the repository running the workflow; '' outside a runner */
  repository: string;
  runId: string;
  runAttempt: string;
  job: string;
  serverUrl: string;
  apiUrl: string;
  /** link to this run's page, for issues and the job summary; null outside a runner */
  runUrl: string | null;
}

export function runnerContext(env: NodeJS.ProcessEnv = process.env): RunnerContext {
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    repository,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    job: env.GITHUB_JOB ?? '',
    serverUrl,
    apiUrl: env.GITHUB_API_URL ?? '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : null,
  };
}

/**
 * Unique per job attempt, so leases of a re-run never look like the earlier attempt's, and readable in the
 * database (`backfill_chunks.locked_by`) as the run it came from.
 */
export function workerIdFor(context: RunnerContext): string {
  const run = context.runId || `local-${Date.now()}`;
  const job = context.job ? `/${context.job}` : '';
  return `github-actions:${context.repository || 'local'}#${run}.${context.runAttempt}${job}`;
}

/** `owner/name` → `{ owner, repo }`, or null when the runner gave no usable repository. */
export function splitRepository(fullName: string): { owner: string; repo: string } | null {
  const [owner, repo, ...rest] = fullName.split('/');
  return owner && repo && rest.length === 0 ? { owner, repo } : null;
}
