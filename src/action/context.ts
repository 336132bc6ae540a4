/** What the runner tells a step about its workflow run: @actions/github's context, in the shape the action uses. */
import { context as actionsContext } from '@actions/github';

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

type ActionsContext = Pick<
  typeof actionsContext,
  'eventName' | 'runId' | 'runAttempt' | 'job' | 'serverUrl' | 'apiUrl' | 'repo'
>;

export function runnerContext(source: ActionsContext = actionsContext): RunnerContext {
  const serverUrl = (source.serverUrl || 'https://github.com').replace(/\/+$/, '');
  const repository = repositoryOf(source);
  // outside a runner the numbers are NaN
  const runId = Number.isFinite(source.runId) ? String(source.runId) : '';
  return {
    eventName: source.eventName ?? '',
    repository,
    runId,
    runAttempt: Number.isFinite(source.runAttempt) ? String(source.runAttempt) : '1',
    job: source.job ?? '',
    serverUrl,
    apiUrl: source.apiUrl ?? '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : null,
  };
}

/** `context.repo` throws when neither GITHUB_REPOSITORY nor the event payload names a repository. */
function repositoryOf(source: ActionsContext): string {
  try {
    const { owner, repo } = source.repo;
    return owner && repo ? `${owner}/${repo}` : '';
  } catch {
    return '';
  }
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
