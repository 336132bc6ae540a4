/**
 * An imitation of GitHub's GraphQL endpoint on loopback HTTP: GitHub's real schema and validation, its pagination
 * rules, point costs (the product's own cost model, so predictions can be checked against charges), hourly budgets,
 * error shapes and faults. Used by tests, the offline demo and benchmarks; every clock and delay is injectable.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type DocumentNode,
  execute,
  GraphQLError,
  getOperationAST,
  getVariableValues,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import type { FieldProfile, PullRequestRecord } from '../domain/pull-request.ts';
import { TextKeyedCache } from '../domain/text-keyed-cache.ts';
import { queryCost } from '../github/cost.ts';
import { createDataset, type Dataset, type DatasetOptions, type SimRepository } from './dataset.ts';
import { createAppEndpoints, type IssuedToken, type SimulatedApp } from './github-app.ts';
import { groundTruth, groundTruthPages } from './ground-truth.ts';
import { withLocations } from './located-errors.ts';
import { mulberry32, type Random } from './random.ts';
import {
  type ExecutionContext,
  fieldResolver,
  type RateLimitPayload,
  rootValue,
  type TokenAccess,
} from './resolvers.ts';
import {
  badCredentials,
  badGateway,
  errorsOnly,
  gatewayTimeout,
  notFound,
  primaryRateLimited,
  problemsParsingJson,
  type SimResponse,
  secondaryRateLimited,
  somethingWentWrong,
  toGitHubError,
  toGitHubValidationError,
} from './responses.ts';
import { githubSchema } from './schema.ts';
import { staticChecks } from './static-checks.ts';

export type Fault =
  | { kind: '502'; body?: 'json' | 'html' }
  | { kind: '504' }
  | { kind: 'something-went-wrong' }
  | { kind: 'secondary'; retryAfterSeconds?: number; variant?: '403' | '200' }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number }
  | { kind: 'primary-exhaustion' };

export type FaultKind = Fault['kind'];

export interface FaultPlan {
  /** chance (0..1) that a GraphQL request gets a fault drawn from `pool` (seeded, so runs repeat) */
  rate?: number;
  pool?: Fault[];
  seed?: number;
  /** faults for given request indices (see `RequestLogEntry.index`) */
  at?: Record<number, Fault>;
  /** faults for the next GraphQL requests in order; `null` lets one through */
  next?: (Fault | null)[];
}

export interface TokenOptions {
  /** points per hour (default 5,000) */
  limit?: number;
  /** repositories the token can see; an invisible private repository is NOT_FOUND, like GitHub (default: all) */
  canSee?: (owner: string, name: string) => boolean;
  /** visible but without pull-request read permission: FORBIDDEN on `pullRequests` (default: all) */
  canReadPullRequests?: (owner: string, name: string) => boolean;
  /** picks the FORBIDDEN wording: "…by personal access token" or "…by integration" */
  kind?: 'personal-access-token' | 'integration';
  /** echoed in `x-oauth-scopes` */
  scopes?: string[];
  login?: string;
  userId?: number;
}

export interface LatencyInput {
  index: number;
  cost: number;
  nodeCount: number;
  /**
   * what the simulator has spent on the request since it arrived (on its clock): its own work and its wait behind
   * other requests' work, which a model of GitHub's response time may count as part of that time
   */
  elapsedMs: number;
}

export interface SimulatorOptions {
  dataset: Dataset | DatasetOptions;
  tokens: Record<string, TokenOptions>;
  /** GitHub Apps by app id: their installations mint tokens that expire and draw on per-installation budgets */
  apps?: Record<string, SimulatedApp>;
  port?: number;
  /** milliseconds since the epoch (default Date.now) */
  now?: () => number;
  /** every delay goes through here, so tests can make latency free */
  sleep?: (ms: number) => Promise<void>;
  latencyMs?: number | ((request: LatencyInput) => number);
  faults?: FaultPlan;
  /** status of a primary rate-limit rejection: GitHub has answered 200 and 403 (default 200) */
  primaryLimitStatus?: 200 | 403 | 429;
  /** deprecated 32-bit `databaseId` fields with a larger id: null (default) or a field error */
  int32Overflow?: 'null' | 'error';
  /** a GitHub-like API that does not answer lookups by number: `issueOrPullRequest` is an unknown field there */
  refuseNumberLookups?: boolean;
  /** a GitHub-like API that caps lookups by number per query, refusing a query with more as invalid */
  maxNumberLookups?: number;
  /**
   * keep every request in `requests` (default true); a long run in the same process, like the demo, turns it off:
   * the log holds each request's variables, ~20 KB for a follow-up of 149 connections
   */
  requestLog?: boolean;
}

export interface RequestLogEntry {
  index: number;
  method: string;
  path: string;
  token: string | null;
  status: number;
  /** points charged (0 when rejected or faulted) */
  cost: number;
  /** budget remaining after this request; null when unauthenticated */
  remaining: number | null;
  fault: FaultKind | null;
  operationName: string | null;
  variables: Record<string, unknown> | null;
  at: number;
}

export interface Budget {
  limit: number;
  used: number;
  remaining: number;
  resetAt: string;
  resetAtMs: number;
}

export interface Simulator {
  /** base URL, e.g. http://127.0.0.1:PORT; GraphQL is served at `${url}/graphql` and `${url}/api/graphql` */
  readonly url: string;
  /** every request served, oldest first (empty with `requestLog: false`) */
  readonly requests: RequestLogEntry[];
  readonly dataset: Dataset;
  budget(token: string): Budget;
  /** installation tokens minted so far, oldest first */
  appTokens(): IssuedToken[];
  setFaults(plan: FaultPlan | undefined): void;
  groundTruth(owner: string, name: string, profile: FieldProfile): PullRequestRecord[];
  /** The same records in number order, `size` at a time */
  groundTruthPages(
    owner: string,
    name: string,
    profile: FieldProfile,
    size: number,
  ): Iterable<PullRequestRecord[]>;
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;
const MAX_NODES = 500_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const GRAPHQL_PATHS = new Set(['/graphql', '/api/graphql']);
const RATE_LIMIT_PATHS = new Set(['/rate_limit', '/api/v3/rate_limit']);

interface Window {
  startedAt: number;
  used: number;
}

type CheckedDocument =
  | { document: DocumentNode; validationErrors: readonly GraphQLError[] }
  | { syntaxError: GraphQLError };

type Outcome =
  | { response: SimResponse; cost: number; fault: FaultKind | null }
  | { reset: true; fault: FaultKind };

/** How long a request waits, under a latency model, for others sent in the same burst (see handle). */
const BURST_MS = 3;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isoSecondsMs(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function tokenFrom(header: string | undefined): string | null {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const dataset =
    'repositories' in options.dataset && typeof (options.dataset as Dataset).repository === 'function'
      ? (options.dataset as Dataset)
      : createDataset(options.dataset as DatasetOptions);
  const datasetRepository = (owner: string, name: string): SimRepository => {
    const repository = dataset.repository(owner, name);
    if (!repository) throw new Error(`no repository ${owner}/${name} in the dataset`);
    return repository;
  };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const schema = githubSchema();
  const requests: RequestLogEntry[] = [];
  const windows = new Map<string, Window>();
  let faults: FaultPlan = { ...options.faults, next: [...(options.faults?.next ?? [])] };
  let faultRandom: Random = mulberry32(options.faults?.seed ?? 1);
  let requestCount = 0;

  // Clients send the same documents over and over; validating against the 1 MB schema is the costly part. Kept
  // without token locations (an answer's errors get theirs in `rejected` and after execution, see
  // located-errors.ts) and bounded by text: a follow-up document is 90 KB where a page's is 3 KB.
  const checkedDocuments = new TextKeyedCache<CheckedDocument>(512_000);
  const parseAndValidate = (query: string): CheckedDocument => {
    let checked = checkedDocuments.get(query);
    if (!checked) {
      try {
        const document = parse(query, { noLocation: true });
        checked = { document, validationErrors: validate(schema, document) };
      } catch (error) {
        checked = { syntaxError: error as GraphQLError };
      }
      checkedDocuments.set(query, checked);
    }
    return checked;
  };

  const appEndpoints = createAppEndpoints(options.apps ?? {}, now);
  /** A token's settings: a configured token, or a live installation token (expired ones are unknown). */
  const settingsOf = (token: string): TokenOptions | undefined => {
    const installation = appEndpoints.access(token);
    return installation && installation !== 'expired' ? installation.options : options.tokens[token];
  };
  /** Every token of one installation shares its budget; any other token has its own. */
  const budgetKeyOf = (token: string): string => {
    const installation = appEndpoints.access(token);
    return installation && installation !== 'expired' ? installation.budgetKey : token;
  };
  const limitOf = (token: string) => settingsOf(token)?.limit ?? 5_000;

  /** The token's current window, opened by its first request and renewed an hour later, like GitHub's. */
  const windowOf = (token: string): Window => {
    const at = now();
    const key = budgetKeyOf(token);
    let window = windows.get(key);
    if (!window || at >= window.startedAt + HOUR_MS) {
      window = { startedAt: at, used: 0 };
      windows.set(key, window);
    }
    return window;
  };

  const budget = (token: string): Budget => {
    const window = windows.get(budgetKeyOf(token));
    const at = now();
    const current = window && at < window.startedAt + HOUR_MS ? window : undefined;
    const limit = limitOf(token);
    const used = Math.min(current?.used ?? 0, limit);
    const resetAtMs = (current?.startedAt ?? at) + HOUR_MS;
    return { limit, used, remaining: limit - used, resetAt: isoSecondsMs(resetAtMs), resetAtMs };
  };

  const tokenAccess = (token: string): TokenAccess => {
    const settings = settingsOf(token) ?? {};
    return {
      canSee: settings.canSee ?? (() => true),
      canReadPullRequests: settings.canReadPullRequests ?? (() => true),
      kind: settings.kind ?? 'personal-access-token',
      login: settings.login ?? 'simulated-user',
      userId: settings.userId ?? 583_231,
    };
  };

  const drawFault = (index: number): Fault | null => {
    const scripted = faults.at?.[index];
    if (scripted) return scripted;
    if (faults.next && faults.next.length > 0) return faults.next.shift() ?? null;
    const rate = faults.rate ?? 0;
    const pool = faults.pool ?? [];
    if (rate <= 0 || pool.length === 0) return null;
    const roll = faultRandom();
    const choice = faultRandom();
    return roll < rate ? (pool[Math.floor(choice * pool.length)] ?? null) : null;
  };

  const rateHeaders = (token: string): Record<string, string> => {
    const state = budget(token);
    const settings = settingsOf(token);
    return {
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-remaining': String(state.remaining),
      'x-ratelimit-used': String(state.used),
      'x-ratelimit-reset': String(Math.floor(state.resetAtMs / 1000)),
      'x-ratelimit-resource': 'graphql',
      ...(settings?.scopes ? { 'x-oauth-scopes': settings.scopes.join(', ') } : {}),
    };
  };

  const requestIdFor = (index: number) =>
    `SIM1:${index.toString(16).toUpperCase().padStart(4, '0')}:${(index * 7919).toString(16).toUpperCase()}`;

  async function runGraphql(
    index: number,
    token: string,
    text: string,
    log: RequestLogEntry,
  ): Promise<Outcome> {
    const requestId = requestIdFor(index);
    const fault = drawFault(index);
    let faultKind: FaultKind | null = fault?.kind ?? null;
    switch (fault?.kind) {
      case 'reset':
        return { reset: true, fault: 'reset' };
      case '502':
        return { response: badGateway(requestId, fault.body ?? 'json'), cost: 0, fault: faultKind };
      case '504':
        return { response: gatewayTimeout(), cost: 0, fault: faultKind };
      case 'something-went-wrong':
        return { response: somethingWentWrong(requestId), cost: 0, fault: faultKind };
      case 'secondary':
        return {
          response: secondaryRateLimited(requestId, fault.retryAfterSeconds ?? 60, fault.variant ?? '403'),
          cost: 0,
          fault: faultKind,
        };
      case 'slow':
        await sleep(fault.ms);
        break;
      case 'primary-exhaustion': {
        const window = windowOf(token);
        window.used = limitOf(token);
        break;
      }
      default:
        faultKind = null;
    }

    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(text);
    } catch {
      return { response: problemsParsingJson(), cost: 0, fault: faultKind };
    }
    if (typeof payload?.query !== 'string') {
      return {
        response: errorsOnly([{ message: 'A query attribute must be specified and must be a string.' }]),
        cost: 0,
        fault: faultKind,
      };
    }
    const variables = (payload.variables ?? {}) as Record<string, unknown>;
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    log.variables = variables;
    log.operationName = operationName ?? null;

    const query = payload.query;
    const checked = parseAndValidate(query);
    const located = (errors: readonly GraphQLError[]) =>
      'document' in checked ? withLocations(errors, query, checked.document) : errors;
    const rejected = (errors: readonly GraphQLError[], validation = false) => ({
      response: errorsOnly(located(errors).map(validation ? toGitHubValidationError : toGitHubError)),
      cost: 0,
      fault: faultKind,
    });

    if ('syntaxError' in checked) return rejected([checked.syntaxError]);
    if (checked.validationErrors.length > 0) return rejected(checked.validationErrors, true);
    const document = checked.document;
    const operation = getOperationAST(document, operationName) as OperationDefinitionNode | null;
    if (!operation) {
      return rejected([
        new GraphQLError(
          operationName ? `Unknown operation named "${operationName}".` : 'An operation name is required',
        ),
      ]);
    }
    log.operationName = operation.name?.value ?? null;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return rejected(coerced.errors);
    const checks = staticChecks(schema, document, operation, coerced.coerced);
    if (checks.errors.length > 0) return rejected(checks.errors);
    const lookups = payload.query.match(/\bissueOrPullRequest\b/g)?.length ?? 0;
    if (options.maxNumberLookups !== undefined && lookups > options.maxNumberLookups) {
      return rejected([
        new GraphQLError(
          `This query has ${lookups} lookups by number; at most ${options.maxNumberLookups} are allowed.`,
        ),
      ]);
    }
    if (options.refuseNumberLookups && lookups > 0) {
      return rejected(
        [new GraphQLError('Cannot query field "issueOrPullRequest" on type "Repository".')],
        true,
      );
    }

    const predicted = queryCost(document, coerced.coerced, operation.name?.value);
    if (predicted.nodeCount > MAX_NODES) {
      return {
        response: errorsOnly([
          {
            type: 'MAX_NODE_LIMIT_EXCEEDED',
            message: `This query requests up to ${predicted.nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${MAX_NODES.toLocaleString('en-US')}.`,
          },
        ]),
        cost: 0,
        fault: faultKind,
      };
    }

    const window = windowOf(token);
    const limit = limitOf(token);
    const charge = checks.dryRun ? 0 : predicted.cost;
    if (charge > limit - window.used) {
      const user = tokenAccess(token).userId;
      return {
        response: primaryRateLimited(user, window.used >= limit, options.primaryLimitStatus ?? 200),
        cost: 0,
        fault: faultKind,
      };
    }
    window.used += charge;
    const rateLimit: RateLimitPayload = {
      cost: predicted.cost,
      limit,
      remaining: limit - window.used,
      used: window.used,
      resetAt: isoSecondsMs(window.startedAt + HOUR_MS),
      nodeCount: predicted.nodeCount + checks.lookups,
    };
    const context: ExecutionContext = {
      dataset,
      token: tokenAccess(token),
      rateLimit,
      servedRepositories: new Set<SimRepository>(),
      int32Overflow: options.int32Overflow ?? 'null',
    };
    const result = await execute({
      schema,
      document,
      rootValue: rootValue(context),
      contextValue: context,
      variableValues: coerced.coerced,
      operationName,
      fieldResolver,
    });
    for (const repository of context.servedRepositories) repository.recordPageServed(now());
    // the answer is written out before the wait, so its writing is inside the response time like the resolving
    const body: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) body.errors = located(result.errors).map(toGitHubError);
    const written = JSON.stringify(body);

    const latency =
      typeof options.latencyMs === 'function'
        ? options.latencyMs({
            index,
            cost: predicted.cost,
            nodeCount: rateLimit.nodeCount,
            elapsedMs: now() - log.at,
          })
        : (options.latencyMs ?? 0);
    if (latency > 0) await sleep(latency);
    return { response: { status: 200, body, text: written }, cost: charge, fault: faultKind };
  }

  function send(response: ServerResponse, outcome: SimResponse, headers: Record<string, string>): void {
    const text = outcome.text ?? JSON.stringify(outcome.body);
    response.writeHead(outcome.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v4; format=json',
      ...headers,
      ...outcome.headers,
    });
    response.end(text);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const index = requestCount++;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const token = tokenFrom(request.headers.authorization);
    const known = token !== null && settingsOf(token) !== undefined;
    const log: RequestLogEntry = {
      index,
      method: request.method ?? 'GET',
      path,
      token,
      status: 0,
      cost: 0,
      remaining: null,
      fault: null,
      operationName: null,
      variables: null,
      at: now(),
    };
    if (options.requestLog !== false) requests.push(log);
    const requestId = { 'x-github-request-id': requestIdFor(index) };

    const isGraphql = GRAPHQL_PATHS.has(path) && request.method === 'POST';
    const isRateLimit = RATE_LIMIT_PATHS.has(path) && request.method === 'GET';
    const app = appEndpoints.handle(
      log.method,
      path.replace(/^\/api\/v3(?=\/)/, ''),
      url.searchParams,
      token,
    );
    if (app) {
      await readBody(request);
      log.status = app.status;
      send(response, app, requestId);
      return;
    }
    if (!isGraphql && !isRateLimit) {
      log.status = 404;
      send(response, notFound(), requestId);
      return;
    }
    const text = await readBody(request);
    if (!known) {
      log.status = 401;
      send(response, badCredentials(), requestId);
      return;
    }
    if (isRateLimit) {
      const state = budget(token);
      const graphql = {
        limit: state.limit,
        used: state.used,
        remaining: state.remaining,
        reset: Math.floor(state.resetAtMs / 1000),
      };
      const core = { limit: 5_000, used: 0, remaining: 5_000, reset: graphql.reset };
      log.status = 200;
      log.remaining = state.remaining;
      send(response, { status: 200, body: { resources: { core, graphql }, rate: core } }, requestId);
      return;
    }

    // Requests that arrived together start their clocks together: resolving one is synchronous work on this one
    // thread, and without a pause the next request would be read, and its time begin, only after it. Under a
    // latency model the pause is inside the response time (which counts from arrival), so it can be long enough to
    // read a whole burst a client sends at once, as GitHub's servers would take them side by side.
    await (options.latencyMs ? sleep(BURST_MS) : new Promise((resolve) => setImmediate(resolve)));
    const outcome = await runGraphql(index, token, text, log);
    log.fault = outcome.fault;
    if ('reset' in outcome) {
      log.status = 0;
      request.socket.destroy();
      return;
    }
    log.status = outcome.response.status;
    log.cost = outcome.cost;
    const headers: Record<string, string> = { ...requestId, ...rateHeaders(token) };
    const rateLimited =
      (outcome.response.body as { errors?: { type?: string }[] } | null)?.errors?.[0]?.type ===
      'RATE_LIMITED';
    if (rateLimited) headers['x-ratelimit-remaining'] = '0';
    log.remaining = Number(headers['x-ratelimit-remaining']);
    send(response, outcome.response, headers);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A simulator bug must surface as a loud 500, never as a plausible GitHub answer.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `simulator error: ${(error as Error).message}` }));
    });
  });
  // Longer than any client's idle pool timeout, so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dataset,
    budget,
    appTokens: appEndpoints.issued,
    setFaults(plan) {
      faults = { ...plan, next: [...(plan?.next ?? [])] };
      faultRandom = mulberry32(plan?.seed ?? 1);
    },
    groundTruth(owner, name, profile) {
      return groundTruth(datasetRepository(owner, name), profile);
    },
    groundTruthPages(owner, name, profile, size) {
      return groundTruthPages(datasetRepository(owner, name), profile, size);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
