/**
 * The action's inputs, read once into one typed, validated object. Every bad value fails here, before anything
 * connects anywhere, with a message that names the input as it is spelled in the workflow file.
 *
 * Reading goes through a getter so the rules can be exercised without the runner's environment.
 */
import type { FieldProfile } from '../domain/pull-request.ts';
import { connectionUrlSecrets } from '../domain/redact.ts';
import { InvalidRepositorySpecError, parseRepositoryList } from '../domain/repository-spec.ts';
import type { BackfillScope } from '../domain/scope.ts';
import {
  ConfigError,
  DEFAULTS,
  parseBoolean,
  parseDuration,
  parseFieldProfile,
  parseScope,
  parseThreshold,
  parseWholeNumber,
  parseWholeSetting,
  type RANGES,
} from '../engine/options.ts';
import type { RepositorySpec } from '../engine/types.ts';
import { chooseBackend, type StoreBackend } from '../shared-entry/open-store.ts';
import {
  isOperatorCommand,
  OPERATOR_COMMANDS,
  type OperatorArgs,
  type OperatorCommand,
  parsePauseUntil,
} from '../shared-entry/operator-commands.ts';

/** Returns the trimmed input value, '' when it was not given. */
export type InputGetter = (name: string) => string;

export interface ActionInputs {
  /** `run` backfills; the operator's commands act on the named repositories instead */
  command: 'run' | OperatorCommand;
  /** the operator command's reason and (pause) end */
  operatorArgs: OperatorArgs;
  /** `command: retry` only: these failed or stalled chunks instead of the repositories' backfills */
  chunkIds: number[];
  githubToken: string;
  githubApiUrl: string;
  /** never PGlite: a workflow's disk is gone when the job ends */
  store: StoreBackend;
  /** empty: every tracked repository that needs work */
  repositories: RepositorySpec[];
  /** tracked repositories named by their database id, added to `repositories` once the store is open */
  repositoryIds: number[];
  completenessThreshold: number;
  minPrs: number;
  fieldProfile: FieldProfile;
  /** `since`, `states`, `base`: which pull requests to backfill; absent when none is set (each backfill's own) */
  scope: BackfillScope | undefined;
  chunkSize?: number;
  maxChunks?: number;
  reservePoints?: number;
  timeBudgetMs: number;
  dryRun: boolean;
  reportIssues: boolean;
  issueLabels: string[];
}

/** Where the environment fills in an input the action.yml default could not (e.g. under @github/local-action). */
export interface InputFallbacks {
  token?: string;
  repository?: string;
  apiUrl?: string;
}

/**
 * An unexpanded `${{ github.token }}`-style default means the caller ran the action outside a real runner
 * (local-action passes action.yml defaults through verbatim): treat it as not given.
 */
function given(value: string): string {
  return /^\$\{\{.*\}\}$/s.test(value) ? '' : value;
}

/** The input parsed by the engine's own rule, or the fallback when it was not given. */
function optional<T>(get: InputGetter, name: string, parse: (text: string) => T, fallback: T): T {
  const raw = given(get(name));
  return raw === '' ? fallback : parse(raw);
}

function wholeNumber(get: InputGetter, name: string, key: keyof typeof RANGES): number | undefined {
  return optional(get, name, (text) => parseWholeSetting(key, text), undefined);
}

/**
 * The listed repositories. An empty value (a scheduled workflow's) stands for the tracked set, as in the CLI and the
 * tick; only the unexpanded default of a local run means the repository running it.
 */
function repositories(get: InputGetter, fallback: string | undefined): RepositorySpec[] {
  const value = get('repositories');
  const raw = given(value) === value ? value : (fallback ?? '');
  if (raw.trim() === '') return [];
  let specs: RepositorySpec[];
  try {
    specs = parseRepositoryList(raw);
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new ConfigError('repositories', error.message);
    throw error;
  }
  if (specs.length === 0) {
    throw new ConfigError('repositories', 'no repository given: list owner/name or owner/* entries');
  }
  return specs;
}

function url(get: InputGetter, name: string, fallback: string): string {
  const raw = given(get(name)) || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function storeBackend(get: InputGetter): StoreBackend {
  const databaseUrl = given(get('database-url'));
  // Checked again by the store; this message can never quote the URL, since it holds a password.
  if (databaseUrl && !/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
    throw new ConfigError('database-url', 'must be a postgres:// or postgresql:// connection URL');
  }
  const backend = chooseBackend({
    databaseUrl,
    supabaseUrl: given(get('supabase-url')),
    supabaseServiceRoleKey: given(get('supabase-service-role-key')),
  });
  if (backend.kind === 'supabase') backend.supabaseUrl = url(get, 'supabase-url', '');
  return backend;
}

function labels(get: InputGetter): string[] {
  const raw = given(get('issue-labels'));
  const list = (raw === '' ? DEFAULTS.issueLabels : raw)
    .split(/[,\n]/)
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
  const tooLong = list.find((label) => label.length > 50);
  if (tooLong) throw new ConfigError('issue-labels', `labels are at most 50 characters, got "${tooLong}"`);
  return [...new Set(list)];
}

/** Database ids, separated by commas or newlines. */
function ids(get: InputGetter, setting: string): number[] {
  return given(get(setting))
    .split(/[,\n]/)
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .map((id) => parseWholeNumber(id, setting, 1));
}

function command(get: InputGetter): ActionInputs['command'] {
  const raw = given(get('command')) || 'run';
  if (raw === 'run' || isOperatorCommand(raw)) return raw;
  throw new ConfigError('command', `must be run, ${OPERATOR_COMMANDS.join(', ')}, got "${raw}"`);
}

/**
 * An operator command acts on named repositories only (retry: or on chunks by id), and only pause takes an end;
 * pause needs a reason.
 */
function operatorArgs(get: InputGetter, inputs: ActionInputs): OperatorArgs {
  const reason = given(get('reason'));
  const until = given(get('until'));
  if (inputs.chunkIds.length > 0) {
    // a chunk is named by its id alone: `repositories` (which defaults to this repository) is not read then
    if (inputs.command !== 'retry')
      throw new ConfigError('chunk-id', `only retry acts on chunks, not ${inputs.command}`);
    if (inputs.repositoryIds.length > 0)
      throw new ConfigError('chunk-id', 'retry chunks or repositories (repository-id), not both at once');
  } else if (inputs.command !== 'run') {
    if (inputs.repositories.some((spec) => spec.name === '*')) {
      throw new ConfigError('repositories', `${inputs.command} acts on owner/name repositories, not owner/*`);
    }
    if (inputs.repositories.length === 0 && inputs.repositoryIds.length === 0) {
      throw new ConfigError(
        'repositories',
        `${inputs.command} needs repositories or repository-id to act on`,
      );
    }
  }
  if (inputs.command === 'run') return {};
  if (inputs.command === 'pause' && reason === '') throw new ConfigError('reason', 'a pause needs a reason');
  if (until !== '' && inputs.command !== 'pause') {
    throw new ConfigError('until', `only pause takes an end time, not ${inputs.command}`);
  }
  return {
    ...(reason === '' ? {} : { reason }),
    ...(until === '' ? {} : { until: parsePauseUntil(until, 'until') }),
  };
}

export function readInputs(get: InputGetter, fallbacks: InputFallbacks = {}): ActionInputs {
  const githubToken = given(get('github-token')) || fallbacks.token || '';
  if (!githubToken) {
    throw new ConfigError(
      'github-token',
      'is empty: pass a token, e.g. the workflow token secrets.GITHUB_TOKEN',
    );
  }
  const inputs: ActionInputs = {
    command: command(get),
    operatorArgs: {},
    githubToken,
    githubApiUrl: url(get, 'github-api-url', fallbacks.apiUrl || DEFAULTS.githubApiUrl),
    store: storeBackend(get),
    repositories: repositories(get, fallbacks.repository),
    repositoryIds: ids(get, 'repository-id'),
    chunkIds: ids(get, 'chunk-id'),
    completenessThreshold: optional(
      get,
      'completeness-threshold',
      parseThreshold,
      DEFAULTS.completenessThreshold,
    ),
    minPrs: wholeNumber(get, 'min-prs', 'minPrs') ?? DEFAULTS.minPrs,
    fieldProfile: optional<FieldProfile>(get, 'field-profile', parseFieldProfile, DEFAULTS.fieldProfile),
    scope: parseScope({ since: given(get('since')), states: given(get('states')), base: given(get('base')) }),
    timeBudgetMs: parseDuration(given(get('time-budget')) || DEFAULTS.timeBudget.action, 'time-budget'),
    dryRun: optional(get, 'dry-run', (text) => parseBoolean(text, 'dry-run'), DEFAULTS.dryRun),
    reportIssues: optional(
      get,
      'report-issues',
      (text) => parseBoolean(text, 'report-issues'),
      DEFAULTS.reportIssues,
    ),
    issueLabels: labels(get),
  };
  const chunkSize = wholeNumber(get, 'chunk-size', 'chunkSize');
  const maxChunks = wholeNumber(get, 'max-chunks', 'maxChunks');
  const reservePoints = wholeNumber(get, 'reserve-points', 'reservePoints');
  if (chunkSize !== undefined) inputs.chunkSize = chunkSize;
  if (maxChunks !== undefined) inputs.maxChunks = maxChunks;
  if (reservePoints !== undefined) inputs.reservePoints = reservePoints;
  inputs.operatorArgs = operatorArgs(get, inputs);
  return inputs;
}

/**
 * The values to mask before anything can log: tokens, keys, and the passwords inside a database URL (userinfo and
 * `password`/`sslpassword` query parameters, raw and decoded, as either can show up in a driver's message). An
 * unparseable URL is masked whole.
 */
export function secretValues(get: InputGetter): string[] {
  const secrets = [given(get('github-token')), given(get('supabase-service-role-key'))];
  const databaseUrl = given(get('database-url'));
  if (databaseUrl) {
    secrets.push(...(URL.canParse(databaseUrl) ? connectionUrlSecrets(databaseUrl) : [databaseUrl]));
  }
  return [...new Set(secrets.filter((s) => s.length > 0))];
}
