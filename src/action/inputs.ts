/**
 * The action's inputs, read once into one typed, validated object. Every bad value fails here, before anything
 * connects anywhere, with a message that names the input as it is spelled in the workflow file.
 *
 * Reading goes through a getter so the rules can be exercised without the runner's environment.
 */
import { FIELD_PROFILES, type FieldProfile } from '../domain/pull-request.ts';
import { connectionUrlSecrets } from '../domain/redact.ts';
import { InvalidRepositorySpecError, parseRepositoryList } from '../domain/repository-spec.ts';
import { ConfigError, parseDuration } from '../engine/options.ts';
import type { RepositorySpec } from '../engine/types.ts';
import { chooseBackend, type StoreBackend } from '../entry/open-store.ts';

/** Returns the trimmed input value, '' when it was not given. */
export type InputGetter = (name: string) => string;

export interface ActionInputs {
  githubToken: string;
  githubApiUrl: string;
  /** never PGlite: a workflow's disk is gone when the job ends */
  store: StoreBackend;
  repositories: RepositorySpec[];
  completenessThreshold: number;
  minPrs: number;
  fieldProfile: FieldProfile;
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

const DEFAULT_API_URL = 'https://api.github.com';

/**
 * An unexpanded `${{ github.token }}`-style default means the caller ran the action outside a real runner
 * (local-action passes action.yml defaults through verbatim): treat it as not given.
 */
function given(value: string): string {
  return /^\$\{\{.*\}\}$/s.test(value) ? '' : value;
}

function wholeNumber(get: InputGetter, name: string, min: number, max?: number): number | undefined {
  const raw = given(get(name));
  if (raw === '') return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(name, `must be a whole number ${range}, got "${raw}"`);
  }
  return value;
}

function requiredWholeNumber(get: InputGetter, name: string, min: number, fallback: number): number {
  return wholeNumber(get, name, min) ?? fallback;
}

function share(get: InputGetter, name: string, fallback: number): number {
  const raw = given(get(name));
  if (raw === '') return fallback;
  const value = /^(?:\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new ConfigError(name, `must be a number above 0 and at most 1 (e.g. 0.8), got "${raw}"`);
  }
  return value;
}

/** YAML 1.2 core schema booleans, as @actions/core accepts them, with a message that names the input. */
function boolean(get: InputGetter, name: string, fallback: boolean): boolean {
  const raw = given(get(name));
  if (raw === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function fieldProfile(get: InputGetter): FieldProfile {
  const raw = given(get('field-profile')) || 'core';
  if (!(FIELD_PROFILES as readonly string[]).includes(raw)) {
    throw new ConfigError('field-profile', `must be one of ${FIELD_PROFILES.join(', ')}, got "${raw}"`);
  }
  return raw as FieldProfile;
}

function repositories(get: InputGetter, fallback: string | undefined): RepositorySpec[] {
  const raw = given(get('repositories')) || fallback || '';
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
  const list = (raw === '' ? 'progressive-backfill,bug' : raw)
    .split(/[,\n]/)
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
  const tooLong = list.find((label) => label.length > 50);
  if (tooLong) throw new ConfigError('issue-labels', `labels are at most 50 characters, got "${tooLong}"`);
  return [...new Set(list)];
}

export function readInputs(get: InputGetter, fallbacks: InputFallbacks = {}): ActionInputs {
  const githubToken = given(get('github-token')) || fallbacks.token || '';
  if (!githubToken) {
    throw new ConfigError(
      'github-token',
      'is empty: pass a token, e.g. the workflow token secrets.GITHUB_TOKEN',
    );
  }
  const timeBudget = given(get('time-budget')) || '20m';
  const inputs: ActionInputs = {
    githubToken,
    githubApiUrl: url(get, 'github-api-url', fallbacks.apiUrl || DEFAULT_API_URL),
    store: storeBackend(get),
    repositories: repositories(get, fallbacks.repository),
    completenessThreshold: share(get, 'completeness-threshold', 0.8),
    minPrs: requiredWholeNumber(get, 'min-prs', 0, 100),
    fieldProfile: fieldProfile(get),
    timeBudgetMs: parseDuration(timeBudget, 'time-budget'),
    dryRun: boolean(get, 'dry-run', false),
    reportIssues: boolean(get, 'report-issues', true),
    issueLabels: labels(get),
  };
  const chunkSize = wholeNumber(get, 'chunk-size', 1, 100);
  const maxChunks = wholeNumber(get, 'max-chunks', 1);
  const reservePoints = wholeNumber(get, 'reserve-points', 0);
  if (chunkSize !== undefined) inputs.chunkSize = chunkSize;
  if (maxChunks !== undefined) inputs.maxChunks = maxChunks;
  if (reservePoints !== undefined) inputs.reservePoints = reservePoints;
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
