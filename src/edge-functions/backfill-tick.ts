/**
 * One scheduled slice of backfill work, runtime-neutral: supabase/functions/backfill-tick serves it, pg_cron calls
 * it every minute through pg_net, and tests call it with plain `Request` objects.
 *
 * A tick is a normal engine run with a short time budget: it commits page by page, so a tick that is cut off loses
 * at most the page in flight, and the next tick carries on from the stored cursor.
 */

import type { FieldProfile } from '../domain/pull-request.ts';
import { redactJson, redactSecrets } from '../domain/redact.ts';
import { InvalidRepositorySpecError, parseRepositorySpec } from '../domain/repository-spec.ts';
import {
  ConfigError,
  DEFAULTS,
  parseDuration,
  parseFieldProfile,
  parseThreshold,
  validateOptions,
} from '../engine/options.ts';
import { runBackfill } from '../engine/run.ts';
import type { BackfillOptions, Clock, EngineEvent, RepositorySpec } from '../engine/types.ts';
import type { GitHubClient } from '../github/types.ts';
import { NOTHING_TO_BACKFILL, recoveryLine } from '../shared-entry/format.ts';
import type { Store } from '../store/types.ts';
import {
  bearerToken,
  errorResponse,
  jsonResponse,
  matchesAnySecret,
  PayloadError,
  parseJsonBody,
} from './http.ts';

/** Supabase's wall-clock limit on the free plan (paid: 400 s); the default budget leaves more than half of it free. */
export const EDGE_WALL_CLOCK_LIMIT_MS = 150_000;
export const DEFAULT_TICK_BUDGET_MS = parseDuration(DEFAULTS.timeBudget.tick, 'time-budget');
/**
 * When the engine overruns its budget (a GitHub request that hangs), the tick aborts it here: the engine then
 * releases its lease and records the run as interrupted while the isolate is still alive to do so.
 */
const HARD_STOP_MARGIN_MS = 30_000;

export interface BackfillTickDeps {
  store: Store;
  github: GitHubClient;
  /** the budget of one tick; a request may lower it, never raise it */
  budgetMs: number;
  /** bearer tokens allowed to start a tick: the service role key and/or a dedicated BACKFILL_TICK_SECRET */
  authorizedTokens: readonly string[];
  clock?: Clock;
  onEvent?: (event: EngineEvent) => void;
  /** Supabase's `EdgeRuntime.waitUntil`: keeps the isolate alive for the run when the caller hangs up early */
  waitUntil?: (promise: Promise<unknown>) => void;
  invocationId?: () => string;
  /** the platform's wall-clock limit (default 150 s, Supabase's free plan; paid plans allow 400 s) */
  wallClockLimitMs?: number;
}

/** What a caller may choose per tick; ranges are checked by the engine's own validateOptions. */
interface TickRequest {
  budgetMs: number;
  repositories: RepositorySpec[];
  force: boolean;
  fieldProfile: FieldProfile;
  dryRun: boolean;
  completenessThreshold: number;
  minPrs: number;
  maxChunks?: number;
  chunkSize?: number;
  /** answer 202 at once and keep working in the background (needs waitUntil); what the pg_cron job asks for */
  background: boolean;
}

function optional<T>(input: Record<string, unknown>, key: string, type: string, fallback: T): T {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== type) throw new PayloadError(`${key} must be a ${type}`);
  return value as T;
}

/** A string in the engine's accepted text form (`"80%"`, `"core"`), or a JSON value of the type itself. */
function textOr<T>(input: Record<string, unknown>, key: string, parse: (text: string) => T, fallback: T): T {
  const value = input[key];
  if (typeof value !== 'string') return optional(input, key, typeof fallback, fallback);
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof ConfigError) throw new PayloadError(`${key} ${error.reason}`);
    throw error;
  }
}

function repositorySpecs(value: unknown): RepositorySpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new PayloadError('repositories must be an array of "owner/name" or "owner/*" strings');
  }
  try {
    return value.map(parseRepositorySpec);
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new PayloadError(error.message);
    throw error;
  }
}

function parseTickRequest(body: unknown, maxBudgetMs: number): TickRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PayloadError('the body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const maxChunks = optional<number | undefined>(input, 'maxChunks', 'number', undefined);
  const chunkSize = optional<number | undefined>(input, 'chunkSize', 'number', undefined);
  return {
    // a caller may shorten a tick, never lengthen it past what the deployment allows
    budgetMs: Math.min(optional(input, 'budgetMs', 'number', maxBudgetMs), maxBudgetMs),
    repositories: repositorySpecs(input.repositories),
    force: optional(input, 'force', 'boolean', false),
    fieldProfile: textOr<FieldProfile>(input, 'fieldProfile', parseFieldProfile, DEFAULTS.fieldProfile),
    dryRun: optional(input, 'dryRun', 'boolean', DEFAULTS.dryRun),
    completenessThreshold: textOr(
      input,
      'completenessThreshold',
      parseThreshold,
      DEFAULTS.completenessThreshold,
    ),
    minPrs: optional(input, 'minPrs', 'number', DEFAULTS.minPrs),
    ...(maxChunks === undefined ? {} : { maxChunks }),
    ...(chunkSize === undefined ? {} : { chunkSize }),
    background: optional(input, 'background', 'boolean', false),
  };
}

function backfillOptions(tick: TickRequest, invocationId: string): BackfillOptions {
  const { background: _background, budgetMs, ...chosen } = tick;
  return {
    ...chosen,
    timeBudgetMs: budgetMs,
    workerId: `function:${invocationId}`,
    trigger: 'function',
    triggerRef: invocationId,
  };
}

/** Runs the engine with a hard stop, and clears that timer whatever happens so nothing outlives the run. */
async function runWithHardStop(options: BackfillOptions, deps: BackfillTickDeps) {
  const controller = new AbortController();
  const wallClockMs = deps.wallClockLimitMs ?? EDGE_WALL_CLOCK_LIMIT_MS;
  const hardStopMs = Math.min(options.timeBudgetMs + HARD_STOP_MARGIN_MS, wallClockMs - 10_000);
  const timer = setTimeout(() => controller.abort(new Error('the tick overran its hard stop')), hardStopMs);
  try {
    return await runBackfill(options, {
      store: deps.store,
      github: deps.github,
      clock: deps.clock,
      onEvent: (event) => {
        logNotable(event);
        deps.onEvent?.(event);
      },
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

export async function handleBackfillTick(request: Request, deps: BackfillTickDeps): Promise<Response> {
  if (request.method !== 'POST') return errorResponse(405, 'only POST is accepted');
  const token = bearerToken(request);
  if (!token || !(await matchesAnySecret(token, deps.authorizedTokens))) {
    return errorResponse(401, 'a valid Authorization: Bearer token is required');
  }
  let tick: TickRequest;
  try {
    tick = parseTickRequest(parseJsonBody(new Uint8Array(await request.arrayBuffer())), deps.budgetMs);
  } catch (error) {
    if (error instanceof PayloadError) return errorResponse(400, error.message);
    throw error;
  }
  const invocationId = deps.invocationId?.() ?? crypto.randomUUID();
  const options = backfillOptions(tick, invocationId);
  try {
    validateOptions(options);
  } catch (error) {
    if (error instanceof ConfigError) return errorResponse(400, error.message);
    throw error;
  }
  const run = runWithHardStop(options, deps);
  if (tick.background && deps.waitUntil) {
    deps.waitUntil(run.catch((error) => logFailure(error, deps)));
    return jsonResponse(202, { invocationId, accepted: true, budgetMs: tick.budgetMs });
  }
  // registered even when we wait: a caller that hangs up (pg_net gives up after its timeout) must not end the run;
  // a failure is reported below
  deps.waitUntil?.(run.catch(() => undefined));
  try {
    // pg_net keeps every response in net._http_response: the summary's error text must be as clean as the tables'
    return jsonResponse(200, { invocationId, summary: redactJson(await run, deps.authorizedTokens) });
  } catch (error) {
    logFailure(error, deps);
    return errorResponse(500, 'the backfill run failed before it could report a summary');
  }
}

/** The function log gets what an operator looks for: what recovery did, and a tick with nothing to do. */
function logNotable(event: EngineEvent): void {
  const line =
    event.type === 'run.recovered'
      ? recoveryLine(event.recovery)
      : event.type === 'run.planned' && event.candidates === 0
        ? NOTHING_TO_BACKFILL
        : null;
  if (line) console.info(`backfill-tick: ${line}`);
}

function logFailure(error: unknown, deps: BackfillTickDeps): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`backfill-tick: ${redactSecrets(detail, deps.authorizedTokens)}`);
}
