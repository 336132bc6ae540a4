#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/domain/pull-request.ts
var ACTOR_TYPES, FIELD_PROFILES;
var init_pull_request = __esm({
  "src/domain/pull-request.ts"() {
    "use strict";
    ACTOR_TYPES = ["User", "Bot", "Mannequin", "Organization", "EnterpriseUserAccount"];
    FIELD_PROFILES = ["core", "standard", "full"];
  }
});

// src/domain/scope.ts
function scopeStates(scope) {
  return scope.states ?? PULL_REQUEST_STATES;
}
function inScope(pr, scope) {
  if (scope.states && !scope.states.includes(pr.state)) return false;
  if (scope.base !== void 0 && pr.base_ref !== scope.base) return false;
  return scope.since === void 0 || createdBefore(pr, scope.since) === false;
}
function createdBefore(pr, since2) {
  return Date.parse(pr.created_at) < Date.parse(since2);
}
function scopeSearchQueries(repository, scope) {
  const common = [`repo:${repository.owner}/${repository.name}`, "is:pr"];
  if (scope.since !== void 0) common.push(`created:>=${scope.since}`);
  if (scope.base !== void 0) common.push(`base:"${scope.base}"`);
  if (!scope.states) return [common.join(" ")];
  const qualifiers = {
    OPEN: "is:open",
    CLOSED: "is:closed is:unmerged",
    MERGED: "is:merged"
  };
  return scope.states.map((state) => [...common, qualifiers[state]].join(" "));
}
function describeScope(scope) {
  const parts = [
    scope.since !== void 0 ? `since ${scope.since}` : null,
    scope.states ? `states ${scope.states.join(",")}` : null,
    scope.base !== void 0 ? `base ${scope.base}` : null
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(", ") : "the whole repository";
}
function isWholeRepository(scope) {
  return scope.since === void 0 && scope.states === void 0 && scope.base === void 0;
}
function sameScope(a, b) {
  return a.since === b.since && a.base === b.base && (a.states ?? PULL_REQUEST_STATES).join() === (b.states ?? PULL_REQUEST_STATES).join();
}
function scopeFor(given2, backfill) {
  const stored = backfill.scope ?? WHOLE_REPOSITORY;
  if (given2 === void 0) return { scope: stored };
  if (sameScope(given2, stored) || backfill.status === "idle" || backfill.status === "cancelled")
    return { scope: given2 };
  const name = backfill.fullName;
  return {
    refused: `repository ${name} is being backfilled with scope "${describeScope(stored)}", and this run gives "${describeScope(given2)}"; run with the same scope, or \`progressive-backfill cancel ${name}\` first`
  };
}
var PULL_REQUEST_STATES, WHOLE_REPOSITORY;
var init_scope = __esm({
  "src/domain/scope.ts"() {
    "use strict";
    PULL_REQUEST_STATES = ["OPEN", "CLOSED", "MERGED"];
    WHOLE_REPOSITORY = {};
  }
});

// src/github/types.ts
var GitHubError;
var init_types = __esm({
  "src/github/types.ts"() {
    "use strict";
    GitHubError = class extends Error {
      constructor(kind, message, details = {}) {
        super(message, { cause: details.cause });
        this.kind = kind;
        this.details = details;
        this.name = "GitHubError";
      }
      kind;
      details;
      get fatal() {
        return this.kind === "auth" || this.kind === "permission" || this.kind === "not_found" || this.kind === "invalid";
      }
    };
  }
});

// src/store/types.ts
var StoreError;
var init_types2 = __esm({
  "src/store/types.ts"() {
    "use strict";
    StoreError = class extends Error {
      constructor(code2, message, options2) {
        super(message, options2);
        this.code = code2;
        this.name = "StoreError";
      }
      code;
    };
  }
});

// src/github/errors.ts
function graphqlErrors(body) {
  if (typeof body !== "object" || body === null) return [];
  const errors = body.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap(
    (error) => typeof error === "object" && error !== null && typeof error.message === "string" ? [error] : []
  );
}
function classifyResponse(outcome, context) {
  const { status } = outcome;
  const headers = lowerCaseKeys(outcome.headers);
  const errors = graphqlErrors(outcome.body);
  const text = responseText(outcome.body, errors);
  const types = new Set(errors.map((error) => error.type).filter((type) => Boolean(type)));
  const details = { status, cause: { status, headers: safeHeaders(headers), body: outcome.body } };
  const now = context.now ?? Date.now;
  if (SECONDARY_LIMIT.test(text)) {
    const retryAfterMs = secondaryWaitMs(headers, now());
    return new GitHubError(
      "secondary_rate_limit",
      `GitHub's secondary rate limit stopped ${context.action}; waiting ${Math.ceil(retryAfterMs / 1e3)} s before trying again. If this keeps happening, lower the concurrency or the page size.`,
      { ...details, retryAfterMs }
    );
  }
  const remainingZero = String(headers["x-ratelimit-remaining"] ?? "") === "0";
  if (types.has("RATE_LIMITED") || remainingZero && (status === 403 || status === 429 || errors.length > 0)) {
    const resetAt = resetAtFrom(headers, outcome.body);
    return new GitHubError(
      "primary_rate_limit",
      `GitHub's GraphQL rate limit for this token is used up (${context.action}); it resets at ${resetAt ?? "the top of the hour"}. The run pauses until then; a GitHub App installation token has a larger budget than a personal token.`,
      { ...details, resetAt }
    );
  }
  if (status === 401) {
    return new GitHubError(
      "auth",
      `GitHub rejected the token (401 ${text || "Bad credentials"}): the token is invalid or expired. Create a new token and update the secret or input that holds it.`,
      details
    );
  }
  if (TRANSIENT_STATUSES.has(status) || [...types].some((type) => TRANSIENT_TYPES.has(type)) || SOMETHING_WENT_WRONG.test(text) || RESOURCE_LIMITS.test(text) || status >= 500 && GITHUB_TIMEOUT.test(text)) {
    return new GitHubError(
      "transient",
      `GitHub failed while ${context.action} (HTTP ${status}: ${summary(text)}). This is usually a timeout on GitHub's side; a smaller page usually gets through.`,
      details
    );
  }
  const samlBlocked = /SAML/i.test(text);
  if (types.has("FORBIDDEN") || types.has("INSUFFICIENT_SCOPES") || status === 403 || /resource not accessible/i.test(text)) {
    const help = samlBlocked ? "The organisation enforces SAML single sign-on: authorise the token for that organisation in the token's SSO settings." : PERMISSION_HELP;
    return new GitHubError(
      "permission",
      `The token is not allowed to do this: ${context.action} (GitHub: ${summary(text)}). ${help}`,
      details
    );
  }
  const rootNotFound = errors.some((error) => error.type === "NOT_FOUND" && (error.path?.length ?? 0) <= 1);
  if (rootNotFound || status === 404) {
    const target = context.repository ?? repositoryFromMessage(text) ?? "the requested repository";
    return new GitHubError(
      "not_found",
      `${target} does not exist or the token cannot see it (GitHub: ${summary(text)}). Check the spelling, and for a private repository that the token has access to it.`,
      details
    );
  }
  if (status === 400 || status === 422 || [...types].some((type) => VALIDATION_TYPES.has(type)) || errors.some((error) => error.extensions?.code !== void 0) || errors.length > 0 && !hasData(outcome.body) && types.size === 0) {
    return new GitHubError(
      "invalid",
      `GitHub rejected the query sent while ${context.action} as invalid (${summary(text)}). This is a bug in progressive-backfill, not in your setup; please report it with this message.`,
      details
    );
  }
  if (errors.length > 0 && hasData(outcome.body)) {
    return new GitHubError(
      "partial",
      `GitHub answered ${context.action} with partial data and errors (${summary(text)}); the page was discarded and will be fetched again.`,
      details
    );
  }
  return new GitHubError(
    "unknown",
    `GitHub failed while ${context.action} (HTTP ${status}: ${summary(text)}).`,
    details
  );
}
function toGitHubError(error, context) {
  if (error instanceof GitHubError) return error;
  const response = error?.response;
  if (response && typeof response === "object") {
    return classifyResponse(
      {
        status: error.status ?? response.status ?? 0,
        headers: response.headers ?? {},
        body: response.data
      },
      context
    );
  }
  return classifyNetworkFailure(error, context);
}
function classifyNetworkFailure(error, context) {
  const chain = causeChain(error);
  if (chain.some((link) => link.name === "TimeoutError" || link.name === "AbortError")) {
    const after = context.timeoutMs === void 0 ? "" : ` after ${context.timeoutMs} ms`;
    return new GitHubError(
      "transient",
      `GitHub did not answer${after} while ${context.action}; a smaller page usually gets through.`,
      { cause: error }
    );
  }
  const network = chain.find(
    (link) => link.code !== void 0 && NETWORK_CODES.has(link.code) || NETWORK_MESSAGES.test(link.message)
  );
  if (network) {
    return new GitHubError(
      "transient",
      `The connection to GitHub failed while ${context.action} (${network.code ?? network.message}); it will be retried. If it persists, check the network and the api-url setting.`,
      { cause: error }
    );
  }
  const message = chain[0]?.message ?? String(error);
  return new GitHubError("unknown", `Calling GitHub failed while ${context.action}: ${message}`, {
    cause: error
  });
}
function causeChain(error) {
  const chain = [];
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const link = current;
    chain.push({
      name: typeof link.name === "string" ? link.name : "",
      message: typeof link.message === "string" ? link.message : "",
      code: typeof link.code === "string" ? link.code : void 0
    });
    current = link.cause;
  }
  return chain;
}
function secondaryWaitMs(headers, now) {
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers["retry-after"] !== void 0)
    return retryAfter * 1e3;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset) && reset > 0) {
    return Math.max(0, reset * 1e3 - now);
  }
  return DEFAULT_SECONDARY_WAIT_MS;
}
function resetAtFrom(headers, body) {
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-reset"] !== void 0 && Number.isFinite(reset) && reset > 0) {
    return new Date(reset * 1e3).toISOString();
  }
  const fromBody = body?.data?.rateLimit?.resetAt;
  return typeof fromBody === "string" ? fromBody : void 0;
}
function responseText(body, errors) {
  if (typeof body === "string") return body.trim();
  const parts = [];
  const message = body?.message;
  if (typeof message === "string") parts.push(message);
  for (const error of errors) parts.push(error.message);
  return parts.join("; ");
}
function hasData(body) {
  const data = body?.data;
  return typeof data === "object" && data !== null;
}
function summary(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "no details";
  if (flat.startsWith("<")) return "an HTML error page";
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
function repositoryFromMessage(text) {
  return /Could not resolve to a Repository with the name '([^']+)'/.exec(text)?.[1];
}
function lowerCaseKeys(headers) {
  const result = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== void 0) result[key.toLowerCase()] = String(value);
  }
  return result;
}
function safeHeaders(headers) {
  const kept = {};
  for (const key of Object.keys(headers)) {
    if (key.startsWith("x-ratelimit-") || key === "retry-after" || key === "x-github-request-id") {
      kept[key] = headers[key];
    }
  }
  return kept;
}
var DEFAULT_SECONDARY_WAIT_MS, SECONDARY_LIMIT, SOMETHING_WENT_WRONG, GITHUB_TIMEOUT, RESOURCE_LIMITS, VALIDATION_TYPES, TRANSIENT_TYPES, TRANSIENT_STATUSES, NETWORK_CODES, NETWORK_MESSAGES, PERMISSION_HELP;
var init_errors = __esm({
  "src/github/errors.ts"() {
    "use strict";
    init_types();
    DEFAULT_SECONDARY_WAIT_MS = 6e4;
    SECONDARY_LIMIT = /secondary rate limit|abuse detection/i;
    SOMETHING_WENT_WRONG = /something went wrong while executing your query/i;
    GITHUB_TIMEOUT = /couldn't respond to your request in time|timed? ?out|timeout/i;
    RESOURCE_LIMITS = /resource limits for this query exceeded/i;
    VALIDATION_TYPES = /* @__PURE__ */ new Set([
      "MAX_NODE_LIMIT_EXCEEDED",
      "EXCESSIVE_PAGINATION",
      "ARGUMENT_LIMIT",
      "UNPROCESSABLE"
    ]);
    TRANSIENT_TYPES = /* @__PURE__ */ new Set(["SERVICE_UNAVAILABLE", "INTERNAL", "TIMEOUT", "RESOURCE_LIMITS_EXCEEDED"]);
    TRANSIENT_STATUSES = /* @__PURE__ */ new Set([500, 502, 503, 504]);
    NETWORK_CODES = /* @__PURE__ */ new Set([
      "ECONNRESET",
      "ECONNREFUSED",
      "ECONNABORTED",
      "EPIPE",
      "ETIMEDOUT",
      "EAI_AGAIN",
      "ENOTFOUND",
      "UND_ERR_SOCKET",
      "UND_ERR_CONNECT_TIMEOUT",
      "UND_ERR_HEADERS_TIMEOUT",
      "UND_ERR_BODY_TIMEOUT",
      "UND_ERR_CLOSED"
    ]);
    NETWORK_MESSAGES = /socket hang up|fetch failed|other side closed|network|ECONNRESET|terminated/i;
    PERMISSION_HELP = 'A classic personal access token needs the `repo` scope (`public_repo` is enough for public repositories); a fine-grained token or GitHub App installation needs the "Pull requests: read" (and "Metadata: read") permission on the repository.';
  }
});

// src/domain/text-keyed-cache.ts
var TextKeyedCache;
var init_text_keyed_cache = __esm({
  "src/domain/text-keyed-cache.ts"() {
    "use strict";
    TextKeyedCache = class {
      constructor(maxChars) {
        this.maxChars = maxChars;
      }
      maxChars;
      entries = /* @__PURE__ */ new Map();
      chars = 0;
      get size() {
        return this.entries.size;
      }
      get(key) {
        const value = this.entries.get(key);
        if (value !== void 0) {
          this.entries.delete(key);
          this.entries.set(key, value);
        }
        return value;
      }
      set(key, value) {
        if (this.entries.delete(key)) this.chars -= key.length;
        if (key.length > this.maxChars) return;
        this.entries.set(key, value);
        this.chars += key.length;
        for (const oldest of this.entries.keys()) {
          if (this.chars <= this.maxChars) break;
          this.entries.delete(oldest);
          this.chars -= oldest.length;
        }
      }
    };
  }
});

// src/domain/children.ts
function emptyChildren() {
  return { contributors: [], reviews: [], comments: [], labels: [] };
}
var FOLLOW_UP_KINDS;
var init_children = __esm({
  "src/domain/children.ts"() {
    "use strict";
    FOLLOW_UP_KINDS = ["labels", "reviews", "comments", "review_comments"];
  }
});

// src/github/children-queries.ts
function followUpAlias(k) {
  return `f${k}`;
}
function followUpQuery(kinds) {
  if (kinds.length < 1 || kinds.length > FOLLOW_UP_REQUESTS) {
    throw new RangeError(
      `a follow-up query takes 1 to ${FOLLOW_UP_REQUESTS} connections, got ${kinds.length}`
    );
  }
  const key = kinds.join(",");
  let query = followUpCache.get(key);
  if (query === void 0) {
    const variables = kinds.flatMap((_, k) => [`$i${k}: ID!`, `$a${k}: String`]);
    const fields = kinds.map(
      (kind, k) => `${followUpAlias(k)}: node(id: $i${k}) {
    ${FOLLOW_UP_SELECTIONS[kind](`$a${k}`)}
  }`
    );
    query = `query ChildPages(${variables.join(", ")}) {
  ${fields.join("\n  ")}
  rateLimit { cost remaining resetAt limit used nodeCount }
}`;
    if (followUpCache.size >= 32) followUpCache.clear();
    followUpCache.set(key, query);
  }
  return query;
}
function followUpVariables(pages) {
  const variables = {};
  pages.forEach((page, k) => {
    variables[`i${k}`] = page.nodeId;
    variables[`a${k}`] = page.cursor;
  });
  return variables;
}
function followUpRequestQuery(tasks) {
  const order = tasks.map((task, index) => ({ task, index })).sort(
    (a, b) => FOLLOW_UP_KINDS.indexOf(a.task.kind) - FOLLOW_UP_KINDS.indexOf(b.task.kind) || a.index - b.index
  );
  const aliases = new Array(tasks.length);
  order.forEach(({ index }, k) => {
    aliases[index] = followUpAlias(k);
  });
  return {
    query: followUpQuery(order.map(({ task }) => task.kind)),
    variables: followUpVariables(order.map(({ task }) => ({ nodeId: task.node_id, cursor: task.cursor }))),
    aliases
  };
}
function isGoneNode(error) {
  return error.type === "NOT_FOUND" && typeof error.path?.[0] === "string" && /^f\d+$/.test(error.path[0]);
}
var CHILD_PAGE_SIZE, FOLLOW_UP_REQUESTS, ACTOR_IDENTITY, CHILD_AUTHOR_SELECTION, PAGE_INFO, REVIEW_SELECTION, ISSUE_COMMENT_SELECTION, REVIEW_COMMENT_SELECTION, INLINE_CHILDREN_FIELDS, followUpPage, FOLLOW_UP_SELECTIONS, followUpCache;
var init_children_queries = __esm({
  "src/github/children-queries.ts"() {
    "use strict";
    init_children();
    CHILD_PAGE_SIZE = 100;
    FOLLOW_UP_REQUESTS = 149;
    ACTOR_IDENTITY = `__typename
      login
      ... on User { databaseId }
      ... on Bot { databaseId }
      ... on Mannequin { databaseId }
      ... on Organization { databaseId }`;
    CHILD_AUTHOR_SELECTION = `author {
        ${ACTOR_IDENTITY}
        avatarUrl
        url
      }`;
    PAGE_INFO = "pageInfo { endCursor hasNextPage }";
    REVIEW_SELECTION = `id
        fullDatabaseId
        state
        body
        submittedAt
        createdAt
        updatedAt
        commit { oid }
        ${CHILD_AUTHOR_SELECTION}`;
    ISSUE_COMMENT_SELECTION = `id
        fullDatabaseId
        body
        createdAt
        updatedAt
        ${CHILD_AUTHOR_SELECTION}`;
    REVIEW_COMMENT_SELECTION = `id
        fullDatabaseId
        body
        createdAt
        updatedAt
        path
        line
        originalLine
        replyTo { fullDatabaseId }
        ${CHILD_AUTHOR_SELECTION}`;
    INLINE_CHILDREN_FIELDS = `author { avatarUrl url }
    labels(first: ${CHILD_PAGE_SIZE}) { totalCount ${PAGE_INFO} nodes { name } }
    reviewDecision
    reviews(first: ${CHILD_PAGE_SIZE}) {
      totalCount
      ${PAGE_INFO}
      nodes {
        ${REVIEW_SELECTION}
      }
    }
    comments(first: ${CHILD_PAGE_SIZE}) {
      totalCount
      ${PAGE_INFO}
      nodes {
        ${ISSUE_COMMENT_SELECTION}
      }
    }`;
    followUpPage = (on, connection2, nodes) => (after) => `... on ${on} {
      page: ${connection2}(first: ${CHILD_PAGE_SIZE}, after: ${after}) {
        ${PAGE_INFO}
        nodes {
        ${nodes}
        }
      }
    }`;
    FOLLOW_UP_SELECTIONS = {
      labels: (after) => `... on PullRequest {
      page: labels(first: ${CHILD_PAGE_SIZE}, after: ${after}) { ${PAGE_INFO} nodes { name } }
    }`,
      reviews: followUpPage("PullRequest", "reviews", REVIEW_SELECTION),
      comments: followUpPage("PullRequest", "comments", ISSUE_COMMENT_SELECTION),
      review_comments: followUpPage("PullRequestReview", "comments", REVIEW_COMMENT_SELECTION)
    };
    followUpCache = /* @__PURE__ */ new Map();
  }
});

// src/github/cost.ts
import {
  Kind,
  parse
} from "graphql";
function toDocument(document) {
  if (typeof document !== "string") return document;
  let parsed = parsedDocuments.get(document);
  if (parsed === void 0) {
    parsed = parse(document, { noLocation: true });
    parsedDocuments.set(document, parsed);
  }
  return parsed;
}
function queryCost(document, variables = {}, operationName) {
  const doc = toDocument(document);
  const operation = findOperation(doc, operationName);
  const fragments = /* @__PURE__ */ new Map();
  for (const definition of doc.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const context = { fragments, variables: withDefaults(operation, variables) };
  const totals = { requests: 0, nodeCount: 0 };
  walk(operation.selectionSet, 1, context, totals);
  return { cost: Math.max(1, Math.round(totals.requests / 100)), ...totals };
}
function walk(selectionSet, multiplier, context, totals) {
  for (const fields of collectFields(selectionSet, context, /* @__PURE__ */ new Set()).values()) {
    const field = fields[0];
    const merged = mergeSelections(fields);
    const limit = pageLimit(field, context);
    if (limit !== void 0) {
      totals.requests += multiplier;
      totals.nodeCount += multiplier * limit;
      if (merged) walk(merged, multiplier * limit, context, totals);
    } else if (merged && isCountOnlyConnection(merged, context)) {
      totals.requests += multiplier;
      walk(merged, multiplier, context, totals);
    } else if (merged) {
      walk(merged, multiplier, context, totals);
    }
  }
}
function collectFields(selectionSet, context, visitedFragments, into = /* @__PURE__ */ new Map()) {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection.directives, context)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = into.get(key);
      if (list) list.push(selection);
      else into.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, context, visitedFragments, into);
    } else {
      const name = selection.name.value;
      const fragment = context.fragments.get(name);
      if (fragment === void 0 || visitedFragments.has(name)) continue;
      visitedFragments.add(name);
      collectFields(fragment.selectionSet, context, visitedFragments, into);
    }
  }
  return into;
}
function mergeSelections(fields) {
  const sets = fields.flatMap((field) => field.selectionSet ? [field.selectionSet] : []);
  if (sets.length <= 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((set) => set.selections) };
}
function isCountOnlyConnection(selectionSet, context) {
  const keys = [...collectFields(selectionSet, context, /* @__PURE__ */ new Set()).keys()].filter(
    (key) => key !== "__typename"
  );
  return keys.length > 0 && keys.every((key) => CONNECTION_MARKERS.has(key));
}
function pageLimit(field, context) {
  let limit;
  for (const argument of field.arguments ?? []) {
    const name = argument.name.value;
    if (name !== "first" && name !== "last") continue;
    const value = literalValue(argument.value, context);
    if (typeof value === "number" && Number.isFinite(value)) limit = Math.max(limit ?? 0, value);
  }
  return limit;
}
function isIncluded(directives, context) {
  for (const directive of directives ?? []) {
    const condition = directive.arguments?.find((argument) => argument.name.value === "if");
    if (!condition) continue;
    const value = literalValue(condition.value, context);
    if (directive.name.value === "skip" && value === true) return false;
    if (directive.name.value === "include" && value === false) return false;
  }
  return true;
}
function literalValue(value, context) {
  switch (value.kind) {
    case Kind.VARIABLE:
      return context.variables[value.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(value.value);
    case Kind.BOOLEAN:
      return value.value;
    case Kind.NULL:
      return null;
    default:
      return void 0;
  }
}
function findOperation(document, operationName) {
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION
  );
  const operation = operationName === void 0 ? operations[0] : operations.find((op) => op.name?.value === operationName);
  if (!operation)
    throw new Error(`no operation${operationName ? ` named ${operationName}` : ""} in the document`);
  return operation;
}
function withDefaults(operation, variables) {
  const resolved = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] !== void 0) resolved[name] = variables[name];
    else if (definition.defaultValue)
      resolved[name] = literalValue(definition.defaultValue, { fragments: /* @__PURE__ */ new Map(), variables: {} });
  }
  return { ...variables, ...resolved };
}
var CONNECTION_MARKERS, parsedDocuments;
var init_cost = __esm({
  "src/github/cost.ts"() {
    "use strict";
    init_text_keyed_cache();
    CONNECTION_MARKERS = /* @__PURE__ */ new Set(["totalCount", "pageInfo", "nodes", "edges"]);
    parsedDocuments = new TextKeyedCache(256e3);
  }
});

// src/github/map-children.ts
function decimalId(value) {
  if (value === null || value === void 0) return null;
  const text = String(value);
  return /^[0-9]+$/.test(text) ? text : null;
}
function actorType(typename) {
  return ACTOR_TYPES.includes(typename ?? "") ? typename : null;
}
function authorColumns(author) {
  return {
    author_github_id: decimalId(author?.databaseId),
    author_login: author?.login ?? null,
    author_type: actorType(author?.__typename)
  };
}
function contributorOf(author) {
  const githubId = decimalId(author?.databaseId);
  const type = actorType(author?.__typename);
  if (!author || githubId === null || type === null || typeof author.login !== "string") return null;
  return {
    github_id: githubId,
    login: author.login,
    type,
    avatar_url: author.avatarUrl ?? null,
    html_url: author.url ?? null
  };
}
function mapInlineChildren(node, pullRequestId) {
  const collect = new ChildCollector();
  const nodeId2 = node.id ?? "";
  collect.actor(node.author);
  for (const review of node.reviews?.nodes ?? []) collect.review(review, pullRequestId);
  for (const comment of node.comments?.nodes ?? []) collect.comment(comment, pullRequestId, null);
  const base2 = { node_id: nodeId2, pull_request_github_id: pullRequestId, review_github_id: null };
  collect.more(node.labels, { ...base2, kind: "labels" });
  collect.more(node.reviews, { ...base2, kind: "reviews" });
  collect.more(node.comments, { ...base2, kind: "comments" });
  const firstLabels = (node.labels?.nodes ?? []).flatMap((label) => label ? [label.name] : []);
  return { ...collect.finish(), firstLabels };
}
function mapFollowUpPage(task, node) {
  const collect = new ChildCollector();
  const page = node?.page;
  const pullRequestId = task.pull_request_github_id;
  for (const item of page?.nodes ?? []) {
    switch (task.kind) {
      case "labels": {
        const name = item?.name;
        if (typeof name === "string") {
          if (collect.out.labels.length === 0)
            collect.out.labels.push({ pull_request_github_id: pullRequestId, names: [] });
          collect.out.labels[0]?.names.push(name);
        }
        break;
      }
      case "reviews":
        collect.review(item, pullRequestId);
        break;
      case "comments":
        collect.comment(item, pullRequestId, null);
        break;
      case "review_comments":
        collect.comment(item, pullRequestId, task.review_github_id);
        break;
    }
  }
  const info = page?.pageInfo;
  const nextCursor = info?.hasNextPage && info.endCursor ? info.endCursor : null;
  return { ...collect.finish(), nextCursor };
}
function mapWindowChildren(nodes) {
  const byPullRequest = /* @__PURE__ */ new Map();
  for (const node of nodes ?? []) {
    if (typeof node !== "object" || node === null) continue;
    const pr = node;
    const githubId = decimalId(pr.fullDatabaseId) ?? decimalId(pr.databaseId);
    if (githubId !== null && pr.id) byPullRequest.set(githubId, mapInlineChildren(pr, githubId));
  }
  return byPullRequest;
}
var STORED_REVIEW_STATES, ChildCollector;
var init_map_children = __esm({
  "src/github/map-children.ts"() {
    "use strict";
    init_children();
    init_pull_request();
    STORED_REVIEW_STATES = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"];
    ChildCollector = class {
      out = { ...emptyChildren(), followUps: [], skipped: 0 };
      contributors = /* @__PURE__ */ new Map();
      actor(author) {
        const contributor = contributorOf(author);
        if (contributor) this.contributors.set(contributor.github_id, contributor);
      }
      review(node, pullRequestId) {
        if (!node) return;
        if (!STORED_REVIEW_STATES.includes(node.state)) return;
        const githubId = decimalId(node.fullDatabaseId);
        if (githubId === null || !node.id) {
          this.out.skipped++;
          return;
        }
        this.actor(node.author);
        const review = {
          github_id: githubId,
          node_id: node.id,
          pull_request_github_id: pullRequestId,
          ...authorColumns(node.author),
          state: node.state,
          body: node.body,
          submitted_at: node.submittedAt ?? null,
          created_at: node.createdAt,
          updated_at: node.updatedAt,
          commit_oid: node.commit?.oid ?? null
        };
        this.out.reviews.push(review);
        this.out.followUps.push({
          kind: "review_comments",
          node_id: node.id,
          pull_request_github_id: pullRequestId,
          review_github_id: githubId,
          cursor: null
        });
      }
      comment(node, pullRequestId, review) {
        if (!node) return;
        const githubId = decimalId(node.fullDatabaseId);
        if (githubId === null || !node.id) {
          this.out.skipped++;
          return;
        }
        this.actor(node.author);
        const inReview = review !== null ? node : null;
        const comment = {
          kind: inReview ? "review_comment" : "issue_comment",
          github_id: githubId,
          node_id: node.id,
          pull_request_github_id: pullRequestId,
          ...authorColumns(node.author),
          body: node.body,
          created_at: node.createdAt,
          updated_at: node.updatedAt,
          review_github_id: review,
          path: inReview?.path ?? null,
          line: inReview?.line ?? null,
          original_line: inReview?.originalLine ?? null,
          in_reply_to_github_id: decimalId(inReview?.replyTo?.fullDatabaseId)
        };
        this.out.comments.push(comment);
      }
      /** Queue the rest of a connection when this page did not hold all of it. */
      more(connection2, task) {
        const info = connection2?.pageInfo;
        if (info?.hasNextPage && info.endCursor) this.out.followUps.push({ ...task, cursor: info.endCursor });
      }
      finish() {
        this.out.contributors = [...this.contributors.values()];
        return this.out;
      }
    };
  }
});

// src/github/map.ts
function mapPullRequestNodes(nodes, profile) {
  const records = [];
  let skipped = 0;
  for (const node of nodes ?? []) {
    const record = mapPullRequestNode(node, profile);
    if (record) records.push(record);
    else skipped++;
  }
  return { records, skipped };
}
function mapPullRequestNode(node, profile) {
  if (typeof node !== "object" || node === null) return null;
  const pr = node;
  const githubId = decimalId(pr.fullDatabaseId) ?? decimalId(pr.databaseId);
  if (githubId === null || typeof pr.id !== "string" || pr.id === "" || !Number.isInteger(pr.number))
    return null;
  const record = {
    github_id: githubId,
    node_id: pr.id,
    number: pr.number,
    title: pr.title,
    body: pr.body ?? null,
    state: pr.state,
    is_draft: pr.isDraft,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt ?? null,
    merged_at: pr.mergedAt ?? null,
    author_login: pr.author?.login ?? null,
    author_github_id: decimalId(pr.author?.databaseId),
    author_type: actorType(pr.author?.__typename),
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    base_ref: pr.baseRefName ?? null,
    head_ref: pr.headRefName ?? null,
    url: pr.url,
    field_profile: profile
  };
  if (profile === "core") return record;
  record.labels = (pr.labels?.nodes ?? []).flatMap((label) => label ? [label.name] : []);
  record.review_decision = pr.reviewDecision ?? null;
  record.review_count = pr.reviews?.totalCount ?? 0;
  record.comment_count = pr.comments?.totalCount ?? 0;
  return record;
}
var init_map = __esm({
  "src/github/map.ts"() {
    "use strict";
    init_map_children();
  }
});

// src/github/pull-request-fields.ts
function pullRequestFragment(profile) {
  return `fragment ${PULL_REQUEST_FRAGMENT_NAME} on PullRequest {
    ${PROFILE_FIELDS[profile]}
}`;
}
var LABELS_PER_PULL_REQUEST, AUTHOR_SELECTION, CORE_FIELDS, LABELS_AND_DECISION, STANDARD_FIELDS, PROFILE_FIELDS, PULL_REQUEST_FRAGMENT_NAME;
var init_pull_request_fields = __esm({
  "src/github/pull-request-fields.ts"() {
    "use strict";
    init_children_queries();
    LABELS_PER_PULL_REQUEST = 20;
    AUTHOR_SELECTION = `author {
      ${ACTOR_IDENTITY}
    }`;
    CORE_FIELDS = `id
    fullDatabaseId
    number
    title
    body
    state
    isDraft
    createdAt
    updatedAt
    closedAt
    mergedAt
    additions
    deletions
    changedFiles
    baseRefName
    headRefName
    url
    ${AUTHOR_SELECTION}`;
    LABELS_AND_DECISION = `labels(first: ${LABELS_PER_PULL_REQUEST}) { nodes { name } }
    reviewDecision`;
    STANDARD_FIELDS = `${LABELS_AND_DECISION}
    reviews { totalCount }
    comments { totalCount }`;
    PROFILE_FIELDS = {
      core: CORE_FIELDS,
      standard: `${CORE_FIELDS}
    ${STANDARD_FIELDS}`,
      full: `${CORE_FIELDS}
    ${INLINE_CHILDREN_FIELDS}`
    };
    PULL_REQUEST_FRAGMENT_NAME = "PullRequestFields";
  }
});

// src/github/queries.ts
function windowVariables(shape) {
  return shape.direction === "forward" ? { size: `${shape.key}First`, cursor: `${shape.key}After` } : { size: `${shape.key}Last`, cursor: `${shape.key}Before` };
}
function windowConnection(shape, base2) {
  const { size, cursor } = windowVariables(shape);
  const page = shape.direction === "forward" ? `first: $${size}, after: $${cursor}` : `last: $${size}, before: $${cursor}`;
  const states2 = shape.states ? `, states: [${shape.states.join(", ")}]` : "";
  const baseRef = base2 ? ", baseRefName: $baseRefName" : "";
  const pageInfo = shape.direction === "forward" ? "endCursor hasNextPage" : "startCursor hasPreviousPage";
  return `${shape.key}: pullRequests(${page}${states2}${baseRef}, orderBy: ${ORDER_BY[shape.order]}) {
      totalCount
      pageInfo { ${pageInfo} }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;
}
function totalConnection(options2) {
  const args = [
    options2.totalStates ? `states: [${options2.totalStates.join(", ")}]` : null,
    options2.base ? "baseRefName: $baseRefName" : null
  ].filter((arg) => arg !== null);
  return `pullRequests${args.length > 0 ? `(${args.join(", ")})` : ""} { totalCount }`;
}
function searchCountKey(index) {
  return `${TOTAL_COUNT}${index}`;
}
function pullRequestWindowsDocument(profile, shapes, options2 = {}) {
  if (shapes.length === 0) throw new RangeError("a page needs at least one window");
  const cacheKey = `${profile}|${options2.totalCount ?? false}|${options2.base ?? false}|${options2.totalStates ?? ""}|${options2.totalSearches ?? 0}|${shapes.map((s) => `${s.key}:${s.direction}:${s.order}:${s.states ?? ""}`).join("|")}`;
  let query = documentCache.get(cacheKey);
  if (query === void 0) {
    const keys = /* @__PURE__ */ new Set();
    const variables = ["$owner: String!", "$name: String!"];
    for (const shape of shapes) {
      if (!WINDOW_KEY.test(shape.key) || keys.has(shape.key) || shape.key === TOTAL_COUNT) {
        throw new RangeError(`window keys must be distinct alphanumeric names, got "${shape.key}"`);
      }
      keys.add(shape.key);
      const { size, cursor } = windowVariables(shape);
      variables.push(`$${size}: Int!`, `$${cursor}: String`);
    }
    if (options2.base) variables.push("$baseRefName: String!");
    const searches = Array.from({ length: options2.totalSearches ?? 0 }, (_, i) => searchCountKey(i));
    for (const key of searches) variables.push(`$${key}Query: String!`);
    const name = shapes.every((s) => s.order === "UPDATED_AT_DESC") ? "UpdatedPullRequests" : "PullRequestPage";
    query = `query ${name}(${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {
    ${shapes.map((shape) => windowConnection(shape, options2.base ?? false)).join("\n    ")}${options2.totalCount ? `
    ${TOTAL_COUNT}: ${totalConnection(options2)}` : ""}
  }
  ${searches.map((key) => `${key}: search(query: $${key}Query, type: ISSUE) { issueCount }
  `).join("")}${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    documentCache.set(cacheKey, query);
  }
  return query;
}
function pullRequestWindowsQuery(repository, profile, windows, options2 = {}) {
  const variables = { owner: repository.owner, name: repository.name };
  for (const window of windows) {
    assertPageSize(window.size);
    const names = windowVariables(window);
    variables[names.size] = window.size;
    variables[names.cursor] = window.cursor;
  }
  return { query: pullRequestWindowsDocument(profile, windows, options2), variables };
}
function walkWindows(request) {
  return request.windows.map((window) => ({ ...window, order: "CREATED_AT_ASC" }));
}
function refreshWindows(request) {
  return [
    {
      key: UPDATED_WINDOW,
      direction: "forward",
      order: "UPDATED_AT_DESC",
      size: request.first,
      cursor: request.after
    }
  ];
}
function pageRequestWindows(request) {
  return "first" in request ? refreshWindows(request) : walkWindows(request);
}
function needsTotalCount(windows) {
  return windows.every((window) => window.states !== void 0);
}
function scopeDocumentOptions(request, windows) {
  const scope = "scope" in request ? request.scope : void 0;
  if (!scope || isWholeRepository(scope)) return { totalCount: needsTotalCount(windows) };
  const base2 = scope.base !== void 0;
  if (scope.since !== void 0) {
    return { base: base2, totalSearches: scopeSearchQueries(request, scope).length };
  }
  return { base: base2, totalCount: true, ...scope.states ? { totalStates: scope.states } : {} };
}
function numberAlias(index) {
  return `n${index}`;
}
function pullRequestNumbersDocument(profile, count) {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NUMBERS_PER_REQUEST) {
    throw new RangeError(`a number request looks up 1 to ${MAX_NUMBERS_PER_REQUEST} numbers, got ${count}`);
  }
  const key = `${profile}|${count}`;
  let query = numbersDocuments.get(key);
  if (query === void 0) {
    const variables = ["$owner: String!", "$name: String!"];
    const lookups = [];
    for (let i = 0; i < count; i++) {
      variables.push(`$${numberAlias(i)}: Int!`);
      lookups.push(
        `${numberAlias(i)}: issueOrPullRequest(number: $${numberAlias(i)}) { __typename ...${PULL_REQUEST_FRAGMENT_NAME} }`
      );
    }
    const states2 = Object.entries(STATE_COUNTS).map(
      ([state, alias]) => `${alias}: pullRequests(states: [${state}]) { totalCount }`
    );
    query = `query PullRequestNumbers(${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {
    ${NEWEST_PULL_REQUEST}: pullRequests(last: 1, orderBy: ${ORDER_BY.CREATED_AT_ASC}) { totalCount nodes { number } }
    ${states2.join("\n    ")}
    ${lookups.join("\n    ")}
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    numbersDocuments.set(key, query);
  }
  return query;
}
function pullRequestNumbersQuery(request, range) {
  const variables = { owner: request.owner, name: request.name };
  for (let i = 0; i < range.count; i++) variables[numberAlias(i)] = range.from + i;
  return { query: pullRequestNumbersDocument(request.profile, range.count), variables };
}
function pageRequestQuery(request) {
  if ("numbers" in request && request.numbers) return pullRequestNumbersQuery(request, request.numbers);
  const windows = pageRequestWindows(request);
  const options2 = scopeDocumentOptions(request, windows);
  const built = pullRequestWindowsQuery(request, request.profile, windows, options2);
  const scope = "scope" in request ? request.scope : void 0;
  if (options2.base && scope?.base !== void 0) built.variables.baseRefName = scope.base;
  if (options2.totalSearches && scope) {
    scopeSearchQueries(request, scope).forEach((query, i) => {
      built.variables[`${searchCountKey(i)}Query`] = query;
    });
  }
  return built;
}
function lookupAlias(index) {
  return `r${index}`;
}
function repositoryLookupQuery(count) {
  if (!Number.isInteger(count) || count < 1 || count > LOOKUP_BATCH_SIZE) {
    throw new RangeError(`a lookup takes 1 to ${LOOKUP_BATCH_SIZE} repositories, got ${count}`);
  }
  const variables = [];
  const fields = [];
  for (let i = 0; i < count; i++) {
    variables.push(`$o${i}: String!`, `$n${i}: String!`);
    fields.push(`${lookupAlias(i)}: repository(owner: $o${i}, name: $n${i}) { ...RepositoryLookupFields }`);
  }
  return `query RepositoryLookup(${variables.join(", ")}) {
  ${fields.join("\n  ")}
  ${RATE_LIMIT_SELECTION}
}
fragment RepositoryLookupFields on Repository {
  databaseId
  id
  name
  owner { login }
  isPrivate
  pullRequests { totalCount }
}`;
}
function repositoryLookupVariables(refs) {
  const variables = {};
  refs.forEach((ref, i) => {
    variables[`o${i}`] = ref.owner;
    variables[`n${i}`] = ref.name;
  });
  return variables;
}
function assertPageSize(size) {
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
}
var LOOKUP_BATCH_SIZE, OWNER_REPOSITORIES_PAGE_SIZE, MAX_PAGE_SIZE, RATE_LIMIT_SELECTION, ORDER_BY, UPDATED_WINDOW, TOTAL_COUNT, WINDOW_KEY, documentCache, MAX_NUMBERS_PER_REQUEST, NEWEST_PULL_REQUEST, STATE_COUNTS, numbersDocuments, OWNER_REPOSITORIES_QUERY, RATE_LIMIT_QUERY;
var init_queries = __esm({
  "src/github/queries.ts"() {
    "use strict";
    init_scope();
    init_pull_request_fields();
    LOOKUP_BATCH_SIZE = 100;
    OWNER_REPOSITORIES_PAGE_SIZE = 100;
    MAX_PAGE_SIZE = 100;
    RATE_LIMIT_SELECTION = "rateLimit { cost remaining resetAt limit used nodeCount }";
    ORDER_BY = {
      CREATED_AT_ASC: "{field: CREATED_AT, direction: ASC}",
      UPDATED_AT_DESC: "{field: UPDATED_AT, direction: DESC}"
    };
    UPDATED_WINDOW = "updated";
    TOTAL_COUNT = "total";
    WINDOW_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
    documentCache = /* @__PURE__ */ new Map();
    MAX_NUMBERS_PER_REQUEST = 3e3;
    NEWEST_PULL_REQUEST = "newest";
    STATE_COUNTS = { OPEN: "open", CLOSED: "closed", MERGED: "merged" };
    numbersDocuments = /* @__PURE__ */ new Map();
    OWNER_REPOSITORIES_QUERY = `query OwnerRepositories($login: String!, $after: String) {
  repositoryOwner(login: $login) {
    login
    repositories(first: ${OWNER_REPOSITORIES_PAGE_SIZE}, after: $after, ownerAffiliations: [OWNER], orderBy: {field: NAME, direction: ASC}) {
      pageInfo { endCursor hasNextPage }
      nodes { name owner { login } }
    }
  }
  ${RATE_LIMIT_SELECTION}
}`;
    RATE_LIMIT_QUERY = `query RateLimit {
  ${RATE_LIMIT_SELECTION}
}`;
  }
});

// src/domain/redact.ts
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function secretForms(secrets) {
  const forms = /* @__PURE__ */ new Set();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    const encoded = encodeURIComponent(secret);
    forms.add(secret);
    forms.add(encoded);
    forms.add(encoded.replace(/%20/g, "+"));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
function redactSecrets(text, secrets = []) {
  let result = text;
  const forms = secretForms(secrets);
  if (forms.length > 0) {
    result = result.replace(new RegExp(forms.map(escapeRegExp).join("|"), "g"), REDACTED);
  }
  for (const { regex, replace } of PATTERNS) {
    result = typeof replace === "string" ? result.replace(regex, replace) : result.replace(regex, replace);
  }
  return result;
}
function redactJson(value, secrets = []) {
  const walk2 = (node) => {
    if (typeof node === "string") return redactSecrets(node, secrets);
    if (Array.isArray(node)) return node.map(walk2);
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, walk2(inner)]));
    }
    return node;
  };
  return walk2(value);
}
function decoded(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
function connectionUrlSecrets(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found = [];
  if (parsed.password) found.push(parsed.password, decoded(parsed.password));
  for (const pair of parsed.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    const value = pair.slice(at + 1);
    if (/pass(?:word|wd)$/i.test(decoded(pair.slice(0, at))) && value !== "")
      found.push(value, decoded(value));
  }
  return [...new Set(found)];
}
var REDACTED, MIN_SECRET_LENGTH, keepQuotes, PATTERNS;
var init_redact = __esm({
  "src/domain/redact.ts"() {
    "use strict";
    REDACTED = "[REDACTED]";
    MIN_SECRET_LENGTH = 4;
    keepQuotes = (_match, key, value) => {
      const quote = /^\\?["']/.exec(value ?? "")?.[0] ?? "";
      return `${key}${quote}${REDACTED}${quote}`;
    };
    PATTERNS = [
      // GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens; `_` is taken along so that a
      // token glued to another cannot hide the second one's body
      { regex: /gh[pousr]_[A-Za-z0-9_]{16,}/g, replace: REDACTED },
      // fine-grained personal access tokens
      { regex: /github_pat_[A-Za-z0-9_]{16,}/g, replace: REDACTED },
      // JWTs: Supabase anon/service-role keys, GitHub App and Actions OIDC tokens. The payload may be cut short.
      { regex: /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g, replace: REDACTED },
      // Supabase's newer opaque secret keys
      { regex: /sb_secret_[A-Za-z0-9_-]{8,}/g, replace: REDACTED },
      // classic 40-hex OAuth and personal tokens (and any longer hex run: a secret glued to hex stays one run)
      { regex: /[0-9a-f]{40,}/g, replace: REDACTED },
      // the password of any scheme://user:password@host URL; greedy to the last `@` of the authority
      { regex: /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#]*@/gi, replace: `$1${REDACTED}@` },
      // password=…, PGPASSWORD=…, ?sslpassword=…&, password='x y', "password": "…" (also inside escaped JSON).
      // An unquoted value ends only where no password can go on (whitespace, `&`, a quote).
      {
        regex: /((?:password|passwd|pwd)(?:\\?["'])?\s*[=:]\s*)(\\"(?:[^"\\]|\\[^"])*\\"|\\?"(?:[^"\\]|\\.)*"?|\\?'(?:[^'\\]|\\.)*'?|[^\s&'"]+)/gi,
        replace: keepQuotes
      },
      // Authorization header values of any scheme
      {
        regex: /(authorization["']?\s*[:=]\s*["']?(?:bearer|token|basic)\s+)[^\s"',}]+/gi,
        replace: `$1${REDACTED}`
      },
      // bearer credentials anywhere; real ones are long, which spares prose such as "bearer authentication"
      { regex: /(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, replace: `$1${REDACTED}` }
    ];
  }
});

// src/github/json-body.ts
import { JSONParse } from "json-with-bigint";
function parseResponseBody(text, contentType) {
  if (!contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return LONG_INTEGER.test(text) ? JSONParse(text) : JSON.parse(text);
  } catch {
    return text;
  }
}
function graphqlRequestBody(query, variables) {
  return JSON.stringify({ query, variables });
}
var LONG_INTEGER;
var init_json_body = __esm({
  "src/github/json-body.ts"() {
    "use strict";
    LONG_INTEGER = /[:[,]\s*-?\d{16}/;
  }
});

// src/github/request-layers.ts
import { Octokit as Octokit2 } from "@octokit/core";
import { RequestError } from "@octokit/request-error";
import pRetry from "p-retry";
function layerOptions(options2) {
  return options2.layers;
}
function nativeJsonBodies(octokit) {
  octokit.hook.wrap("request", async (request, options2) => {
    const response = await request(options2);
    if (!(response.data instanceof ReadableStream)) return response;
    const text = await new Response(response.data).text();
    return { ...response, data: parseResponseBody(text, response.headers["content-type"]) };
  });
}
function secondaryLimitAsError(octokit) {
  octokit.hook.wrap("request", async (request, options2) => {
    const response = await request(options2);
    const errors = graphqlErrors(response.data);
    const secondary = errors.find((error) => /secondary rate limit|abuse detection/i.test(error.message));
    if (secondary) {
      throw new RequestError(secondary.message, 403, { request: options2, response });
    }
    return response;
  });
}
function transientRetries(octokit, octokitOptions) {
  const { retries, minTimeoutMs } = layerOptions(octokitOptions).transientRetry;
  octokit.hook.wrap(
    "request",
    (request, options2) => pRetry(
      async () => {
        const response = await request(options2);
        const first = graphqlErrors(response.data)[0];
        if (first && SOMETHING_WENT_WRONG2.test(first.message))
          throw new RequestError(first.message, 500, { request: options2, response });
        return response;
      },
      {
        retries,
        minTimeout: minTimeoutMs,
        factor: 2,
        randomize: false,
        shouldRetry: ({ error }) => error instanceof RequestError && error.status >= 400 && !DO_NOT_RETRY.has(error.status)
      }
    )
  );
}
function concurrencyLimit(max) {
  let active = 0;
  const waiting = [];
  return async (task) => {
    while (active >= max) await new Promise((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
function secondaryLimitWaits(octokit, octokitOptions) {
  const { secondaryLimit, maxConcurrent } = layerOptions(octokitOptions);
  const inFlight = concurrencyLimit(maxConcurrent);
  octokit.hook.wrap("request", async (request, options2) => {
    for (let retry = 0; ; retry++) {
      try {
        return await inFlight(async () => request(options2));
      } catch (error) {
        const secondary = error instanceof RequestError && SECONDARY_LIMIT2.test(error.message);
        if (!secondary || retry >= secondaryLimit.maxRetries) throw error;
        const seconds = Number(error.response?.headers["retry-after"]) || SECONDARY_WAIT_SECONDS;
        await new Promise((resolve) => setTimeout(resolve, seconds * secondaryLimit.waitMsPerSecond));
      }
    }
  });
}
var DO_NOT_RETRY, SOMETHING_WENT_WRONG2, SECONDARY_LIMIT2, SECONDARY_WAIT_SECONDS, LayeredOctokit;
var init_request_layers = __esm({
  "src/github/request-layers.ts"() {
    "use strict";
    init_errors();
    init_json_body();
    DO_NOT_RETRY = /* @__PURE__ */ new Set([400, 401, 403, 404, 410, 422, 429, 451]);
    SOMETHING_WENT_WRONG2 = /Something went wrong while executing your query/;
    SECONDARY_LIMIT2 = /\bsecondary rate\b/i;
    SECONDARY_WAIT_SECONDS = 60;
    LayeredOctokit = Octokit2.plugin(
      nativeJsonBodies,
      secondaryLimitAsError,
      transientRetries,
      secondaryLimitWaits
    );
  }
});

// src/github/transport.ts
function graphqlBaseUrl(apiUrl) {
  const trimmed = apiUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/api/v3") ? trimmed.slice(0, -"/v3".length) : trimmed;
}
function createOctokit(options2, apiUrl, timeoutMs, sent) {
  const currentToken = options2.tokenSource ?? (async () => options2.token ?? "");
  const baseFetch = options2.fetch ?? globalThis.fetch;
  const scaleWaitMs = options2.secondaryLimit?.scaleWaitMs ?? ((ms) => ms);
  const timedFetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };
  const layers = {
    transientRetry: {
      retries: options2.retry?.retries ?? 1,
      minTimeoutMs: options2.retry?.minTimeoutMs ?? 1e3
    },
    secondaryLimit: {
      maxRetries: options2.secondaryLimit?.maxRetries ?? 2,
      waitMsPerSecond: scaleWaitMs(1e3)
    },
    maxConcurrent: options2.maxConcurrent ?? DEFAULT_MAX_CONCURRENT
  };
  const octokit = new LayeredOctokit({
    baseUrl: apiUrl,
    userAgent: options2.userAgent ?? "progressive-backfill",
    request: { fetch: timedFetch },
    log: { debug: () => {
    }, info: () => {
    }, warn: () => {
    }, error: () => {
    } },
    layers
  });
  octokit.hook.before("request", async (requestOptions) => {
    const token = await currentToken();
    if (token) sent.add(token);
    requestOptions.headers.authorization = `bearer ${token}`;
  });
  return octokit;
}
function withoutTokens(error, tokens) {
  const known = [...tokens];
  const message = redactSecrets(error.message, known);
  const cause = safeStringify(error.details.cause);
  const causeLeaks = known.some((token) => token !== "" && cause.includes(token));
  if (message === error.message && !causeLeaks) return error;
  return new GitHubError(error.kind, message, {
    status: error.details.status,
    retryAfterMs: error.details.retryAfterMs,
    resetAt: error.details.resetAt
  });
}
function createTransport(options2) {
  const apiUrl = (options2.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
  const graphqlBase = graphqlBaseUrl(apiUrl);
  const timeoutMs = options2.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sent = new Set(options2.token ? [options2.token] : []);
  const octokit = createOctokit(options2, apiUrl, timeoutMs, sent);
  const failure = (action, repository) => ({
    action,
    repository,
    timeoutMs
  });
  const redacted = (error) => withoutTokens(error, sent);
  async function graphql(query, variables = {}, callOptions = {}) {
    const context = failure(callOptions.action ?? "querying GitHub", callOptions.repository);
    let response;
    try {
      response = await octokit.request("POST /graphql", {
        baseUrl: graphqlBase,
        data: graphqlRequestBody(query, variables),
        request: { parseSuccessResponseBody: false }
      });
    } catch (error) {
      throw redacted(toGitHubError(error, context));
    }
    const headers = response.headers;
    const body = response.data;
    if (typeof body !== "object" || body === null) {
      throw new GitHubError(
        "transient",
        `GitHub sent an unreadable response while ${context.action} (HTTP ${response.status}); it will be retried.`,
        { status: response.status }
      );
    }
    const errors = graphqlErrors(body);
    const blocking = errors.filter((error) => !callOptions.tolerate?.(error));
    if (blocking.length > 0 || body.data === null || body.data === void 0) {
      throw redacted(
        classifyResponse({ status: response.status, headers, body: { ...body, errors: blocking } }, context)
      );
    }
    return { data: body.data, errors, headers };
  }
  async function get(route, action) {
    try {
      const response = await octokit.request(route);
      return response.data;
    } catch (error) {
      throw redacted(toGitHubError(error, failure(action)));
    }
  }
  return { graphql, get };
}
function safeStringify(value) {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
var DEFAULT_API_URL, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_CONCURRENT;
var init_transport = __esm({
  "src/github/transport.ts"() {
    "use strict";
    init_redact();
    init_errors();
    init_json_body();
    init_request_layers();
    init_types();
    DEFAULT_API_URL = "https://api.github.com";
    DEFAULT_TIMEOUT_MS = 3e4;
    DEFAULT_MAX_CONCURRENT = 8;
  }
});

// src/github/client.ts
var client_exports = {};
__export(client_exports, {
  createGitHubClient: () => createGitHubClient,
  createGitHubOperations: () => createGitHubOperations
});
import { parse as parse2 } from "graphql";
function createGitHubClient(options2) {
  return createGitHubOperations(createTransport(options2));
}
function requestCost(query, variables, numbers) {
  if (!numbers) return queryCost(query, variables).cost;
  let cost = numbersCosts.get(query);
  if (cost === void 0) {
    cost = queryCost(parse2(query, { noLocation: true }), variables).cost;
    numbersCosts.set(query, cost);
  }
  return cost;
}
function createGitHubOperations(transport) {
  const { graphql } = transport;
  async function rateLimit() {
    try {
      const body = await transport.get(
        "GET /rate_limit",
        "reading the rate limit"
      );
      const graphqlBudget = body.resources?.graphql;
      if (graphqlBudget) {
        return {
          limit: graphqlBudget.limit,
          remaining: graphqlBudget.remaining,
          used: graphqlBudget.used,
          resetAt: new Date(graphqlBudget.reset * 1e3).toISOString(),
          cost: 0,
          nodeCount: 0
        };
      }
    } catch (error) {
      if (error instanceof GitHubError && error.kind === "auth") throw error;
    }
    const { data, headers } = await graphql(
      RATE_LIMIT_QUERY,
      {},
      { action: "reading the rate limit" }
    );
    return rateLimitState(data.rateLimit, headers, 0);
  }
  async function fetchWindows(request, action) {
    const windows = pageRequestWindows(request);
    const counting = scopeDocumentOptions(request, windows);
    const { query, variables } = pageRequestQuery(request);
    const predictedCost = requestCost(query, variables, isNumberRequest(request));
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql(query, variables, {
      action: `${action} ${repository}`,
      repository
    });
    const repo = requireRepository(data.repository, repository);
    const read = {};
    let skippedNodes = 0;
    const children2 = request.profile === "full" ? /* @__PURE__ */ new Map() : void 0;
    for (const window of windows) {
      const connection2 = repo[window.key];
      if (!connection2) continue;
      if (children2) for (const [id, mapped] of mapWindowChildren(connection2.nodes)) children2.set(id, mapped);
      const { records, skipped } = mapPullRequestNodes(connection2.nodes, request.profile);
      read[window.key] = pageWindow(connection2, records, window.direction);
      skippedNodes += skipped;
    }
    return {
      totalCount: readTotalCount(data, repo, counting, windows[0].key),
      windows: read,
      skippedNodes,
      ...children2 && { children: children2 },
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost
    };
  }
  async function fetchNumbers(request, range) {
    const { query, variables } = pageRequestQuery(request);
    const predictedCost = predictCost(request);
    const repository = `${request.owner}/${request.name}`;
    const aliases = new Set(Array.from({ length: range.count }, (_, i) => numberAlias(i)));
    const { data, headers } = await graphql(query, variables, {
      action: `fetching pull requests by number of ${repository}`,
      repository,
      tolerate: (error) => error.type === "NOT_FOUND" && error.path?.length === 2 && error.path[0] === "repository" && aliases.has(String(error.path[1]))
    });
    const repo = requireRepository(data.repository, repository);
    const nodes = [];
    for (let i = 0; i < range.count; i++) {
      const node = repo[numberAlias(i)];
      if (node?.__typename === "PullRequest") nodes.push(node);
    }
    const { records, skipped } = mapPullRequestNodes(nodes, request.profile);
    const children2 = request.profile === "full" ? mapWindowChildren(nodes) : void 0;
    const newest = repo[NEWEST_PULL_REQUEST];
    const count = (alias) => repo[alias]?.totalCount ?? 0;
    return {
      totalCount: newest.totalCount,
      numbers: {
        range,
        nodes: records,
        newest: newest.nodes?.at(-1)?.number ?? null,
        states: {
          OPEN: count(STATE_COUNTS.OPEN),
          CLOSED: count(STATE_COUNTS.CLOSED),
          MERGED: count(STATE_COUNTS.MERGED)
        }
      },
      windows: {},
      skippedNodes: skipped,
      ...children2 && { children: children2 },
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost
    };
  }
  const fetchPullRequests = (request) => request.numbers ? fetchNumbers(request, request.numbers) : fetchWindows(request, "fetching pull requests of");
  const fetchUpdatedPullRequests = (request) => fetchWindows(request, "fetching recently updated pull requests of");
  async function lookupRepositories(refs) {
    const found = [];
    const missing = [];
    let budget;
    for (let start2 = 0; start2 < refs.length; start2 += LOOKUP_BATCH_SIZE) {
      const batch = refs.slice(start2, start2 + LOOKUP_BATCH_SIZE);
      const query = repositoryLookupQuery(batch.length);
      const variables = repositoryLookupVariables(batch);
      const aliases = new Set(batch.map((_, i) => lookupAlias(i)));
      const { data, headers } = await graphql(query, variables, {
        action: `looking up ${batch.length} repositor${batch.length === 1 ? "y" : "ies"}`,
        tolerate: (error) => error.type === "NOT_FOUND" && error.path?.length === 1 && aliases.has(String(error.path[0]))
      });
      batch.forEach((ref, i) => {
        const node = data[lookupAlias(i)];
        if (!node || node.databaseId === null || node.databaseId === void 0) {
          missing.push(ref);
          return;
        }
        found.push({
          owner: ref.owner,
          name: ref.name,
          githubId: String(node.databaseId),
          nodeId: node.id,
          prTotalCount: node.pullRequests.totalCount,
          isPrivate: node.isPrivate
        });
      });
      budget = rateLimitState(data.rateLimit, headers, queryCost(query, variables).cost);
    }
    return { found, missing, rateLimit: budget ?? await rateLimit() };
  }
  async function listOwnerRepositories(owner) {
    const repositories = [];
    let after = null;
    for (; ; ) {
      const result = await graphql(
        OWNER_REPOSITORIES_QUERY,
        { login: owner, after },
        { action: `listing the repositories of ${owner}` }
      );
      const owned = result.data.repositoryOwner;
      if (!owned) {
        throw new GitHubError(
          "not_found",
          `${owner} is not a user or organisation that exists or that the token can see. Check the spelling of "${owner}/*".`
        );
      }
      const page = owned.repositories;
      for (const node of page.nodes ?? []) {
        if (node) repositories.push({ owner: node.owner.login, name: node.name });
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return repositories;
      after = page.pageInfo.endCursor;
    }
  }
  async function fetchFollowUps(request) {
    const { query, variables, aliases } = followUpRequestQuery(request.tasks);
    const predictedCost = requestCost(query, variables, false);
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql(
      query,
      variables,
      { action: `fetching reviews and comments of ${repository}`, repository, tolerate: isGoneNode }
    );
    return {
      outcomes: request.tasks.map((task, k) => mapFollowUpPage(task, data[aliases[k]])),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost
    };
  }
  function predictCost(request) {
    const { query, variables } = "tasks" in request ? followUpRequestQuery(request.tasks) : pageRequestQuery(request);
    return requestCost(query, variables, isNumberRequest(request));
  }
  return {
    graphql,
    rateLimit,
    lookupRepositories,
    listOwnerRepositories,
    fetchPullRequests,
    fetchUpdatedPullRequests,
    fetchFollowUps,
    predictCost
  };
}
function readTotalCount(data, repo, counting, firstWindow) {
  if (counting.totalSearches) {
    let sum = 0;
    for (let i = 0; i < counting.totalSearches; i++) {
      sum += data[searchCountKey(i)]?.issueCount ?? 0;
    }
    return sum;
  }
  return (counting.totalCount ? repo[TOTAL_COUNT] : repo[firstWindow])?.totalCount ?? 0;
}
function requireRepository(repository, fullName) {
  if (repository === null) {
    throw new GitHubError("not_found", `${fullName} does not exist or the token cannot see it.`);
  }
  return repository;
}
function pageWindow(connection2, nodes, direction) {
  const { pageInfo, totalCount } = connection2;
  return direction === "forward" ? { nodes, cursor: pageInfo.endCursor ?? null, hasMore: pageInfo.hasNextPage ?? false, totalCount } : { nodes, cursor: pageInfo.startCursor ?? null, hasMore: pageInfo.hasPreviousPage ?? false, totalCount };
}
function rateLimitState(rateLimit, headers, predictedCost) {
  if (rateLimit) return { ...rateLimit };
  const limit = Number(headers["x-ratelimit-limit"]);
  const remaining = Number(headers["x-ratelimit-remaining"]);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (Number.isFinite(limit) && Number.isFinite(remaining) && Number.isFinite(reset) && headers["x-ratelimit-limit"]) {
    return {
      limit,
      remaining,
      used: Number(headers["x-ratelimit-used"] ?? limit - remaining),
      resetAt: new Date(reset * 1e3).toISOString(),
      cost: predictedCost,
      nodeCount: 0
    };
  }
  return {
    limit: UNLIMITED,
    remaining: UNLIMITED,
    used: 0,
    resetAt: new Date(Date.now() + 36e5).toISOString(),
    cost: predictedCost,
    nodeCount: 0
  };
}
var UNLIMITED, numbersCosts, isNumberRequest;
var init_client = __esm({
  "src/github/client.ts"() {
    "use strict";
    init_text_keyed_cache();
    init_children_queries();
    init_cost();
    init_map();
    init_map_children();
    init_queries();
    init_transport();
    init_types();
    UNLIMITED = 1e9;
    numbersCosts = new TextKeyedCache(2e6);
    isNumberRequest = (request) => "numbers" in request && Boolean(request.numbers);
  }
});

// src/store/connection-url.ts
function parseConnectionUrl(text, expect) {
  let parsed;
  try {
    parsed = new URL(text);
  } catch {
    throw new StoreError(
      "invalid_input",
      `the ${expect.label} is not a valid URL: expected ${expect.example}`
    );
  }
  if (!expect.protocols.includes(parsed.protocol)) {
    const allowed = expect.protocols.map((p) => `${p}//`).join(" or ");
    throw new StoreError(
      "invalid_input",
      `the ${expect.label} must start with ${allowed}, not ${parsed.protocol}//${expect.otherwise?.(parsed.protocol) ?? ""}`
    );
  }
  return parsed;
}
var init_connection_url = __esm({
  "src/store/connection-url.ts"() {
    "use strict";
    init_types2();
  }
});

// src/store/holder-session.ts
function randomKey() {
  return crypto.getRandomValues(new BigInt64Array(1))[0].toString();
}
function holderSession(query) {
  let held = null;
  const lock = async () => {
    for (; ; ) {
      const key = randomKey();
      const { rows } = await query("select pg_try_advisory_lock($1::bigint) as locked", [key]);
      if (rows[0]?.locked) return key;
    }
  };
  return {
    key() {
      held ??= lock().catch((error) => {
        held = null;
        throw error;
      });
      return held;
    },
    lost() {
      held = null;
    }
  };
}
var init_holder_session = __esm({
  "src/store/holder-session.ts"() {
    "use strict";
  }
});

// src/store/schema-version.ts
var EXPECTED_SCHEMA_VERSION, SCHEMA;
var init_schema_version = __esm({
  "src/store/schema-version.ts"() {
    "use strict";
    EXPECTED_SCHEMA_VERSION = 20261204200001;
    SCHEMA = "progressive_backfill";
  }
});

// src/store/migrate.ts
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function pgExecutor(client) {
  return {
    query: (sql, params) => client.query(sql, params),
    exec: (sql) => client.query(sql)
  };
}
function pgliteExecutor(db) {
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql)
  };
}
async function projectRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    try {
      await readFile(join(dir, "package.json"));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir)
        throw new Error("cannot find the project root (package.json) above the migration runner");
      dir = parent;
    }
  }
}
async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
async function loadLedgerSql() {
  return readFile(join(await projectRoot(), "supabase", "schemas", "00_schema.sql"), "utf8");
}
async function loadMigrations(directory) {
  const dir = directory ?? join(await projectRoot(), "supabase", "migrations");
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name must be <14-digit timestamp>_<name>.sql: ${file}`);
      const sql = await readFile(join(dir, file), "utf8");
      return { version: match[1], name: match[2], sql, checksum: await sha256Hex(sql) };
    })
  );
}
async function createMissingRoles(db) {
  const { rows } = await db.query(
    `select r.name
       from unnest($1::text[]) as r(name)
      where not exists (select from pg_catalog.pg_roles where rolname = r.name)
        and (select rolsuper or rolcreaterole from pg_catalog.pg_roles where rolname = current_user)`,
    [API_ROLES]
  );
  for (const { name } of rows) {
    try {
      await db.query(`create role ${name} nologin`);
    } catch (error) {
      const code2 = error.code;
      if (code2 !== "42710" && code2 !== "23505") throw error;
    }
  }
}
function execScript(db, sql) {
  return db.exec ? db.exec(sql) : db.query(sql);
}
async function applyMigrations(db, migrations) {
  const all = migrations ?? await loadMigrations();
  await db.query("select pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
  try {
    await createMissingRoles(db);
    await execScript(db, await loadLedgerSql());
    const { rows } = await db.query("select version, checksum from progressive_backfill.schema_migrations");
    const recorded = new Map(
      rows.map((row) => [String(row.version), row.checksum === null ? null : String(row.checksum)])
    );
    for (const migration of all) {
      const previous = recorded.get(migration.version);
      if (previous && previous !== migration.checksum) {
        throw new Error(
          `migration ${migration.version}_${migration.name} was changed after it was applied (checksum ${previous.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); add a new migration instead of editing an applied one`
        );
      }
    }
    const result = { applied: [], skipped: [] };
    for (const migration of all) {
      const id = `${migration.version}_${migration.name}`;
      if (recorded.has(migration.version)) {
        result.skipped.push(id);
        continue;
      }
      await execScript(db, "begin");
      try {
        await execScript(db, migration.sql);
        await db.query(
          `insert into progressive_backfill.schema_migrations (version, name, checksum) values ($1, $2, $3)
           on conflict (version) do update set name = excluded.name, checksum = excluded.checksum`,
          [migration.version, migration.name, migration.checksum]
        );
        await execScript(db, "commit");
      } catch (error) {
        await execScript(db, "rollback").catch(() => {
        });
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`migration ${id} failed: ${reason}`, { cause: error });
      }
      result.applied.push(id);
    }
    return result;
  } finally {
    await db.query("select pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY]).catch(() => {
    });
  }
}
var FILE_NAME, MIGRATION_LOCK_KEY, API_ROLES;
var init_migrate = __esm({
  "src/store/migrate.ts"() {
    "use strict";
    init_schema_version();
    FILE_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;
    MIGRATION_LOCK_KEY = "7244851009271122001";
    API_ROLES = ["anon", "authenticated", "service_role"];
  }
});

// src/store/rpc.ts
function jsonb(value) {
  return new JsonbArg(value);
}
function classify(error) {
  if (typeof error !== "object" || error === null) return null;
  const { code: code2, message, status, cause } = error;
  if (typeof code2 === "string" && code2 !== "") {
    const mapped = SQLSTATE_CODES[code2];
    if (mapped) return mapped;
    if (CONNECTION_CLASSES.includes(code2.slice(0, 2)) && /^[0-9A-Z]{5}$/.test(code2)) return "connection";
    if (NETWORK_CODES2.has(code2)) return "connection";
  }
  if (typeof status === "number" && (code2 === void 0 || code2 === "" || code2 === null)) {
    if (status === 0 || status === 401 || status === 403 || status >= 500) return "connection";
  }
  if (typeof message === "string" && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) {
    return "connection";
  }
  if (cause !== void 0 && cause !== error) return classify(cause) === "connection" ? "connection" : null;
  const errors = error.errors;
  if (Array.isArray(errors) && errors.some((inner) => classify(inner) === "connection")) return "connection";
  return null;
}
function describe(error) {
  if (typeof error === "object" && error !== null) {
    const { message, code: code2 } = error;
    if (typeof message === "string" && message !== "") return message;
    if (typeof code2 === "string" && code2 !== "") return code2;
  }
  return String(error);
}
function toStoreError(fn, error, secrets = []) {
  if (error instanceof StoreError) return error;
  const code2 = classify(error);
  const detail = redactSecrets(describe(error), secrets);
  const options2 = { cause: error };
  if (code2 === "schema_missing") {
    return new StoreError(
      code2,
      `the progressive-backfill schema is missing (${detail}): ${MIGRATE_HINT}`,
      options2
    );
  }
  if (code2 === "connection") {
    return new StoreError(code2, `cannot reach the database while calling ${fn}: ${detail}`, options2);
  }
  if (code2) return new StoreError(code2, `${fn}: ${detail}`, options2);
  return new Error(`${fn} failed: ${detail}`, options2);
}
function leaseArgs(lease) {
  return lease ? { p_chunk_id: lease.chunkId, p_fencing_token: lease.fencingToken } : {};
}
function createRpcStore(transport, options2 = {}) {
  const secrets = options2.secrets ?? [];
  async function call(fn, args = {}) {
    try {
      return await transport.call(fn, args);
    } catch (error) {
      throw toStoreError(fn, error, secrets);
    }
  }
  const errorText = (text) => redactSecrets(text, secrets);
  return {
    kind: transport.kind,
    ...transport.pageLimits ? { pageLimits: transport.pageLimits } : {},
    async assertSchema() {
      const version = Number(await call("backfill_schema_version"));
      if (version < EXPECTED_SCHEMA_VERSION) {
        throw new StoreError(
          "schema_missing",
          `the database schema is at version ${version}, this progressive-backfill needs ${EXPECTED_SCHEMA_VERSION}: ${MIGRATE_HINT}`
        );
      }
    },
    trackRepository(input) {
      return call("backfill_track_repository", {
        p_owner: input.owner,
        p_name: input.name,
        p_github_id: input.githubId,
        p_node_id: input.nodeId,
        p_pr_total_count: input.prTotalCount,
        p_priority: input.priority ?? null
      });
    },
    getRepository(ref) {
      const args = "id" in ref ? { p_repository_id: ref.id } : { p_owner: ref.owner, p_name: ref.name };
      return call("backfill_get_repository", args);
    },
    async updateRepositoryCounts(repositoryId, prTotalCount) {
      await call("backfill_update_repository_counts", {
        p_repository_id: repositoryId,
        p_pr_total_count: prTotalCount
      });
    },
    async selectRepositories(input) {
      const rows = await call("backfill_select_repositories", {
        p_threshold: input.threshold,
        p_min_prs: input.minPrs,
        p_limit: input.limit,
        p_repository_ids: input.repositoryIds ?? null,
        ...input.refreshAfterSeconds === void 0 ? {} : { p_refresh_after_seconds: input.refreshAfterSeconds }
      });
      return rows ?? [];
    },
    async startBackfill(repositoryId, fieldProfile, scope) {
      const state = await call("backfill_start_backfill", {
        p_repository_id: repositoryId,
        p_field_profile: fieldProfile,
        p_scope: scope === void 0 ? null : jsonb(scope)
      });
      return state.scope;
    },
    async claimChunk(input) {
      let holderKey = null;
      try {
        holderKey = transport.holderKey ? await transport.holderKey() : null;
      } catch (error) {
        throw toStoreError("backfill_claim_chunk", error, secrets);
      }
      return call("backfill_claim_chunk", {
        p_worker_id: input.workerId,
        p_lease_seconds: input.leaseSeconds,
        p_repository_id: input.repositoryId ?? null,
        p_run_id: input.runId ?? null,
        p_holder_key: holderKey
      });
    },
    async leases(repositoryIds) {
      return await call("backfill_leases", { p_repository_ids: repositoryIds ?? null }) ?? [];
    },
    async heartbeat(chunkId, fencingToken, leaseSeconds) {
      const result = await call("backfill_heartbeat", {
        p_chunk_id: chunkId,
        p_fencing_token: fencingToken,
        p_lease_seconds: leaseSeconds
      });
      return result.leaseExpiresAt;
    },
    commitPage(input) {
      return call("backfill_commit_page", {
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_expected_cursor: jsonb(input.expectedCursor),
        p_next_cursor: jsonb(input.nextCursor),
        p_prs: new PrRowsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_skipped_nodes: input.skippedNodes,
        p_github_total_count: input.githubTotalCount,
        p_done: input.done,
        p_lease_seconds: input.leaseSeconds,
        p_run_id: input.runId,
        ...input.children && { p_children: jsonb(input.children) }
      });
    },
    async completeChunk(chunkId, fencingToken) {
      await call("backfill_complete_chunk", { p_chunk_id: chunkId, p_fencing_token: fencingToken });
    },
    async releaseChunk(chunkId, fencingToken) {
      await call("backfill_release_chunk", { p_chunk_id: chunkId, p_fencing_token: fencingToken });
    },
    failChunk(input) {
      return call("backfill_fail_chunk", {
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_error: errorText(input.error),
        p_retryable: input.retryable,
        p_max_failures: input.maxFailures
      });
    },
    async pauseRepository(repositoryId, reason, resumeAt, heldBy) {
      await call("backfill_pause", {
        p_repository_id: repositoryId,
        p_reason: errorText(reason),
        p_resume_at: resumeAt ? resumeAt.toISOString() : "infinity",
        ...leaseArgs(heldBy)
      });
    },
    async resumeRepository(repositoryId) {
      await call("backfill_resume", { p_repository_id: repositoryId });
    },
    retryBackfill(repositoryId) {
      return call("backfill_retry", { p_repository_id: repositoryId });
    },
    retryChunk(chunkId) {
      return call("backfill_retry_chunk", { p_chunk_id: chunkId });
    },
    untrackRepository(repositoryId) {
      return call("backfill_untrack", { p_repository_id: repositoryId });
    },
    async cancelBackfill(repositoryId, reason) {
      await call("backfill_cancel", { p_repository_id: repositoryId, p_reason: errorText(reason) });
    },
    async failBackfill(repositoryId, error, heldBy) {
      await call("backfill_fail_backfill", {
        p_repository_id: repositoryId,
        p_error: errorText(error),
        ...leaseArgs(heldBy)
      });
    },
    recoverStuckChunks(input) {
      return call("backfill_recover_stuck_chunks", {
        p_requeue_limit: input.requeueLimit,
        p_grace_seconds: input.graceSeconds
      });
    },
    refreshPosition(repositoryId) {
      return call("backfill_refresh_position", { p_repository_id: repositoryId });
    },
    commitRefresh(input) {
      return call("backfill_commit_refresh", {
        p_repository_id: input.repositoryId,
        p_expected_cursor: input.expectedCursor,
        p_next_cursor: input.nextCursor,
        p_target_watermark: input.targetWatermark,
        p_holder: input.holder,
        p_prs: new PrRowsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_removed: jsonb(
          (input.removed ?? []).map((pr) => ({ github_id: pr.github_id, updated_at: pr.updated_at }))
        ),
        p_run_id: input.runId,
        ...input.children && { p_children: jsonb(input.children) }
      });
    },
    listFollowUps(repositoryId, limit) {
      return call("backfill_list_follow_ups", {
        p_repository_id: repositoryId,
        p_limit: limit
      });
    },
    commitFollowUps(input) {
      return call("backfill_commit_follow_ups", {
        p_repository_id: input.repositoryId,
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_pages: jsonb(input.pages),
        p_points_spent: input.pointsSpent,
        p_walk_done: input.walkDone,
        p_lease_seconds: input.leaseSeconds,
        p_run_id: input.runId
      });
    },
    receiveWebhook(input) {
      return call("backfill_receive_webhook", {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_github_id: input.repository.githubId,
        p_node_id: input.repository.nodeId,
        p_observed_at: input.observedAt,
        p_prs: jsonb(input.prs)
      });
    },
    receiveChildWebhook(input) {
      return call("backfill_receive_child", {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_repository_github_id: input.repository.githubId,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_pull_request_github_id: "githubId" in input.pullRequest ? input.pullRequest.githubId : null,
        p_pull_request_number: "number" in input.pullRequest ? input.pullRequest.number : null,
        p_contributors: jsonb(input.contributors),
        p_review: "review" in input.child ? jsonb(input.child.review) : null,
        p_comment: "comment" in input.child ? jsonb(input.child.comment) : null
      });
    },
    receiveCommentDeletion(input) {
      return call("backfill_receive_comment_deletion", {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_repository_github_id: input.repository.githubId,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_kind: input.kind,
        p_github_id: input.githubId
      });
    },
    upsertPullRequests(repositoryId, prs) {
      return call("backfill_upsert_pull_requests", {
        p_repository_id: repositoryId,
        p_prs: jsonb(prs)
      });
    },
    async startRun(input) {
      const id = await call("backfill_start_run", {
        p_trigger: input.trigger,
        p_trigger_ref: input.triggerRef,
        p_worker_id: input.workerId,
        p_dry_run: input.dryRun
      });
      return Number(id);
    },
    async heartbeatRun(runId) {
      await call("backfill_heartbeat_run", { p_run_id: runId });
    },
    async finishRun(input) {
      await call("backfill_finish_run", {
        p_run_id: input.runId,
        p_outcome: input.outcome,
        p_error_summary: jsonb(redactJson(input.errorSummary ?? null, secrets))
      });
    },
    async progress() {
      return await call("backfill_progress") ?? [];
    },
    databaseLoad() {
      return call(
        "backfill_database_load"
      );
    },
    close() {
      return transport.close();
    }
  };
}
var JsonbArg, PrRowsArg, MIGRATE_HINT, SQLSTATE_CODES, CONNECTION_CLASSES, NETWORK_CODES2, CONNECTION_MESSAGES;
var init_rpc = __esm({
  "src/store/rpc.ts"() {
    "use strict";
    init_redact();
    init_schema_version();
    init_types2();
    JsonbArg = class {
      constructor(value) {
        this.value = value;
      }
      value;
    };
    PrRowsArg = class {
      constructor(value) {
        this.value = value;
      }
      value;
    };
    MIGRATE_HINT = "run `npx progressive-backfill migrate --database-url <postgres url>` (or apply supabase/migrations with the Supabase CLI: `supabase db push`)";
    SQLSTATE_CODES = {
      PB001: "stale_lease",
      PB002: "cursor_conflict",
      PB003: "invalid_transition",
      PB004: "invalid_input",
      "42883": "schema_missing",
      // undefined_function
      "42P01": "schema_missing",
      // undefined_table
      "3F000": "schema_missing",
      // invalid_schema_name
      PGRST106: "schema_missing",
      // PostgREST: the schema is not exposed
      PGRST202: "schema_missing",
      // PostgREST: function not in its schema cache
      PGRST205: "schema_missing",
      // PostgREST: table not in its schema cache
      "3D000": "connection",
      // the database does not exist
      "53300": "connection",
      // too many connections
      "57P01": "connection",
      // admin shutdown
      "57P02": "connection",
      "57P03": "connection"
      // cannot connect now (starting up)
    };
    CONNECTION_CLASSES = ["08", "28"];
    NETWORK_CODES2 = /* @__PURE__ */ new Set([
      "ECONNREFUSED",
      "ECONNRESET",
      "ENOTFOUND",
      "ETIMEDOUT",
      "EAI_AGAIN",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "EPIPE",
      "UND_ERR_CONNECT_TIMEOUT",
      "UND_ERR_SOCKET"
    ]);
    CONNECTION_MESSAGES = [
      /connection terminated/i,
      /timeout expired/i,
      /fetch failed/i,
      /connect(ion)? timeout/i
    ];
  }
});

// src/domain/postgres-text.ts
function storableText(text) {
  const clean = text.includes(NUL) ? text.replaceAll(NUL, "") : text;
  return clean.isWellFormed() ? clean : clean.toWellFormed();
}
function storableStrings(value) {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) {
    const cleaned = value.map((item) => storableStrings(item));
    return cleaned.some((item, i) => item !== value[i]) ? cleaned : value;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    const cleaned = entries.map(([key, item]) => [key, storableStrings(item)]);
    return cleaned.some(([, item], i) => item !== entries[i][1]) ? Object.fromEntries(cleaned) : value;
  }
  return value;
}
function storableJson(value) {
  const text = JSON.stringify(value);
  if (text === void 0 || !text.includes("\\u")) return text;
  return text.replace(
    FIXABLE_ESCAPE,
    (sequence, nul, surrogate) => nul ? "" : surrogate ? "\\ufffd" : sequence
  );
}
var NUL, FIXABLE_ESCAPE;
var init_postgres_text = __esm({
  "src/domain/postgres-text.ts"() {
    "use strict";
    NUL = String.fromCharCode(0);
    FIXABLE_ESCAPE = /\\(?:(u0000)|(ud[89a-f][0-9a-f]{2})|[^u]|u[0-9a-f]{4})/g;
  }
});

// src/store/pr-rows.ts
import { Buffer as Buffer2 } from "node:buffer";
function fieldText(value) {
  if (value === null || value === void 0) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") return storableJson(value);
  return String(value);
}
function int32(out, value, at) {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
  return at + 4;
}
function copyShortAscii(out, text, at) {
  if (text.length >= SHORT_TEXT_BELOW) return false;
  for (let i = 0; i < text.length; i++) {
    const code2 = text.charCodeAt(i);
    if (code2 === 0 || code2 > 127) return false;
    out[at + i] = code2;
  }
  return true;
}
function writeText(out, text, at) {
  if (copyShortAscii(out, text, at)) return text.length;
  const written = out.write(text, at, "utf8");
  out[at + written] = 0;
  return out.indexOf(0, at) < at + written ? out.write(text.replaceAll(NUL2, ""), at, "utf8") : written;
}
function encodePrRows(prs, rowTypeOid) {
  if (prs.length === 0) {
    const empty = Buffer2.alloc(12);
    int32(empty, rowTypeOid, 8);
    return empty;
  }
  let units = ARRAY_HEADER_BYTES;
  for (const pr of prs) units += ROW_UNITS_BESIDES_TEXT + textLength(pr.title) + textLength(pr.body);
  let out = Buffer2.allocUnsafe(Math.ceil(units * FIRST_GUESS_BYTES_PER_UNIT));
  let at = int32(out, 1, 0);
  at = int32(out, 0, at);
  at = int32(out, rowTypeOid, at);
  at = int32(out, prs.length, at);
  at = int32(out, 1, at);
  for (const pr of prs) {
    const lengthAt = at;
    at = int32(out, PR_ROW_FIELDS.length, at + 4);
    for (const field of PR_ROW_FIELDS) {
      const text = fieldText(pr[field]);
      const room = FIELD_HEADER_BYTES + (text === null ? 0 : text.length * UTF8_BYTES_PER_UNIT + 1);
      if (at + room > out.length) {
        const bigger = Buffer2.allocUnsafe(Math.max(out.length * 2, at + room));
        out.copy(bigger, 0, 0, at);
        out = bigger;
      }
      at = int32(out, TEXT_OID, at);
      if (text === null) {
        at = int32(out, -1, at);
      } else {
        const written = writeText(out, text, at + 4);
        at = int32(out, written, at) + written;
      }
    }
    int32(out, at - lengthAt - 4, lengthAt);
  }
  return out.subarray(0, at);
}
var PR_ROW_FIELDS, NUL2, textLength, TEXT_OID, ARRAY_HEADER_BYTES, RECORD_HEADER_BYTES, FIELD_HEADER_BYTES, UTF8_BYTES_PER_UNIT, FIRST_GUESS_BYTES_PER_UNIT, ROW_UNITS_BESIDES_TEXT, SHORT_TEXT_BELOW;
var init_pr_rows = __esm({
  "src/store/pr-rows.ts"() {
    "use strict";
    init_postgres_text();
    PR_ROW_FIELDS = [
      "github_id",
      "node_id",
      "number",
      "title",
      "body",
      "state",
      "is_draft",
      "created_at",
      "updated_at",
      "closed_at",
      "merged_at",
      "author_login",
      "author_github_id",
      "author_type",
      "additions",
      "deletions",
      "changed_files",
      "base_ref",
      "head_ref",
      "url",
      "labels",
      "review_decision",
      "review_count",
      "comment_count",
      "field_profile"
    ];
    NUL2 = String.fromCharCode(0);
    textLength = (value) => typeof value === "string" ? value.length : 0;
    TEXT_OID = 25;
    ARRAY_HEADER_BYTES = 20;
    RECORD_HEADER_BYTES = 8;
    FIELD_HEADER_BYTES = 8;
    UTF8_BYTES_PER_UNIT = 3;
    FIRST_GUESS_BYTES_PER_UNIT = 1.5;
    ROW_UNITS_BESIDES_TEXT = RECORD_HEADER_BYTES + PR_ROW_FIELDS.length * FIELD_HEADER_BYTES + 240;
    SHORT_TEXT_BELOW = 64;
  }
});

// src/store/sql-call.ts
function buildSqlCall(fn, args, options2 = {}) {
  if (!IDENTIFIER.test(fn)) throw new Error(`not a function name: ${fn}`);
  const values = [];
  const named = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === void 0) continue;
    if (!IDENTIFIER.test(name)) throw new Error(`not an argument name: ${name}`);
    if (value instanceof PrRowsArg && options2.prRowTypeOid !== void 0) {
      values.push(encodePrRows(value.value, options2.prRowTypeOid));
      named.push(`${name} => $${values.length}::${SCHEMA}.pr_row[]`);
    } else if (value instanceof PrRowsArg) {
      values.push(storableJson(value.value));
      named.push(`${name} => ${SCHEMA}.backfill_pr_rows($${values.length}::jsonb)`);
    } else if (value instanceof JsonbArg) {
      values.push(value.value === null || value.value === void 0 ? null : storableJson(value.value));
      named.push(`${name} => $${values.length}::jsonb`);
    } else {
      values.push(value);
      named.push(`${name} => $${values.length}`);
    }
  }
  return { text: `select ${SCHEMA}.${fn}(${named.join(", ")}) as result`, values };
}
var IDENTIFIER;
var init_sql_call = __esm({
  "src/store/sql-call.ts"() {
    "use strict";
    init_postgres_text();
    init_pr_rows();
    init_rpc();
    init_schema_version();
    IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
  }
});

// src/store/postgres.ts
var postgres_exports = {};
__export(postgres_exports, {
  checkDatabaseUrl: () => checkDatabaseUrl,
  createPostgresStore: () => createPostgresStore,
  migrateDatabase: () => migrateDatabase
});
import pg from "pg";
function checkDatabaseUrl(url) {
  const parsed = parseConnectionUrl(url, {
    label: "database URL",
    example: "postgres://user:password@host:5432/database",
    protocols: ["postgres:", "postgresql:"],
    otherwise: (protocol) => protocol === "https:" || protocol === "http:" ? " (an https:// Supabase project URL goes with a service-role key instead; the Postgres connection string is under Project Settings → Database)" : ""
  });
  return { secrets: connectionUrlSecrets(parsed.href) };
}
function holderConnection(url, applicationName) {
  let client = null;
  const session = holderSession(async (text, values) => {
    if (!client) {
      const fresh = new pg.Client({
        connectionString: url,
        application_name: `${applicationName} lease holder`,
        connectionTimeoutMillis: 3e4
      });
      const forget = () => {
        if (client !== fresh) return;
        client = null;
        session.lost();
      };
      fresh.on("error", forget);
      fresh.on("end", forget);
      await fresh.connect();
      client = fresh;
    }
    return client.query(text, values);
  });
  return {
    session,
    async close() {
      const open = client;
      client = null;
      await open?.end();
    }
  };
}
function createPostgresStore(url, options2 = {}) {
  const { secrets } = checkDatabaseUrl(url);
  const applicationName = options2.applicationName ?? "progressive-backfill";
  const pool = new pg.Pool({
    connectionString: url,
    max: options2.max ?? 4,
    application_name: applicationName,
    connectionTimeoutMillis: 3e4
  });
  const holder = holderConnection(url, applicationName);
  pool.on("error", () => {
  });
  let prRowTypeOid;
  const rowTypeOid = async () => {
    if (prRowTypeOid === void 0) {
      const { rows } = await pool.query(
        `select to_regtype('${SCHEMA}.pr_row')::oid::int as oid`
      );
      prRowTypeOid = rows[0]?.oid ?? void 0;
    }
    return prRowTypeOid;
  };
  const transport = {
    kind: "postgres",
    async call(fn, args) {
      const carriesRows = Object.values(args).some((value) => value instanceof PrRowsArg);
      const { text, values } = buildSqlCall(
        fn,
        args,
        carriesRows ? { prRowTypeOid: await rowTypeOid() } : {}
      );
      const result = await pool.query(text, values);
      return result.rows[0]?.result ?? null;
    },
    holderKey: () => holder.session.key(),
    async close() {
      await holder.close();
      await pool.end();
    }
  };
  return createRpcStore(transport, { secrets: [...secrets, ...options2.secrets ?? []] });
}
async function migrateDatabase(url) {
  const { secrets } = checkDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: "progressive-backfill migrate" });
  client.on("error", () => {
  });
  try {
    await client.connect();
  } catch (error) {
    throw toStoreError("migrate", error, secrets);
  }
  try {
    return await applyMigrations(pgExecutor(client));
  } finally {
    await client.end();
  }
}
var init_postgres = __esm({
  "src/store/postgres.ts"() {
    "use strict";
    init_redact();
    init_connection_url();
    init_holder_session();
    init_migrate();
    init_rpc();
    init_schema_version();
    init_sql_call();
  }
});

// src/store/supabase.ts
var supabase_exports = {};
__export(supabase_exports, {
  PostgrestCallError: () => PostgrestCallError,
  createSupabaseStore: () => createSupabaseStore
});
import { createClient } from "@supabase/supabase-js";
function checkSupabaseUrl(url) {
  parseConnectionUrl(url, {
    label: "Supabase URL",
    example: "https://<project>.supabase.co",
    protocols: ["https:", "http:"],
    otherwise: () => " (a postgres:// URL goes with --database-url)"
  });
}
async function realtimeOptions() {
  if (typeof globalThis.WebSocket === "function") return {};
  const ws = await import("ws");
  return { transport: ws.default };
}
function toJsonArgs(args) {
  const body = {};
  for (const [name, value] of Object.entries(args)) {
    if (value === void 0) continue;
    body[name] = value instanceof JsonbArg || value instanceof PrRowsArg ? storableStrings(value.value ?? null) : value;
  }
  return body;
}
function createSupabaseStore(url, serviceRoleKey, options2 = {}) {
  checkSupabaseUrl(url);
  if (!serviceRoleKey.trim()) throw new StoreError("invalid_input", "the Supabase service-role key is empty");
  let client;
  const connect = async () => createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // PostgREST serves a non-public schema only when asked for it: supabase-js then sends Content-Profile.
    db: { schema: SCHEMA },
    // biome-ignore lint/suspicious/noExplicitAny: ws's constructor type differs from the DOM WebSocket's
    realtime: await realtimeOptions(),
    global: options2.fetch ? { fetch: options2.fetch } : {}
  });
  const transport = {
    kind: "supabase",
    async call(fn, args) {
      client ??= connect();
      const { data, error, status } = await (await client).rpc(fn, toJsonArgs(args)).retry(false);
      if (error) {
        const rejectedKey = !error.code && (status === 401 || status === 403);
        const message = rejectedKey ? `Supabase rejected the service-role key (HTTP ${status})` : error.code === "PGRST106" ? `the project's API does not expose the schema ${SCHEMA} (${error.message}); add it under Project Settings → Data API → Exposed schemas` : (error.message || `HTTP ${status}`).slice(0, MAX_MESSAGE);
        throw new PostgrestCallError(
          message,
          error.code ?? "",
          status,
          error.details ?? null,
          error.hint ?? null
        );
      }
      return data ?? null;
    },
    async close() {
      if (client) await (await client).removeAllChannels();
    }
  };
  return createRpcStore(transport, { secrets: [serviceRoleKey, ...options2.secrets ?? []] });
}
var PostgrestCallError, MAX_MESSAGE;
var init_supabase = __esm({
  "src/store/supabase.ts"() {
    "use strict";
    init_postgres_text();
    init_connection_url();
    init_rpc();
    init_schema_version();
    init_types2();
    PostgrestCallError = class extends Error {
      constructor(message, code2, status, details, hint) {
        super(message);
        this.code = code2;
        this.status = status;
        this.details = details;
        this.hint = hint;
        this.name = "PostgrestCallError";
      }
      code;
      status;
      details;
      hint;
    };
    MAX_MESSAGE = 500;
  }
});

// src/store/pglite-autovacuum.ts
async function maintainTables(run2) {
  await run2("select pg_catalog.pg_stat_force_next_flush()");
  const due = (await run2(DUE)).rows;
  const vacuumed = due.filter((t) => t.vacuum).map((t) => t.name);
  const analyzed = due.filter((t) => !t.vacuum && t.grew).map((t) => t.name);
  if (vacuumed.length > 0) await run2(`vacuum (analyze) ${qualified(vacuumed)}`);
  if (analyzed.length > 0) await run2(`analyze ${qualified(analyzed)}`);
  return { vacuumed, analyzed };
}
function qualified(names) {
  return names.map((n) => `progressive_backfill."${n.replaceAll('"', '""')}"`).join(", ");
}
var DUE;
var init_pglite_autovacuum = __esm({
  "src/store/pglite-autovacuum.ts"() {
    "use strict";
    DUE = `
  select name, vacuum, grew
  from (
    select s.relname as name,
      s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) as vacuum,
      s.n_mod_since_analyze > 50 + 1.0 * greatest(c.reltuples, 0) as grew
    from pg_catalog.pg_stat_user_tables s
    join pg_catalog.pg_class c on c.oid = s.relid
    where s.schemaname = 'progressive_backfill'
  ) t
  where vacuum or grew
  order by name`;
  }
});

// src/store/pglite.ts
var pglite_exports = {};
__export(pglite_exports, {
  PGLITE_CLUSTER_FILE: () => PGLITE_CLUSTER_FILE,
  PGLITE_PAGE_LIMITS: () => PGLITE_PAGE_LIMITS,
  createPgliteStore: () => createPgliteStore,
  openMigratedPglite: () => openMigratedPglite,
  openPglite: () => openPglite,
  pgliteStore: () => pgliteStore
});
import { access, mkdir, readdir as readdir2, readFile as readFile2, rm } from "node:fs/promises";
import { join as join2 } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { extract } from "tar";
async function isNewDatabase(dir) {
  if (dir === null) return true;
  try {
    return (await readdir2(dir)).length === 0;
  } catch {
    return true;
  }
}
async function clusterFile() {
  const file = join2(await projectRoot(), PGLITE_CLUSTER_FILE);
  return access(file).then(
    () => file,
    () => null
  );
}
async function clearFolder(dir) {
  for (const entry of await readdir2(dir).catch(() => []))
    await rm(join2(dir, entry), { recursive: true, force: true });
}
async function createFromCluster(dir, file) {
  if (dir === null) {
    const loadDataDir = new Blob([await readFile2(file)]);
    return PGlite.create("memory://", options({ loadDataDir }));
  }
  await mkdir(dir, { recursive: true });
  await extract({ file, cwd: dir });
  return PGlite.create(dir, options());
}
async function openPglite(dir, cluster = clusterFile()) {
  const file = await isNewDatabase(dir) ? await cluster : null;
  if (file) {
    try {
      return { db: await createFromCluster(dir, file), fromCluster: true };
    } catch {
      if (dir !== null) await clearFolder(dir);
    }
  }
  return { db: await PGlite.create(dir ?? "memory://", options()), fromCluster: false };
}
async function openMigratedPglite(dir) {
  const { db } = await openPglite(dir);
  try {
    await applyMigrations(pgliteExecutor(db));
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
function createQueue() {
  let tail = Promise.resolve();
  return (task) => {
    const run2 = tail.then(task, task);
    tail = run2.catch(() => {
    });
    return run2;
  };
}
async function createPgliteStore(dir, options2 = {}) {
  return pgliteStore(await openMigratedPglite(dir), options2);
}
function pgliteStore(db, options2 = {}) {
  const enqueue = createQueue();
  let callsSinceCheck = 0;
  const holder = holderSession((text, values) => enqueue(() => db.query(text, values)));
  const transport = {
    kind: "pglite",
    pageLimits: PGLITE_PAGE_LIMITS,
    call(fn, args) {
      const { text, values } = buildSqlCall(fn, args);
      return enqueue(async () => {
        if (++callsSinceCheck >= CALLS_PER_MAINTENANCE) {
          callsSinceCheck = 0;
          await maintainTables((sql) => db.query(sql)).catch(() => void 0);
        }
        const result = await db.query(text, values);
        return result.rows[0]?.result ?? null;
      });
    },
    holderKey: () => holder.key(),
    close: () => enqueue(() => db.close())
  };
  return createRpcStore(transport, options2);
}
var PGLITE_CLUSTER_FILE, SETTINGS, options, PGLITE_PAGE_LIMITS, CALLS_PER_MAINTENANCE;
var init_pglite = __esm({
  "src/store/pglite.ts"() {
    "use strict";
    init_holder_session();
    init_migrate();
    init_pglite_autovacuum();
    init_rpc();
    init_sql_call();
    PGLITE_CLUSTER_FILE = join2("assets", "pglite-cluster.tar.gz");
    SETTINGS = ["-c", "shared_buffers=16MB", "-c", "default_statistics_target=10"];
    options = (extra = {}) => ({
      startParams: [...PGlite.defaultStartParams, ...SETTINGS],
      ...extra
    });
    PGLITE_PAGE_LIMITS = { prsPerCommit: 300, numbersPerRequest: 1e3 };
    CALLS_PER_MAINTENANCE = 25;
  }
});

// src/simulator/random.ts
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function fmix32(value) {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}
function hashTuple(...parts) {
  let h = 2654435769;
  for (const part of parts) {
    if (typeof part === "number") {
      h = fmix32(h ^ fmix32(part >>> 0));
      h = fmix32(h ^ fmix32(Math.floor(part / 4294967296)));
    } else {
      for (let i = 0; i < part.length; i++) h = fmix32(Math.imul(h ^ part.charCodeAt(i), 16777619));
      h = fmix32(h ^ part.length);
    }
  }
  return h;
}
function randomFor(...parts) {
  return mulberry32(hashTuple(...parts));
}
function intBetween(random, min, maxInclusive) {
  return min + Math.floor(random() * (maxInclusive - min + 1));
}
function pick2(random, items) {
  const item = items[Math.floor(random() * items.length)];
  if (item === void 0) throw new Error("pick from an empty list");
  return item;
}
var init_random = __esm({
  "src/simulator/random.ts"() {
    "use strict";
  }
});

// src/simulator/text.ts
function pullRequestTitle(random, byBot) {
  if (byBot) {
    const pkg = pick2(random, BOT_PACKAGES);
    const from = `${intBetween(random, 0, 9)}.${intBetween(random, 0, 30)}.${intBetween(random, 0, 20)}`;
    return `Bump ${pkg} from ${from} to ${from.replace(/\d+$/, (patch) => String(Number(patch) + 1))}`;
  }
  const roll = random();
  const plain = `${pick2(random, VERBS)} ${pick2(random, THINGS)} in ${pick2(random, AREAS)}`;
  if (roll < 0.12) return `${pick2(random, EMOJI)} ${plain}`;
  if (roll < 0.18) return pick2(random, ARABIC);
  if (roll < 0.24) return pick2(random, HEBREW);
  if (roll < 0.28) return pick2(random, CJK);
  if (roll < 0.3) return `${plain} (mixed ${pick2(random, ARABIC)} / ${pick2(random, EMOJI)})`;
  if (roll < 0.31) return `Café näive ${plain}`;
  return plain;
}
function bodyShape(random) {
  const roll = random();
  if (roll < 0.1) return "empty";
  if (roll < 0.104) return "huge";
  return "short";
}
function pullRequestBody(random, shape, number) {
  if (shape === "empty") return "";
  const paragraph = `## Summary

${pick2(random, VERBS)} the ${pick2(random, THINGS)} (#${number}). ${pick2(random, EMOJI)}

${pick2(
    random,
    [...ARABIC, ...HEBREW, ...CJK, "Plain text, nothing special."]
  )}

- [x] tests
- [ ] docs
`;
  if (shape === "short") return paragraph;
  const target = 6e4 + intBetween(random, 0, 2e4);
  const line = `${paragraph}\`\`\`
ERROR ${"🔥".repeat(3)} שגיאה خطأ ${"x".repeat(40)}
\`\`\`
`;
  return line.repeat(Math.ceil(target / line.length)).slice(0, target).replace(/[\uD800-\uDBFF]$/, "");
}
function commentBody(random) {
  const roll = random();
  if (roll < 0.5) return "LGTM 👍";
  if (roll < 0.7) return pick2(random, [...ARABIC, ...HEBREW, ...CJK]);
  return `Could we ${pick2(random, VERBS).toLowerCase()} the ${pick2(random, THINGS)} here? ${pick2(random, EMOJI)}`;
}
function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 30) || "change";
}
var AREAS, VERBS, THINGS, EMOJI, ARABIC, HEBREW, CJK, BOT_PACKAGES, LABELS;
var init_text = __esm({
  "src/simulator/text.ts"() {
    "use strict";
    init_random();
    AREAS = [
      "parser",
      "CLI",
      "docs",
      "cache layer",
      "auth flow",
      "CI",
      "build",
      "API client",
      "scheduler",
      "UI"
    ];
    VERBS = ["Fix", "Add", "Refactor", "Remove", "Speed up", "Document", "Harden", "Simplify", "Revert"];
    THINGS = [
      "race condition",
      "null check",
      "retry logic",
      "pagination",
      "error message",
      "config option"
    ];
    EMOJI = ["🚀", "✨", "🐛", "🔥", "♻️", "👩‍💻", "🇺🇦", "🧪", "📝", "⚡️"];
    ARABIC = [
      "إصلاح خطأ في المحلل",
      "إضافة دعم للغة العربية",
      "تحديث الوثائق",
      "تحسين الأداء في ذاكرة التخزين"
    ];
    HEBREW = ["תיקון באג בממשק", "הוספת תמיכה בעברית", "עדכון התיעוד", "שיפור ביצועים במטמון"];
    CJK = ["修复解析器中的错误", "添加中文支持", "ドキュメントを更新", "캐시 성능 개선"];
    BOT_PACKAGES = [
      "lodash",
      "axios",
      "react",
      "typescript",
      "vitest",
      "@types/node",
      "esbuild",
      "pg"
    ];
    LABELS = [
      "bug",
      "enhancement",
      "dependencies",
      "documentation",
      "good first issue",
      "🐛 regression",
      "priority: high",
      "type: feature ✨",
      "אבטחה",
      "تحسين",
      "needs-triage",
      "wontfix"
    ];
  }
});

// src/simulator/children.ts
function commitOid(...parts) {
  const random = randomFor("oid", ...parts);
  return Array.from({ length: 40 }, () => HEX[Math.floor(random() * 16)]).join("");
}
function editedAt(random, createdAt, span) {
  if (random() >= 0.12 || span.editedBy <= createdAt) return createdAt;
  return createdAt + 1 + Math.floor(random() * (span.editedBy - createdAt));
}
function reviewComments(ids, index, r, review, span, author, earlierThreads, count) {
  const random = randomFor(ids.nodeId("stream", index, r), "review-comments");
  const roll = random();
  const n = count ?? (roll < 5e-3 ? intBetween(random, 100, 130) : roll < 0.5 ? 0 : intBetween(random, 1, 5));
  const comments = [];
  for (let c = 0; c < Math.min(n, 199); c++) {
    const databaseId = ids.reviewComment(index, r, c);
    const createdAt = review.createdAt;
    const originalLine = 1 + Math.floor(random() * 400);
    const outdated = random() < 0.15;
    const thread = earlierThreads.length > 0 && random() < 0.3 ? pick2(random, earlierThreads) : null;
    const comment = {
      databaseId,
      nodeId: ids.nodeId("PRRC", index, r, c),
      author: author(random),
      body: random() < 3e-3 ? pullRequestBody(random, "huge", index) : commentBody(random),
      createdAt,
      updatedAt: editedAt(random, createdAt, span),
      path: pick2(random, PATHS),
      line: outdated ? null : Math.max(1, originalLine + intBetween(random, -3, 3)),
      originalLine,
      replyTo: thread
    };
    comments.push(comment);
    if (thread === null) earlierThreads.push(databaseId);
  }
  return comments;
}
function completeReview(ids, index, r, drawn, span, author, threads, commentCount) {
  const random = randomFor(ids.nodeId("stream", index, r), "review");
  return {
    ...drawn,
    databaseId: ids.review(index, r),
    nodeId: ids.nodeId("PRR", index, r),
    updatedAt: editedAt(random, drawn.createdAt, span),
    commitOid: commitOid(hashTuple(ids.nodeId("PRR", index, r))),
    comments: reviewComments(
      ids,
      index,
      r,
      { createdAt: drawn.createdAt, stateIsPending: drawn.state === "PENDING" },
      span,
      author,
      threads,
      commentCount
    )
  };
}
function completeComment(ids, index, c, drawn, span) {
  const random = randomFor(ids.nodeId("stream", index, c), "comment");
  return {
    ...drawn,
    databaseId: ids.issueComment(index, c),
    nodeId: ids.nodeId("IC", index, c),
    updatedAt: editedAt(random, drawn.createdAt, span)
  };
}
function caseLabels(count) {
  return Array.from({ length: count }, (_, l) => ({
    name: `area/${String(l).padStart(3, "0")}${l % 10 === 0 ? " 🏷️" : ""}`,
    color: (hashTuple("label", l) & 16777215).toString(16).padStart(6, "0")
  }));
}
function caseBody(random, k, index) {
  switch (k % 4) {
    case 0:
      return pullRequestBody(random, "huge", index).slice(0, 65e3).replace(/[\uD800-\uDBFF]$/, "x").padEnd(65e3, "x");
    case 1:
      return "מה דעתך? هل هذا صحيح؟ 👩‍💻🇺🇦";
    case 2:
      return "";
    default:
      return commentBody(random);
  }
}
var ChildIds, PATHS, HEX, CHILD_CASES;
var init_children2 = __esm({
  "src/simulator/children.ts"() {
    "use strict";
    init_random();
    init_text();
    ChildIds = class {
      constructor(seed, salt) {
        this.seed = seed;
        this.salt = salt;
      }
      seed;
      salt;
      base(index) {
        return 3e9 + this.salt * 1e12 + index * 1e5;
      }
      review(index, r) {
        return this.base(index) + 5e4 + r;
      }
      issueComment(index, c) {
        return this.base(index) + c;
      }
      /** the same range as issue comments: the two kinds collide by design */
      reviewComment(index, r, c) {
        return this.base(index) + r * 200 + c;
      }
      nodeId(prefix, ...parts) {
        return `${prefix}_kwDO${Buffer.from([this.seed, this.salt, ...parts].join(":"), "utf8").toString("base64url")}`;
      }
    };
    PATHS = ["src/index.ts", "src/parser/ünïcödé.ts", "README.md", "docs/עברית.md", "test/a b.test.ts"];
    HEX = "0123456789abcdef";
    CHILD_CASES = [
      { comments: 250 },
      { reviews: 120 },
      { reviews: 2, reviewComments: 120 },
      { labels: 150 },
      { everyAuthor: true }
    ];
  }
});

// src/simulator/dataset.ts
function base64url(text) {
  return Buffer.from(text, "utf8").toString("base64url");
}
function nodeId(prefix, ...parts) {
  return `${prefix}_kwDO${base64url(parts.join(":"))}`;
}
function compareKeys(a, b) {
  return a[0] - b[0] || a[1] - b[1];
}
function lowerBound(list, key) {
  let lo = 0;
  let hi = list.size;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (compareKeys(list.keyAt(mid), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function upperBound(list, key) {
  let lo = 0;
  let hi = list.size;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (compareKeys(list.keyAt(mid), key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function createDataset(options2) {
  const historyEndsAt = Math.floor(Date.parse(options2.historyEndsAt ?? "2026-01-01T00:00:00Z") / 1e3);
  const spacing = options2.spacingSeconds ?? 2400;
  if (!Number.isFinite(historyEndsAt) || !(spacing >= 2)) throw new Error("invalid dataset time settings");
  if (options2.repositories.length > 1e3) throw new Error("at most 1,000 repositories per dataset");
  const repositories = options2.repositories.map(
    (spec, salt) => new SimRepository(options2.seed, salt, spec, historyEndsAt, spacing)
  );
  const byName = /* @__PURE__ */ new Map();
  for (const repository of repositories) {
    const key = repository.nameWithOwner.toLowerCase();
    if (byName.has(key)) throw new Error(`duplicate repository ${repository.nameWithOwner}`);
    byName.set(key, repository);
  }
  return {
    seed: options2.seed,
    repositories,
    repository: (owner, name) => byName.get(`${owner}/${name}`.toLowerCase()),
    ownerRepositories: (owner) => repositories.filter((r) => r.owner.toLowerCase() === owner.toLowerCase())
  };
}
var MISSING_EVERY, TWO_POW_31, DAY, MEMO_LIMIT, USER_NAMES, BOTS, SimRepository;
var init_dataset = __esm({
  "src/simulator/dataset.ts"() {
    "use strict";
    init_children2();
    init_random();
    init_text();
    MISSING_EVERY = 40;
    TWO_POW_31 = 2 ** 31;
    DAY = 86400;
    MEMO_LIMIT = 512;
    USER_NAMES = ["octo", "dev", "ana", "li", "muller", "sam"];
    BOTS = [
      { login: "dependabot", databaseId: 49699333 },
      { login: "renovate", databaseId: 29139614 },
      { login: "github-actions", databaseId: 41898282 }
    ];
    SimRepository = class {
      constructor(seed, salt, spec, historyEndsAt, spacing) {
        this.seed = seed;
        this.salt = salt;
        this.spec = spec;
        this.spacing = spacing;
        if (!Number.isInteger(spec.pullRequests) || spec.pullRequests < 0) {
          throw new Error(`pullRequests must be a non-negative integer for ${spec.owner}/${spec.name}`);
        }
        if (spec.issueShare !== void 0 && !(spec.issueShare >= 0 && spec.issueShare <= 0.98)) {
          throw new Error(`issueShare must be from 0 to 0.98 for ${spec.owner}/${spec.name}`);
        }
        this.owner = spec.owner;
        this.name = spec.name;
        this.isPrivate = spec.isPrivate ?? false;
        this.ownerType = spec.ownerType ?? "Organization";
        this.initialCount = spec.pullRequests;
        this.count = spec.pullRequests;
        this.databaseId = 1e8 + salt * 7919;
        this.ids = new ChildIds(seed, salt);
        if (spec.childCases && spec.pullRequests < CHILD_CASES.length) {
          throw new Error(
            `childCases needs at least ${CHILD_CASES.length} pull requests in ${spec.owner}/${spec.name}`
          );
        }
        this.nodeId = nodeId("R", "repo", seed, salt);
        this.firstCreatedAt = historyEndsAt - (spec.pullRequests + 1) * spacing;
        this.createdAt = this.firstCreatedAt - 30 * DAY;
        this.highIdsFrom = Math.floor(spec.pullRequests * 0.98);
        const without = Math.min(spec.pullRequestsWithoutIds ?? 0, spec.pullRequests);
        this.withoutIds = new Set(
          Array.from({ length: without }, (_, j) => Math.floor((j + 0.5) * spec.pullRequests / without))
        );
      }
      seed;
      salt;
      spec;
      spacing;
      owner;
      name;
      isPrivate;
      ownerType;
      databaseId;
      nodeId;
      createdAt;
      /** bumped on every change so cached orderings are rebuilt */
      version = 0;
      pageRequestsServed = 0;
      initialCount;
      count;
      firstCreatedAt;
      highIdsFrom;
      overrides = /* @__PURE__ */ new Map();
      grownCreatedAt = /* @__PURE__ */ new Map();
      memo = /* @__PURE__ */ new Map();
      orderings = /* @__PURE__ */ new Map();
      withoutIds;
      ids;
      childOverrides = /* @__PURE__ */ new Map();
      baseOverrides = /* @__PURE__ */ new Map();
      childRounds = /* @__PURE__ */ new Map();
      changeEvents = 0;
      get nameWithOwner() {
        return `${this.owner}/${this.name}`;
      }
      get url() {
        return `https://github.com/${this.owner}/${this.name}`;
      }
      /** current number of pull requests (grows with `changes.growth`) */
      get pullRequestCount() {
        return this.count;
      }
      get pullRequestsWithoutIdsCount() {
        return this.withoutIds.size;
      }
      numberOf(index) {
        const share = this.spec.issueShare;
        if (share === void 0) return 3 * index + 1 + hashTuple(this.seed, this.salt, index, "number") % 3;
        const gap = 1 / (1 - share);
        const jitter = Math.floor(gap) - 1;
        const offset = jitter > 0 ? hashTuple(this.seed, this.salt, index, "number") % (jitter + 1) : 0;
        return Math.floor(index * gap) + 1 + offset;
      }
      /**
       * The owner of a number: a pull request (numbers rise with the index, so a binary search finds it), an issue,
       * or nothing (a deleted or transferred issue, or a number not given out yet).
       */
      numberOwner(number) {
        if (!Number.isInteger(number) || number < 1 || this.count === 0) return { kind: "missing" };
        let low = 0;
        let high = this.count - 1;
        while (low < high) {
          const middle = low + high >> 1;
          if (this.numberOf(middle) < number) low = middle + 1;
          else high = middle;
        }
        if (this.numberOf(low) === number) return { kind: "pullRequest", index: low };
        if (number > this.numberOf(this.count - 1)) return { kind: "missing" };
        if (hashTuple(this.seed, this.salt, number, "missing") % MISSING_EVERY === 0) return { kind: "missing" };
        return { kind: "issue", number };
      }
      databaseIdOf(index) {
        if (this.withoutIds.has(index)) return null;
        const jitter = hashTuple(this.seed, this.salt, index, "id") % 1e3;
        if (index < this.highIdsFrom)
          return TWO_POW_31 - 5e4 + this.salt * 4e8 + index * 1e3 + jitter;
        return 2 ** 53 - 2 ** 42 + this.salt * 2 ** 32 + (index - this.highIdsFrom) * 1e3 + jitter;
      }
      historicalCreatedAt(index) {
        const at = (i) => this.firstCreatedAt + i * this.spacing + hashTuple(this.seed, this.salt, i, "created") % (this.spacing >> 1);
        if (index % 2 === 1 && hashTuple(this.seed, this.salt, index, "tie") % 100 < 8) return at(index - 1);
        return at(index);
      }
      createdAtOf(index) {
        return this.grownCreatedAt.get(index) ?? this.historicalCreatedAt(index);
      }
      skeleton(index) {
        this.assertIndex(index);
        const createdAt = this.createdAtOf(index);
        const base2 = {
          index,
          number: this.numberOf(index),
          databaseId: this.databaseIdOf(index),
          ...this.generatedState(index, createdAt)
        };
        const override = this.overrides.get(index);
        return override ? { ...base2, ...override } : base2;
      }
      generatedState(index, createdAt) {
        const random = randomFor(this.seed, this.salt, index, "state");
        const stateRoll = random();
        const closeAfter = Math.floor(60 + random() ** 3 * 90 * DAY);
        const touchAfter = Math.floor(random() ** 2 * 20 * DAY);
        const draftRoll = random();
        if (this.grownCreatedAt.has(index)) {
          return {
            state: "OPEN",
            isDraft: draftRoll < 0.2,
            createdAt,
            updatedAt: createdAt,
            closedAt: null,
            mergedAt: null
          };
        }
        const historyEnd = this.firstCreatedAt + (this.initialCount + 1) * this.spacing + 60 * DAY;
        const recent = index >= this.initialCount * 0.95;
        const openChance = recent ? 0.35 : 0.04;
        if (stateRoll < openChance) {
          const updatedAt2 = Math.min(createdAt + touchAfter, historyEnd);
          return {
            state: "OPEN",
            isDraft: draftRoll < 0.2,
            createdAt,
            updatedAt: updatedAt2,
            closedAt: null,
            mergedAt: null
          };
        }
        const closedAt = Math.min(createdAt + closeAfter, historyEnd);
        const updatedAt = Math.min(closedAt + Math.floor(touchAfter / 10), historyEnd);
        if (stateRoll < openChance + 0.2) {
          return { state: "CLOSED", isDraft: draftRoll < 0.05, createdAt, updatedAt, closedAt, mergedAt: null };
        }
        return { state: "MERGED", isDraft: false, createdAt, updatedAt, closedAt, mergedAt: closedAt };
      }
      pullRequest(index) {
        this.assertIndex(index);
        let generated = this.memo.get(index);
        if (!generated) {
          generated = this.generate(index);
          if (this.memo.size >= MEMO_LIMIT) {
            const oldest = this.memo.keys().next().value;
            if (oldest !== void 0) this.memo.delete(oldest);
          }
          this.memo.set(index, generated);
        }
        const override = this.overrides.get(index);
        const children2 = this.childOverrides.get(index);
        const baseRefName = this.baseOverrides.get(index);
        return override || children2 || baseRefName !== void 0 ? { ...generated, ...override, ...children2, ...baseRefName !== void 0 ? { baseRefName } : {} } : generated;
      }
      /**
       * Someone acts on a pull request now: merges, closes or reopens it, or retargets it to another base branch. Its
       * updatedAt moves, as on GitHub.
       */
      changePullRequest(index, nowSec, change) {
        const current = this.skeleton(index);
        const at = Math.max(nowSec, current.updatedAt + 1);
        const state = change.state ?? current.state;
        const ended = state === "OPEN" ? null : current.state === "OPEN" ? at : current.closedAt;
        this.overrides.set(index, {
          state,
          isDraft: state === "MERGED" ? false : current.isDraft,
          updatedAt: at,
          closedAt: ended,
          mergedAt: state === "MERGED" ? current.mergedAt ?? at : null
        });
        if (change.baseRefName !== void 0) this.baseOverrides.set(index, change.baseRefName);
        this.version++;
      }
      /**
       * People act on a pull request now: a new conversation comment, the first one edited, the last one deleted
       * (when there are two or more), and a new review with a review comment. Its updatedAt moves, as on GitHub.
       */
      changeChildren(index, nowSec) {
        const pr = this.pullRequest(index);
        const round = (this.childRounds.get(index) ?? 0) + 1;
        if (round > 9) throw new Error(`pull request ${index} has changed too often for its id range`);
        this.childRounds.set(index, round);
        const at = Math.max(nowSec, pr.updatedAt + 1);
        const span = { from: at, to: at, editedBy: at };
        const comments = pr.comments.map(
          (comment, c) => c === 0 ? { ...comment, body: `${comment.body} (edited ✏️ ${round})`, updatedAt: at } : comment
        );
        if (comments.length >= 2) comments.pop();
        const newComment = completeComment(
          this.ids,
          index,
          4e4 + round,
          {
            author: this.actor("User", `newcomer-${1e4 + round}`, 1e4 + round, "U"),
            createdAt: at,
            body: `new ${round} 🆕`
          },
          span
        );
        const review = completeReview(
          this.ids,
          index,
          240 + round,
          {
            // accounts beyond the generator's (k ≤ 5,000), so a new id never meets an old login
            author: this.actor("User", `reviewer-${2e4 + round}`, 2e4 + round, "U"),
            state: "COMMENTED",
            submittedAt: at,
            createdAt: at,
            body: `review ${round}`
          },
          span,
          (random) => this.author(random),
          [],
          1
        );
        this.childOverrides.set(index, { comments: [...comments, newComment], reviews: [...pr.reviews, review] });
        const current = this.skeleton(index);
        this.overrides.set(index, {
          state: current.state,
          isDraft: current.isDraft,
          updatedAt: at,
          closedAt: current.closedAt,
          mergedAt: current.mergedAt
        });
        this.version++;
      }
      generate(index) {
        const skeleton = this.skeleton(index);
        const random = randomFor(this.seed, this.salt, index, "detail");
        const author = this.author(random);
        const byBot = author?.type === "Bot";
        const title = pullRequestTitle(random, byBot);
        const body = pullRequestBody(random, bodyShape(random), skeleton.number);
        const additions = Math.floor(Math.exp(random() * 9)) - 1;
        const deletions = Math.floor(Math.exp(random() * 8)) - 1;
        const changedFiles = additions + deletions === 0 ? 0 : 1 + Math.floor(random() ** 3 * 60);
        const baseRefName = pick2(random, ["main", "main", "main", "master", "develop", "release/2.x"]);
        const headRefName = byBot ? `${author?.login}/npm_and_yarn/${pick2(random, BOT_PACKAGES)}-${skeleton.number}` : `${random() < 0.05 ? "fix/ünïcödé" : "feature"}/${slug(title)}-${skeleton.number}`;
        const labelCount = random() < 0.55 ? 0 : intBetween(random, 1, 4);
        const labelPool = [...LABELS];
        const labels = [];
        for (let l = 0; l < labelCount; l++) {
          const [name] = labelPool.splice(Math.floor(random() * labelPool.length), 1);
          if (name !== void 0)
            labels.push({ name, color: (hashTuple(name) & 16777215).toString(16).padStart(6, "0") });
        }
        const hard = this.childCase(index);
        if (hard?.labels !== void 0) labels.splice(0, labels.length, ...caseLabels(hard.labels));
        const span = {
          from: skeleton.createdAt,
          to: skeleton.closedAt ?? skeleton.updatedAt,
          editedBy: skeleton.updatedAt
        };
        let children2;
        const drawChildren = () => {
          children2 ??= {
            reviews: this.reviews(random, index, span, hard),
            comments: this.comments(random, index, span, hard)
          };
          return children2;
        };
        const reviewDecision = this.reviewDecision(
          randomFor(this.seed, this.salt, index, "decision"),
          skeleton.state
        );
        return {
          ...skeleton,
          nodeId: nodeId("PR", this.seed, this.salt, index),
          title,
          body,
          author,
          additions,
          deletions,
          changedFiles,
          baseRefName,
          headRefName,
          url: `${this.url}/pull/${skeleton.number}`,
          labels,
          reviewDecision,
          get reviews() {
            return drawChildren().reviews;
          },
          get comments() {
            return drawChildren().comments;
          }
        };
      }
      author(random) {
        const roll = random();
        const k = intBetween(random, 0, Math.max(20, Math.min(5e3, Math.floor(this.initialCount / 10))));
        if (roll < 0.02) return null;
        if (roll < 0.09) return this.botActor(pick2(random, BOTS));
        if (roll < 0.095) return this.actor("Mannequin", `mannequin-${k}`, k, "MQ");
        if (roll < 0.1) return this.actor("Organization", `org-${k}`, k, "O");
        if (roll < 0.105) return this.enterpriseUser(k);
        pick2(random, USER_NAMES);
        return this.actor("User", `${USER_NAMES[k % USER_NAMES.length]}-${k}`, k, "U");
      }
      botActor(bot) {
        return {
          type: "Bot",
          login: bot.login,
          databaseId: bot.databaseId,
          nodeId: nodeId("BOT", bot.login),
          url: `https://github.com/apps/${bot.login}`
        };
      }
      enterpriseUser(k) {
        return {
          type: "EnterpriseUserAccount",
          login: `enterprise-user-${k}`,
          databaseId: null,
          nodeId: nodeId("EUA", k),
          url: `https://github.com/enterprises/acme/people/enterprise-user-${k}`
        };
      }
      childCase(index) {
        return this.spec.childCases && !this.grownCreatedAt.has(index) ? CHILD_CASES[index] : void 0;
      }
      actor(type, login, k, prefix) {
        return {
          type,
          login,
          databaseId: 1e3 + k * 37 + type.length,
          nodeId: nodeId(prefix, login),
          url: `https://github.com/${login}`
        };
      }
      reviews(random, index, span, hard) {
        const { from, to } = span;
        const drawnCount = random() < 0.01 ? intBetween(random, 100, 140) : random() < 0.4 ? 0 : intBetween(random, 1, 6);
        const count = hard?.reviews ?? (hard?.everyAuthor ? 7 : drawnCount);
        const threads = [];
        return Array.from({ length: count }, (_, r) => {
          const createdAt = from + Math.floor((to - from) * (r + 1) / (count + 1));
          const state = pick2(random, [
            "APPROVED",
            "CHANGES_REQUESTED",
            "COMMENTED",
            "COMMENTED",
            "DISMISSED"
          ]);
          const pending = hard?.everyAuthor ? r === count - 2 : random() < 0.01;
          const drawnAuthor = this.author(random);
          const drawnBody = random() < 0.5 ? "" : commentBody(random);
          const drawn = {
            author: hard?.everyAuthor ? this.everyAuthor(r) : drawnAuthor,
            state: pending ? "PENDING" : state,
            submittedAt: pending ? null : createdAt,
            createdAt,
            body: hard?.everyAuthor ? caseBody(random, r, index) : drawnBody
          };
          const comments = hard?.reviewComments !== void 0 && r === 0 ? hard.reviewComments : void 0;
          const replyable = pending ? [] : threads;
          return completeReview(this.ids, index, r, drawn, span, (rr) => this.author(rr), replyable, comments);
        });
      }
      comments(random, index, span, hard) {
        const { from, to } = span;
        const drawnCount = random() < 0.01 ? intBetween(random, 100, 150) : random() < 0.35 ? 0 : intBetween(random, 1, 10);
        const count = hard?.comments ?? (hard?.everyAuthor ? 8 : drawnCount);
        return Array.from({ length: count }, (_, c) => {
          const drawnAuthor = this.author(random);
          const drawnBody = commentBody(random);
          const drawn = {
            author: hard?.everyAuthor ? this.everyAuthor(c) : drawnAuthor,
            createdAt: from + Math.floor((to - from) * (c + 1) / (count + 1)),
            body: hard?.everyAuthor ? caseBody(random, c, index) : drawnBody
          };
          return completeComment(this.ids, index, c, drawn, span);
        });
      }
      /** Cycles through a ghost and every Actor type, for the every-author case. */
      everyAuthor(k) {
        const random = randomFor(this.seed, this.salt, "every-author", k);
        switch (k % 6) {
          case 0:
            return null;
          case 1:
            return this.botActor(BOTS[k % BOTS.length] ?? BOTS[0]);
          case 2:
            return this.actor("Mannequin", `mannequin-${k}`, k, "MQ");
          case 3:
            return this.actor("Organization", `org-${k}`, k, "O");
          case 4:
            return this.enterpriseUser(k);
          default:
            return this.author(random) ?? this.actor("User", `octo-${k}`, k, "U");
        }
      }
      reviewDecision(random, state) {
        if (state === "MERGED") return random() < 0.7 ? "APPROVED" : null;
        if (state === "CLOSED") return random() < 0.2 ? "CHANGES_REQUESTED" : null;
        return pick2(random, [null, "REVIEW_REQUIRED", "APPROVED", "CHANGES_REQUESTED"]);
      }
      /** Pull requests in ascending `field` order, ties broken by index (= id), optionally only some states. */
      ordered(field, states2 = null, baseRefName = null) {
        const filter = states2 && states2.length > 0 ? [...new Set(states2)].sort() : null;
        if (field === "CREATED_AT" && !filter && baseRefName === null) {
          return {
            size: this.count,
            indexAt: (position) => position,
            keyAt: (position) => [this.createdAtOf(position), position]
          };
        }
        const cacheKey = `${this.version}|${field}|${filter?.join(",") ?? "*"}|${baseRefName ?? "*"}`;
        const cached2 = this.orderings.get(cacheKey);
        if (cached2) return cached2;
        const keys = new Float64Array(this.count);
        const selected = [];
        for (let index = 0; index < this.count; index++) {
          const skeleton = this.skeleton(index);
          keys[index] = field === "CREATED_AT" ? skeleton.createdAt : skeleton.updatedAt;
          if (filter && !filter.includes(skeleton.state)) continue;
          if (baseRefName !== null && this.pullRequest(index).baseRefName !== baseRefName) continue;
          selected.push(index);
        }
        const indices = Int32Array.from(selected);
        if (field === "UPDATED_AT") indices.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);
        const list = {
          size: indices.length,
          indexAt: (position) => indices[position] ?? -1,
          keyAt: (position) => {
            const index = indices[position] ?? -1;
            return [keys[index] ?? 0, index];
          }
        };
        for (const key of this.orderings.keys())
          if (!key.startsWith(`${this.version}|`)) this.orderings.delete(key);
        this.orderings.set(cacheKey, list);
        return list;
      }
      /** Sort key of one pull request in an ordering, for cursors. */
      keyOf(field, index) {
        const skeleton = this.skeleton(index);
        return [field === "CREATED_AT" ? skeleton.createdAt : skeleton.updatedAt, index];
      }
      /**
       * Counts a served page request; every `changes.everyPages` of them, some OPEN pull requests merge or close and
       * new ones may appear — the data a long backfill sees moving under it.
       */
      recordPageServed(nowMs) {
        this.pageRequestsServed++;
        const changes = this.spec.changes;
        if (!changes || changes.everyPages <= 0 || this.pageRequestsServed % changes.everyPages !== 0) return;
        if (changes.maxEvents !== void 0 && this.changeEvents >= changes.maxEvents) return;
        this.applyChange(Math.floor(nowMs / 1e3), changes);
      }
      applyChange(nowSec, changes) {
        const event = ++this.changeEvents;
        const random = randomFor(this.seed, this.salt, "change", event);
        for (let t = 0; t < (changes.transitions ?? 2) && this.count > 0; t++) {
          const start2 = Math.floor(random() * this.count);
          for (let step = 0; step < this.count; step++) {
            const index = (start2 + step) % this.count;
            const current = this.skeleton(index);
            if (current.state !== "OPEN") continue;
            const at = Math.max(nowSec, current.updatedAt + 1);
            const merged = random() < 0.7;
            this.overrides.set(index, {
              state: merged ? "MERGED" : "CLOSED",
              isDraft: merged ? false : current.isDraft,
              updatedAt: at,
              closedAt: at,
              mergedAt: merged ? at : null
            });
            break;
          }
        }
        for (let g = 0; g < (changes.growth ?? 0); g++) {
          const index = this.count;
          const previous = index > 0 ? this.createdAtOf(index - 1) : nowSec;
          this.grownCreatedAt.set(index, Math.max(nowSec, previous));
          this.count++;
        }
        this.version++;
      }
      assertIndex(index) {
        if (!Number.isInteger(index) || index < 0 || index >= this.count) {
          throw new RangeError(`no pull request at index ${index} in ${this.nameWithOwner}`);
        }
      }
    };
  }
});

// src/simulator/github-app.ts
import { verify } from "node:crypto";
function verifyAppJwt(jwt, apps) {
  const parts = jwt.split(".");
  if (parts.length !== 3) return { refused: "A JSON web token could not be decoded" };
  const [header, payload, signature] = parts;
  let claims;
  let alg;
  try {
    alg = JSON.parse(Buffer.from(header, "base64url").toString("utf8")).alg;
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { refused: "A JSON web token could not be decoded" };
  }
  const appId = String(claims.iss ?? "");
  const app = apps[appId];
  if (alg !== "RS256" || !app) return { refused: "'Issuer' claim ('iss') must be an Integer" };
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    app.publicKey,
    Buffer.from(signature, "base64url")
  );
  if (!signed) return { refused: "A JSON web token could not be decoded" };
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= iat || exp - iat > JWT_MAX_LIFETIME_S + 60) {
    return { refused: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { appId };
}
function createAppEndpoints(apps, now) {
  const issued = /* @__PURE__ */ new Map();
  let counter = 0;
  const installationOf = (appId, id) => apps[appId]?.installations.find((installation) => installation.id === id);
  function handle(method, path, query, jwt) {
    const listing = method === "GET" && path === "/app/installations";
    const minting = method === "POST" ? /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path) : null;
    if (!listing && !minting) return null;
    const proof = jwt ? verifyAppJwt(jwt, apps) : { refused: "A JSON web token could not be decoded" };
    if ("refused" in proof) return { status: 401, body: { message: proof.refused, status: "401" } };
    const app = apps[proof.appId];
    if (listing) {
      const perPage = Math.min(100, Number(query.get("per_page") ?? 30) || 30);
      const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
      const slice = app.installations.slice((page - 1) * perPage, page * perPage);
      return {
        status: 200,
        body: slice.map((installation2) => ({
          id: installation2.id,
          app_id: Number(proof.appId),
          target_type: installation2.accountType ?? "Organization",
          account: { login: installation2.account, type: installation2.accountType ?? "Organization" },
          repository_selection: "all"
        }))
      };
    }
    const installation = installationOf(proof.appId, Number(minting[1]));
    if (!installation) return { status: 404, body: { message: "Not Found", status: "404" } };
    counter += 1;
    const issuedAt = now();
    const entry = {
      token: `ghs_sim${String(counter).padStart(5, "0")}${"x".repeat(28)}`,
      appId: proof.appId,
      installationId: installation.id,
      issuedAt,
      expiresAt: issuedAt + (app.tokenLifetimeMs ?? HOUR_MS)
    };
    issued.set(entry.token, entry);
    return {
      status: 201,
      body: {
        token: entry.token,
        expires_at: new Date(entry.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { metadata: "read", pull_requests: "read" },
        repository_selection: "all"
      }
    };
  }
  function access2(token) {
    const entry = issued.get(token);
    if (!entry) return null;
    if (now() >= entry.expiresAt) return "expired";
    const installation = installationOf(entry.appId, entry.installationId);
    return {
      budgetKey: `installation:${entry.installationId}`,
      options: { kind: "integration", login: `app-${entry.appId}[bot]`, ...installation.access }
    };
  }
  return { handle, access: access2, issued: () => [...issued.values()] };
}
var HOUR_MS, JWT_MAX_LIFETIME_S;
var init_github_app = __esm({
  "src/simulator/github-app.ts"() {
    "use strict";
    HOUR_MS = 36e5;
    JWT_MAX_LIFETIME_S = 600;
  }
});

// src/simulator/connection.ts
import { GraphQLError } from "graphql";
function invalidCursor(argument) {
  return new GraphQLError(`\`${argument}\` does not appear to be a valid cursor.`, {
    extensions: { type: "INVALID_CURSOR_ARGUMENTS" }
  });
}
function encode(payload) {
  return Buffer.from(PREFIX + JSON.stringify(payload), "utf8").toString("base64");
}
function decode(cursor) {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64").toString("utf8");
  if (!text.startsWith(PREFIX)) return null;
  try {
    const payload = JSON.parse(text.slice(PREFIX.length));
    return Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}
function sortKeyCursor(field, key) {
  return encode([FIELD_TAGS[field], key[0], key[1]]);
}
function parseSortKeyCursor(cursor, field, argument) {
  const payload = decode(cursor);
  const [tag, seconds, index] = payload ?? [];
  if (payload?.length !== 3 || tag !== FIELD_TAGS[field] || !Number.isInteger(seconds) || !Number.isInteger(index)) {
    throw invalidCursor(argument);
  }
  return [seconds, index];
}
function offsetCursor(offset) {
  return encode([offset]);
}
function parseOffsetCursor(cursor, argument) {
  const payload = decode(cursor);
  const offset = payload?.[0];
  if (payload?.length !== 1 || !Number.isInteger(offset) || offset < 0)
    throw invalidCursor(argument);
  return offset;
}
function cut(size, start2, end, args) {
  let from = Math.max(0, Math.min(start2, size));
  let to = Math.max(from, Math.min(end, size));
  if (args.first != null) to = Math.min(to, from + args.first);
  if (args.last != null) from = Math.max(from, to - args.last);
  return { start: from, end: to, hasPreviousPage: from > 0, hasNextPage: to < size };
}
function sortedWindow(list, field, descending, args) {
  const size = list.size;
  let start2 = 0;
  let end = size;
  if (args.after != null) {
    const key = parseSortKeyCursor(args.after, field, "after");
    start2 = descending ? size - lowerBound(list, key) : upperBound(list, key);
  }
  if (args.before != null) {
    const key = parseSortKeyCursor(args.before, field, "before");
    end = descending ? size - upperBound(list, key) : lowerBound(list, key);
  }
  return cut(size, start2, end, args);
}
function arrayWindow(size, args) {
  const start2 = args.after != null ? parseOffsetCursor(args.after, "after") + 1 : 0;
  const end = args.before != null ? parseOffsetCursor(args.before, "before") : size;
  return cut(size, start2, end, args);
}
function connection(totalCount, window, nodeAt, cursorAt) {
  let built;
  const nodes = () => {
    built ??= Array.from({ length: window.end - window.start }, (_, i) => nodeAt(window.start + i));
    return built;
  };
  const empty = window.end === window.start;
  return {
    totalCount,
    pageInfo: {
      startCursor: empty ? null : cursorAt(window.start),
      endCursor: empty ? null : cursorAt(window.end - 1),
      hasNextPage: window.hasNextPage,
      hasPreviousPage: window.hasPreviousPage
    },
    nodes,
    edges: () => nodes().map((node, i) => ({ cursor: cursorAt(window.start + i), node }))
  };
}
function pageArgs(args) {
  return {
    first: args.first,
    last: args.last,
    after: args.after,
    before: args.before
  };
}
function listConnection(items, args, toNode) {
  const window = arrayWindow(items.length, pageArgs(args));
  return connection(items.length, window, (position) => toNode(items[position]), offsetCursor);
}
var PREFIX, FIELD_TAGS;
var init_connection = __esm({
  "src/simulator/connection.ts"() {
    "use strict";
    init_dataset();
    PREFIX = "cursor:v2:";
    FIELD_TAGS = { CREATED_AT: "c", UPDATED_AT: "u" };
  }
});

// src/simulator/children-resolvers.ts
import { GraphQLError as GraphQLError2 } from "graphql";
function visibleReviews(pr, context) {
  return pr.reviews.filter(
    (review) => review.state !== "PENDING" || review.author?.login === context.token.login
  );
}
function createChildResolvers(deps) {
  const { isoSeconds: isoSeconds2, actorObject: actorObject2, int32: int323 } = deps;
  function authoredFields(child, url, context) {
    return {
      id: child.nodeId,
      databaseId: int323(child.databaseId, context),
      fullDatabaseId: String(child.databaseId),
      author: actorObject2(child.author),
      body: child.body,
      bodyText: child.body,
      bodyHTML: child.body,
      createdAt: isoSeconds2(child.createdAt),
      updatedAt: isoSeconds2(child.updatedAt),
      lastEditedAt: child.updatedAt === child.createdAt ? null : isoSeconds2(child.updatedAt),
      url,
      resourcePath: new URL(url).pathname
    };
  }
  function reviewCommentObject(repository, pr, review, comment, context) {
    return {
      __typename: "PullRequestReviewComment",
      ...authoredFields(comment, `${pr.url}#discussion_r${comment.databaseId}`, context),
      path: comment.path,
      line: comment.line,
      originalLine: comment.originalLine,
      outdated: comment.line === null,
      replyTo: () => {
        if (comment.replyTo === null) return null;
        for (const other of pr.reviews) {
          const target = other.comments.find((candidate) => candidate.databaseId === comment.replyTo);
          if (target) return reviewCommentObject(repository, pr, other, target, context);
        }
        return null;
      },
      pullRequestReview: () => reviewObject(repository, pr, review, context),
      pullRequest: () => deps.pullRequestObject(repository, pr, context)
    };
  }
  function reviewObject(repository, pr, review, context) {
    return {
      __typename: "PullRequestReview",
      ...authoredFields(review, `${pr.url}#pullrequestreview-${review.databaseId}`, context),
      state: review.state,
      submittedAt: review.submittedAt === null ? null : isoSeconds2(review.submittedAt),
      commit: { __typename: "Commit", id: `C_${review.commitOid}`, oid: review.commitOid },
      comments: (args) => listConnection(
        review.comments,
        args,
        (comment) => reviewCommentObject(repository, pr, review, comment, context)
      ),
      pullRequest: () => deps.pullRequestObject(repository, pr, context)
    };
  }
  function issueCommentObject(pr, comment, context) {
    return {
      __typename: "IssueComment",
      ...authoredFields(comment, `${pr.url}#issuecomment-${comment.databaseId}`, context)
    };
  }
  function pullRequestChildren(repository, pr, context) {
    return {
      totalCommentsCount: () => pr.comments.length,
      labels: (args) => listConnection(pr.labels, args, (label) => ({
        __typename: "Label",
        id: `LA_${Buffer.from(label.name).toString("base64url")}`,
        name: label.name,
        color: label.color
      })),
      reviews: (args) => {
        const states2 = args.states;
        const author = args.author;
        const reviews = visibleReviews(pr, context).filter(
          (review) => (!states2 || states2.includes(review.state)) && (!author || review.author?.login === author)
        );
        return listConnection(reviews, args, (review) => reviewObject(repository, pr, review, context));
      },
      comments: (args) => listConnection(pr.comments, args, (comment) => issueCommentObject(pr, comment, context))
    };
  }
  function nodeById(repositories, id, context) {
    const found = locate(repositories, id);
    if (found && context.token.canSee(found.repository.owner, found.repository.name)) {
      if (!found.review) return deps.pullRequestObject(found.repository, found.pr, context);
      if (visibleReviews(found.pr, context).includes(found.review))
        return reviewObject(found.repository, found.pr, found.review, context);
    }
    throw new GraphQLError2(`Could not resolve to a node with the global id of '${id}'`, {
      extensions: { type: "NOT_FOUND" }
    });
  }
  return { pullRequestChildren, nodeById, reviewObject };
}
function locate(repositories, id) {
  const match = /^(PR|PRR)_kwDO([A-Za-z0-9_-]+)$/.exec(id);
  if (!match) return null;
  const parts = Buffer.from(match[2] ?? "", "base64url").toString("utf8").split(":").map(Number);
  const [, salt, index] = parts;
  const repository = repositories[salt ?? -1];
  if (!repository || index === void 0 || !Number.isInteger(index)) return null;
  if (index < 0 || index >= repository.pullRequestCount) return null;
  const pr = repository.pullRequest(index);
  if (match[1] === "PR") return pr.nodeId === id ? { repository, pr } : null;
  const review = pr.reviews.find((candidate) => candidate.nodeId === id);
  return review ? { repository, pr, review } : null;
}
var init_children_resolvers = __esm({
  "src/simulator/children-resolvers.ts"() {
    "use strict";
    init_connection();
  }
});

// src/simulator/resolvers.ts
import {
  GraphQLError as GraphQLError3,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind as Kind2
} from "graphql";
function isoSeconds(epochSeconds) {
  return new Date(epochSeconds * 1e3).toISOString().replace(".000Z", "Z");
}
function githubError(type, message, extensions = {}) {
  return new GraphQLError3(message, { extensions: { type, ...extensions } });
}
function int322(value, context) {
  if (value === null || value <= INT32_MAX || context.int32Overflow === "error") return value;
  return null;
}
function selects(info, names) {
  const visit = (nodes) => nodes.some(
    (node) => node.selectionSet?.selections.some((selection) => {
      if (selection.kind === Kind2.FIELD) return names.includes(selection.name.value);
      if (selection.kind === Kind2.INLINE_FRAGMENT)
        return visit([{ ...node, selectionSet: selection.selectionSet }]);
      const fragment = info.fragments[selection.name.value];
      return fragment ? visit([{ ...node, selectionSet: fragment.selectionSet }]) : false;
    })
  );
  return visit(info.fieldNodes);
}
function actorObject(actor) {
  if (!actor) return null;
  const resourcePath = new URL(actor.url).pathname;
  return {
    __typename: actor.type,
    id: actor.nodeId,
    login: actor.login,
    url: actor.url,
    resourcePath,
    avatarUrl: () => `https://avatars.githubusercontent.com/${encodeURIComponent(actor.login)}`,
    ...actor.type === "EnterpriseUserAccount" ? {} : { databaseId: actor.databaseId }
  };
}
function pullRequestObject(repository, pr, context) {
  const fullDatabaseId = pr.databaseId === null ? null : String(pr.databaseId);
  return {
    __typename: "PullRequest",
    id: pr.nodeId,
    databaseId: int322(pr.databaseId, context),
    fullDatabaseId,
    number: pr.number,
    title: pr.title,
    titleHTML: pr.title,
    body: pr.body,
    bodyText: pr.body,
    bodyHTML: pr.body,
    state: pr.state,
    closed: pr.state !== "OPEN",
    merged: pr.state === "MERGED",
    isDraft: pr.isDraft,
    createdAt: isoSeconds(pr.createdAt),
    updatedAt: isoSeconds(pr.updatedAt),
    closedAt: pr.closedAt === null ? null : isoSeconds(pr.closedAt),
    mergedAt: pr.mergedAt === null ? null : isoSeconds(pr.mergedAt),
    publishedAt: isoSeconds(pr.createdAt),
    author: actorObject(pr.author),
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    baseRefName: pr.baseRefName,
    headRefName: pr.headRefName,
    url: pr.url,
    permalink: pr.url,
    resourcePath: new URL(pr.url).pathname,
    reviewDecision: pr.reviewDecision,
    repository: () => repositoryObject(repository, context),
    ...children.pullRequestChildren(repository, pr, context)
  };
}
function assertCanReadPullRequests(repository, context) {
  if (context.token.canReadPullRequests(repository.owner, repository.name)) return;
  const by = context.token.kind === "integration" ? "integration" : "personal access token";
  throw githubError("FORBIDDEN", `Resource not accessible by ${by}`, { saml_failure: false });
}
function pullRequestConnection(repository, args, context, info) {
  assertCanReadPullRequests(repository, context);
  const orderBy = args.orderBy;
  const field = orderBy?.field ?? "CREATED_AT";
  if (field !== "CREATED_AT" && field !== "UPDATED_AT") {
    throw new GraphQLError3(`The simulator does not model ordering pull requests by ${field}.`);
  }
  const descending = orderBy?.direction === "DESC";
  const states2 = args.states ?? null;
  const baseRefName = typeof args.baseRefName === "string" ? args.baseRefName : null;
  const list = repository.ordered(field, states2, baseRefName);
  const window = sortedWindow(list, field, descending, pageArgs(args));
  const indexAt = (position) => list.indexAt(descending ? list.size - 1 - position : position);
  if (selects(info, ["nodes", "edges"]) && window.end > window.start)
    context.servedRepositories.add(repository);
  return connection(
    list.size,
    window,
    (position) => pullRequestObject(repository, repository.pullRequest(indexAt(position)), context),
    (position) => sortKeyCursor(field, repository.keyOf(field, indexAt(position)))
  );
}
function ownerObject(login, repositories, context) {
  const type = repositories[0]?.ownerType ?? "User";
  const canonical = repositories[0]?.owner ?? login;
  const salt = [...canonical].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  return {
    __typename: type,
    id: `${type === "User" ? "U" : "O"}_kgDO${Buffer.from(canonical).toString("base64url")}`,
    databaseId: 5e6 + salt,
    login: canonical,
    url: `https://github.com/${canonical}`,
    resourcePath: `/${canonical}`,
    avatarUrl: () => `https://avatars.githubusercontent.com/${canonical}`,
    repositories: (args) => {
      const visible = repositories.filter((repository) => context.token.canSee(repository.owner, repository.name)).filter((repository) => {
        if (args.privacy === "PRIVATE") return repository.isPrivate;
        if (args.privacy === "PUBLIC") return !repository.isPrivate;
        return true;
      });
      const orderBy = args.orderBy;
      if (orderBy?.field === "NAME") {
        visible.sort((a, b) => a.name.localeCompare(b.name, "en"));
        if (orderBy.direction === "DESC") visible.reverse();
      }
      return listConnection(visible, args, (repository) => repositoryObject(repository, context));
    }
  };
}
function repositoryObject(repository, context) {
  return {
    __typename: "Repository",
    id: repository.nodeId,
    databaseId: repository.databaseId,
    name: repository.name,
    nameWithOwner: repository.nameWithOwner,
    owner: () => ownerObject(repository.owner, context.dataset.ownerRepositories(repository.owner), context),
    isPrivate: repository.isPrivate,
    visibility: repository.isPrivate ? "PRIVATE" : "PUBLIC",
    url: repository.url,
    resourcePath: `/${repository.nameWithOwner}`,
    createdAt: isoSeconds(repository.createdAt),
    pullRequests: (args, ctx, info) => pullRequestConnection(repository, args, ctx, info),
    issueOrPullRequest: ({ number }, ctx) => numberLookup(repository, Number(number), ctx, true),
    pullRequest: ({ number }, ctx) => numberLookup(repository, Number(number), ctx, false)
  };
}
function numberLookup(repository, number, context, issues) {
  const owner = repository.numberOwner(number);
  if (owner.kind === "pullRequest") {
    assertCanReadPullRequests(repository, context);
    context.servedRepositories.add(repository);
    return pullRequestObject(repository, repository.pullRequest(owner.index), context);
  }
  if (owner.kind === "issue" && issues) {
    return {
      __typename: "Issue",
      id: nodeId("I", "issue", context.dataset.seed, repository.nodeId, number),
      number,
      url: `${repository.url}/issues/${number}`
    };
  }
  throw githubError(
    "NOT_FOUND",
    issues ? `Could not resolve to an issue or pull request with the number of ${number}.` : `Could not resolve to a PullRequest with the number of ${number}.`
  );
}
function visibleRepository(context, owner, name) {
  const repository = context.dataset.repository(owner, name);
  return repository && context.token.canSee(repository.owner, repository.name) ? repository : void 0;
}
function searchCount(context, args) {
  if (args.type !== "ISSUE")
    throw new GraphQLError3(`The simulator models only ISSUE searches, got ${args.type}.`);
  const terms = String(args.query).match(/"[^"]*"|\S+/g) ?? [];
  let repository;
  let since2 = Number.NEGATIVE_INFINITY;
  let base2 = null;
  const states2 = /* @__PURE__ */ new Set(["OPEN", "CLOSED", "MERGED"]);
  let pullRequests = false;
  for (const term of terms) {
    const [key, ...rest] = term.split(":");
    const value = rest.join(":").replace(/^"(.*)"$/, "$1");
    if (key === "repo") {
      const [owner, name] = value.split("/");
      repository = visibleRepository(context, String(owner), String(name));
    } else if (term === "is:pr") pullRequests = true;
    else if (term === "is:open") for (const s of ["CLOSED", "MERGED"]) states2.delete(s);
    else if (term === "is:closed") states2.delete("OPEN");
    else if (term === "is:merged") for (const s of ["OPEN", "CLOSED"]) states2.delete(s);
    else if (term === "is:unmerged") states2.delete("MERGED");
    else if (key === "base") base2 = value;
    else if (key === "created" && value.startsWith(">=")) since2 = Date.parse(value.slice(2)) / 1e3;
    else throw new GraphQLError3(`The simulator does not model the search term "${term}".`);
  }
  if (!pullRequests) throw new GraphQLError3("The simulator models only searches for pull requests (is:pr).");
  if (!repository) return { issueCount: 0 };
  const list = repository.ordered("CREATED_AT", [...states2], base2);
  let count = 0;
  for (let position = 0; position < list.size; position++) {
    if (repository.keyOf("CREATED_AT", list.indexAt(position))[0] >= since2) count++;
  }
  return { issueCount: count };
}
function rootValue(context) {
  const ownerOf = (login) => {
    const repositories = context.dataset.ownerRepositories(login);
    return repositories.length > 0 ? { repositories, type: repositories[0]?.ownerType } : null;
  };
  return {
    rateLimit: () => context.rateLimit,
    repository: ({ owner, name }) => {
      const repository = visibleRepository(context, String(owner), String(name));
      if (!repository) {
        throw githubError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      }
      return repositoryObject(repository, context);
    },
    search: (args) => searchCount(context, args),
    node: ({ id }) => children.nodeById(context.dataset.repositories, String(id), context),
    repositoryOwner: ({ login }) => {
      const owner = ownerOf(String(login));
      return owner ? ownerObject(String(login), owner.repositories, context) : null;
    },
    organization: ({ login }) => {
      const owner = ownerOf(String(login));
      if (owner?.type !== "Organization") {
        throw githubError("NOT_FOUND", `Could not resolve to an Organization with the login of '${login}'.`);
      }
      return ownerObject(String(login), owner.repositories, context);
    },
    user: ({ login }) => {
      const owner = ownerOf(String(login));
      if (owner?.type !== "User") {
        throw githubError("NOT_FOUND", `Could not resolve to a User with the login of '${login}'.`);
      }
      return ownerObject(String(login), owner.repositories, context);
    },
    viewer: () => ({
      __typename: "User",
      id: `U_kgDO${Buffer.from(context.token.login).toString("base64url")}`,
      databaseId: context.token.userId,
      login: context.token.login,
      url: `https://github.com/${context.token.login}`
    })
  };
}
function defaultValue(type) {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case "Int":
      case "Float":
        return 0;
      case "Boolean":
        return false;
      case "DateTime":
        return "1970-01-01T00:00:00Z";
      default:
        return "";
    }
  }
  const named = getNamedType(inner);
  if (isObjectType(named) && "pageInfo" in named.getFields()) {
    return { totalCount: 0, pageInfo: EMPTY_PAGE_INFO, nodes: [], edges: [] };
  }
  return {};
}
var INT32_MAX, children, EMPTY_PAGE_INFO, fieldResolver;
var init_resolvers = __esm({
  "src/simulator/resolvers.ts"() {
    "use strict";
    init_children_resolvers();
    init_connection();
    init_dataset();
    INT32_MAX = 2 ** 31 - 1;
    children = createChildResolvers({
      isoSeconds,
      actorObject,
      int32: (value, context) => int322(value, context),
      pullRequestObject: (repository, pr, context) => pullRequestObject(repository, pr, context)
    });
    EMPTY_PAGE_INFO = { startCursor: null, endCursor: null, hasNextPage: false, hasPreviousPage: false };
    fieldResolver = (source, args, context, info) => {
      const value = source?.[info.fieldName];
      if (typeof value === "function") return value(args, context, info);
      if (value !== void 0) return value;
      return defaultValue(info.returnType);
    };
  }
});

// src/simulator/ground-truth.ts
function iso(seconds) {
  return seconds === null ? null : isoSeconds(seconds);
}
function authorColumns2(author) {
  return {
    author_login: author?.login ?? null,
    author_github_id: author?.databaseId == null ? null : String(author.databaseId),
    author_type: author?.type ?? null
  };
}
function expectedRecord(pr, profile) {
  if (pr.databaseId === null) return null;
  const record = {
    github_id: String(pr.databaseId),
    node_id: pr.nodeId,
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state,
    is_draft: pr.isDraft,
    created_at: isoSeconds(pr.createdAt),
    updated_at: isoSeconds(pr.updatedAt),
    closed_at: iso(pr.closedAt),
    merged_at: iso(pr.mergedAt),
    ...authorColumns2(pr.author),
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    base_ref: pr.baseRefName,
    head_ref: pr.headRefName,
    url: pr.url,
    field_profile: profile
  };
  if (profile === "core") return record;
  const labelCap = profile === "full" ? pr.labels.length : LABELS_PER_PULL_REQUEST;
  record.labels = pr.labels.slice(0, labelCap).map((label) => label.name);
  record.review_decision = pr.reviewDecision;
  const reviews = pr.reviews.filter((review) => review.state !== "PENDING");
  record.review_count = reviews.length;
  record.comment_count = pr.comments.length;
  return record;
}
function* groundTruthPages(repository, profile, size) {
  let page = [];
  for (let index = 0; index < repository.pullRequestCount; index++) {
    const record = expectedRecord(repository.pullRequest(index), profile);
    if (record) page.push(record);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
function groundTruth(repository, profile) {
  return [...groundTruthPages(repository, profile, Number.POSITIVE_INFINITY)].flat();
}
var init_ground_truth = __esm({
  "src/simulator/ground-truth.ts"() {
    "use strict";
    init_pull_request_fields();
    init_resolvers();
  }
});

// src/simulator/located-errors.ts
import { GraphQLError as GraphQLError4, parse as parse3 } from "graphql";
function isNode(value) {
  return typeof value === "object" && value !== null && typeof value.kind === "string";
}
function pairNodes(plain, located, twins) {
  if (Array.isArray(plain) && Array.isArray(located)) {
    plain.forEach((item, i) => {
      pairNodes(item, located[i], twins);
    });
    return;
  }
  if (!isNode(plain) || !isNode(located)) return;
  twins.set(plain, located);
  for (const key of Object.keys(plain)) {
    if (key !== "loc") pairNodes(plain[key], located[key], twins);
  }
}
function withLocations(errors, text, document) {
  if (!errors.some((error) => error.nodes?.length && !error.locations)) return errors;
  const twins = /* @__PURE__ */ new Map();
  pairNodes(document, parse3(text), twins);
  return errors.map(
    (error) => error.nodes?.length && !error.locations ? new GraphQLError4(error.message, {
      nodes: error.nodes.map((node) => twins.get(node) ?? node),
      path: error.path,
      originalError: error.originalError,
      extensions: error.extensions
    }) : error
  );
}
var init_located_errors = __esm({
  "src/simulator/located-errors.ts"() {
    "use strict";
  }
});

// src/simulator/responses.ts
function toGitHubError2(error) {
  const { type, ...extensions } = error.extensions ?? {};
  const json = { message: error.message };
  if (typeof type === "string") json.type = type;
  if (error.path) json.path = error.path;
  if (error.locations) json.locations = error.locations;
  if (Object.keys(extensions).length > 0) json.extensions = extensions;
  return json;
}
function toGitHubValidationError(error) {
  const base2 = toGitHubError2(error);
  const rewrite = (message, extensions) => ({
    ...base2,
    message,
    extensions
  });
  let match = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[1]}' doesn't exist on type '${match[2]}'`, {
      code: "undefinedField",
      typeName: match[2],
      fieldName: match[1]
    });
  }
  match = /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[2]}' doesn't accept argument '${match[1]}'`, {
      code: "argumentNotAccepted",
      name: match[2],
      typeName: "Field",
      argumentName: match[1]
    });
  }
  match = /^Field "(?:\w+\.)?(\w+)" argument "(\w+)" of type .* is required/.exec(error.message);
  if (match) {
    return rewrite(`Field '${match[1]}' is missing required arguments: ${match[2]}`, {
      code: "missingRequiredArguments",
      className: "Field",
      name: match[1],
      arguments: match[2]
    });
  }
  match = /^Variable "\$(\w+)" is never used/.exec(error.message);
  if (match)
    return rewrite(`Variable $${match[1]} is declared by anonymous query but not used`, {
      code: "variableNotUsed",
      variableName: match[1]
    });
  match = /^Variable "\$(\w+)" is not defined/.exec(error.message);
  if (match)
    return rewrite(`Variable $${match[1]} is used by anonymous query but not declared`, {
      code: "variableNotDefined",
      variableName: match[1]
    });
  return base2;
}
function errorsOnly(errors, status = 200) {
  return { status, body: { errors } };
}
function badCredentials() {
  return { status: 401, body: { message: "Bad credentials", documentation_url: DOCS, status: "401" } };
}
function notFound() {
  return {
    status: 404,
    body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" }
  };
}
function problemsParsingJson() {
  return { status: 400, body: { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" } };
}
function primaryRateLimited(userId, alreadyExceeded, status) {
  const message = `API rate limit ${alreadyExceeded ? "already " : ""}exceeded for user ID ${userId}.`;
  return { status, body: { errors: [{ type: "RATE_LIMITED", code: "graphql_rate_limit", message }] } };
}
function secondaryRateLimited(requestId, retryAfterSeconds, variant) {
  const headers = { "retry-after": String(retryAfterSeconds) };
  if (variant === "200")
    return { status: 200, headers, body: { errors: [{ message: SECONDARY_MESSAGE(requestId) }] } };
  return {
    status: 403,
    headers,
    body: { documentation_url: SECONDARY_DOCS, message: SECONDARY_MESSAGE(requestId) }
  };
}
function somethingWentWrong(requestId, status = 200) {
  return {
    status,
    body: {
      data: null,
      errors: [
        {
          message: `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${requestId}\` when reporting this issue.`
        }
      ]
    }
  };
}
function badGateway(requestId, body) {
  if (body === "json") return somethingWentWrong(requestId, 502);
  return {
    status: 502,
    body: null,
    headers: { "content-type": "text/html" },
    text: "<!DOCTYPE html>\n<html><head><title>Unicorn! · GitHub</title></head><body><h1>No server is currently available to service your request.</h1><p>Sorry about that. Please try refreshing and contact us if the problem persists.</p></body></html>\n"
  };
}
function gatewayTimeout() {
  return {
    status: 504,
    body: {
      message: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
    }
  };
}
var DOCS, SECONDARY_DOCS, SECONDARY_MESSAGE;
var init_responses = __esm({
  "src/simulator/responses.ts"() {
    "use strict";
    DOCS = "https://docs.github.com/graphql";
    SECONDARY_DOCS = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
    SECONDARY_MESSAGE = (requestId) => `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
  }
});

// src/simulator/schema.ts
import { existsSync, readFileSync as readFileSync2 } from "node:fs";
import { createRequire } from "node:module";
import { join as join3 } from "node:path";
import { buildSchema } from "graphql";
function idlPath() {
  const paths = createRequire(import.meta.url).resolve.paths("@octokit/graphql-schema") ?? [];
  for (const dir of paths) {
    const candidate = join3(dir, "@octokit", "graphql-schema", "schema.graphql");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("@octokit/graphql-schema is not installed: run npm ci");
}
function githubSchema() {
  cached ??= buildSchema(readFileSync2(idlPath(), "utf8"), { assumeValidSDL: true, noLocation: true });
  return cached;
}
var cached;
var init_schema = __esm({
  "src/simulator/schema.ts"() {
    "use strict";
  }
});

// src/simulator/static-checks.ts
import {
  GraphQLError as GraphQLError5,
  getArgumentValues,
  getNamedType as getNamedType2,
  isInterfaceType,
  isObjectType as isObjectType2,
  Kind as Kind3
} from "graphql";
function pathOf(path, field) {
  return [...path, field.alias?.value ?? field.name.value];
}
function isConnection(type) {
  return isObjectType2(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}
function selectsItems(selectionSet, fragments) {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind3.FIELD && (selection.name.value === "nodes" || selection.name.value === "edges")) {
      return true;
    }
    if (selection.kind === Kind3.INLINE_FRAGMENT && selectsItems(selection.selectionSet, fragments))
      return true;
    if (selection.kind === Kind3.FRAGMENT_SPREAD && selectsItems(fragments[selection.name.value]?.selectionSet, fragments)) {
      return true;
    }
  }
  return false;
}
function paginationErrors(field, node, args, path, fragments) {
  const name = field.name;
  const first = args.first;
  const last = args.last;
  const fail = (message, type) => new GraphQLError5(message, { nodes: [node], path, extensions: type ? { type } : {} });
  if (first != null && last != null) {
    return [
      fail(`Passing both \`first\` and \`last\` to paginate the \`${name}\` connection is not supported.`)
    ];
  }
  for (const [argument, value] of [
    ["first", first],
    ["last", last]
  ]) {
    if (value == null) continue;
    if (value < 0) return [fail(`\`${argument}\` on the \`${name}\` connection cannot be less than zero.`)];
    if (value > MAX_PAGE_SIZE2) {
      return [
        fail(
          `Requesting ${value} records on the \`${name}\` connection exceeds the \`${argument}\` limit of ${MAX_PAGE_SIZE2} records.`,
          "EXCESSIVE_PAGINATION"
        )
      ];
    }
  }
  if (first == null && last == null && selectsItems(node.selectionSet, fragments)) {
    return [
      fail(
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
        "MISSING_PAGINATION_BOUNDARIES"
      )
    ];
  }
  return [];
}
function staticChecks(schema, document, operation, variables) {
  const fragments = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind3.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const errors = [];
  let dryRun = false;
  let lookups = 0;
  const walk2 = (selectionSet, parentType, path) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind3.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        walk2(selection.selectionSet, typeName ? schema.getType(typeName) : parentType, path);
        continue;
      }
      if (selection.kind === Kind3.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (fragment) walk2(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), path);
        continue;
      }
      if (!(isObjectType2(parentType) || isInterfaceType(parentType))) continue;
      const field = parentType.getFields()[selection.name.value];
      if (!field) continue;
      const args = getArgumentValues(field, selection, variables);
      const fieldPath = pathOf(path, selection);
      const type = getNamedType2(field.type);
      if (parentType === schema.getQueryType() && field.name === "rateLimit" && args.dryRun === true)
        dryRun = true;
      if (parentType.name === "Repository" && field.args.some((a) => a.name === "number")) lookups++;
      if (isConnection(type) && field.args.some((a) => a.name === "first")) {
        errors.push(...paginationErrors(field, selection, args, fieldPath, fragments));
      }
      if (selection.selectionSet) walk2(selection.selectionSet, type, fieldPath);
    }
  };
  const root = operation.operation === "query" ? schema.getQueryType() : schema.getMutationType();
  walk2(operation.selectionSet, root ?? void 0, []);
  return { errors, dryRun, lookups };
}
var MAX_PAGE_SIZE2;
var init_static_checks = __esm({
  "src/simulator/static-checks.ts"() {
    "use strict";
    MAX_PAGE_SIZE2 = 100;
  }
});

// src/simulator/server.ts
var server_exports = {};
__export(server_exports, {
  startSimulator: () => startSimulator
});
import { createServer } from "node:http";
import {
  execute,
  GraphQLError as GraphQLError6,
  getOperationAST,
  getVariableValues,
  parse as parse4,
  validate
} from "graphql";
function isoSecondsMs(ms) {
  return new Date(Math.floor(ms / 1e3) * 1e3).toISOString().replace(".000Z", "Z");
}
function tokenFrom(header) {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
async function startSimulator(options2) {
  const dataset = "repositories" in options2.dataset && typeof options2.dataset.repository === "function" ? options2.dataset : createDataset(options2.dataset);
  const datasetRepository = (owner, name) => {
    const repository = dataset.repository(owner, name);
    if (!repository) throw new Error(`no repository ${owner}/${name} in the dataset`);
    return repository;
  };
  const now = options2.now ?? Date.now;
  const sleep = options2.sleep ?? realSleep;
  const schema = githubSchema();
  const requests = [];
  const windows = /* @__PURE__ */ new Map();
  let faults = { ...options2.faults, next: [...options2.faults?.next ?? []] };
  let faultRandom = mulberry32(options2.faults?.seed ?? 1);
  let requestCount = 0;
  const checkedDocuments = new TextKeyedCache(512e3);
  const parseAndValidate = (query) => {
    let checked = checkedDocuments.get(query);
    if (!checked) {
      try {
        const document = parse4(query, { noLocation: true });
        checked = { document, validationErrors: validate(schema, document) };
      } catch (error) {
        checked = { syntaxError: error };
      }
      checkedDocuments.set(query, checked);
    }
    return checked;
  };
  const appEndpoints = createAppEndpoints(options2.apps ?? {}, now);
  const settingsOf = (token) => {
    const installation = appEndpoints.access(token);
    return installation && installation !== "expired" ? installation.options : options2.tokens[token];
  };
  const budgetKeyOf = (token) => {
    const installation = appEndpoints.access(token);
    return installation && installation !== "expired" ? installation.budgetKey : token;
  };
  const limitOf = (token) => settingsOf(token)?.limit ?? 5e3;
  const windowOf = (token) => {
    const at = now();
    const key = budgetKeyOf(token);
    let window = windows.get(key);
    if (!window || at >= window.startedAt + HOUR_MS2) {
      window = { startedAt: at, used: 0 };
      windows.set(key, window);
    }
    return window;
  };
  const budget = (token) => {
    const window = windows.get(budgetKeyOf(token));
    const at = now();
    const current = window && at < window.startedAt + HOUR_MS2 ? window : void 0;
    const limit = limitOf(token);
    const used = Math.min(current?.used ?? 0, limit);
    const resetAtMs = (current?.startedAt ?? at) + HOUR_MS2;
    return { limit, used, remaining: limit - used, resetAt: isoSecondsMs(resetAtMs), resetAtMs };
  };
  const tokenAccess = (token) => {
    const settings = settingsOf(token) ?? {};
    return {
      canSee: settings.canSee ?? (() => true),
      canReadPullRequests: settings.canReadPullRequests ?? (() => true),
      kind: settings.kind ?? "personal-access-token",
      login: settings.login ?? "simulated-user",
      userId: settings.userId ?? 583231
    };
  };
  const drawFault = (index) => {
    const scripted = faults.at?.[index];
    if (scripted) return scripted;
    if (faults.next && faults.next.length > 0) return faults.next.shift() ?? null;
    const rate = faults.rate ?? 0;
    const pool = faults.pool ?? [];
    if (rate <= 0 || pool.length === 0) return null;
    const roll = faultRandom();
    const choice = faultRandom();
    return roll < rate ? pool[Math.floor(choice * pool.length)] ?? null : null;
  };
  const rateHeaders = (token) => {
    const state = budget(token);
    const settings = settingsOf(token);
    return {
      "x-ratelimit-limit": String(state.limit),
      "x-ratelimit-remaining": String(state.remaining),
      "x-ratelimit-used": String(state.used),
      "x-ratelimit-reset": String(Math.floor(state.resetAtMs / 1e3)),
      "x-ratelimit-resource": "graphql",
      ...settings?.scopes ? { "x-oauth-scopes": settings.scopes.join(", ") } : {}
    };
  };
  const requestIdFor = (index) => `SIM1:${index.toString(16).toUpperCase().padStart(4, "0")}:${(index * 7919).toString(16).toUpperCase()}`;
  async function runGraphql(index, token, text, log) {
    const requestId = requestIdFor(index);
    const fault = drawFault(index);
    let faultKind = fault?.kind ?? null;
    switch (fault?.kind) {
      case "reset":
        return { reset: true, fault: "reset" };
      case "502":
        return { response: badGateway(requestId, fault.body ?? "json"), cost: 0, fault: faultKind };
      case "504":
        return { response: gatewayTimeout(), cost: 0, fault: faultKind };
      case "something-went-wrong":
        return { response: somethingWentWrong(requestId), cost: 0, fault: faultKind };
      case "secondary":
        return {
          response: secondaryRateLimited(requestId, fault.retryAfterSeconds ?? 60, fault.variant ?? "403"),
          cost: 0,
          fault: faultKind
        };
      case "slow":
        await sleep(fault.ms);
        break;
      case "primary-exhaustion": {
        const window2 = windowOf(token);
        window2.used = limitOf(token);
        break;
      }
      default:
        faultKind = null;
    }
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      return { response: problemsParsingJson(), cost: 0, fault: faultKind };
    }
    if (typeof payload?.query !== "string") {
      return {
        response: errorsOnly([{ message: "A query attribute must be specified and must be a string." }]),
        cost: 0,
        fault: faultKind
      };
    }
    const variables = payload.variables ?? {};
    const operationName = typeof payload.operationName === "string" ? payload.operationName : void 0;
    log.variables = variables;
    log.operationName = operationName ?? null;
    const query = payload.query;
    const checked = parseAndValidate(query);
    const located = (errors) => "document" in checked ? withLocations(errors, query, checked.document) : errors;
    const rejected = (errors, validation = false) => ({
      response: errorsOnly(located(errors).map(validation ? toGitHubValidationError : toGitHubError2)),
      cost: 0,
      fault: faultKind
    });
    if ("syntaxError" in checked) return rejected([checked.syntaxError]);
    if (checked.validationErrors.length > 0) return rejected(checked.validationErrors, true);
    const document = checked.document;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return rejected([
        new GraphQLError6(
          operationName ? `Unknown operation named "${operationName}".` : "An operation name is required"
        )
      ]);
    }
    log.operationName = operation.name?.value ?? null;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return rejected(coerced.errors);
    const checks = staticChecks(schema, document, operation, coerced.coerced);
    if (checks.errors.length > 0) return rejected(checks.errors);
    const lookups = payload.query.match(/\bissueOrPullRequest\b/g)?.length ?? 0;
    if (options2.maxNumberLookups !== void 0 && lookups > options2.maxNumberLookups) {
      return rejected([
        new GraphQLError6(
          `This query has ${lookups} lookups by number; at most ${options2.maxNumberLookups} are allowed.`
        )
      ]);
    }
    if (options2.refuseNumberLookups && lookups > 0) {
      return rejected(
        [new GraphQLError6('Cannot query field "issueOrPullRequest" on type "Repository".')],
        true
      );
    }
    const predicted = queryCost(document, coerced.coerced, operation.name?.value);
    if (predicted.nodeCount > MAX_NODES) {
      return {
        response: errorsOnly([
          {
            type: "MAX_NODE_LIMIT_EXCEEDED",
            message: `This query requests up to ${predicted.nodeCount.toLocaleString("en-US")} possible nodes which exceeds the maximum limit of ${MAX_NODES.toLocaleString("en-US")}.`
          }
        ]),
        cost: 0,
        fault: faultKind
      };
    }
    const window = windowOf(token);
    const limit = limitOf(token);
    const charge = checks.dryRun ? 0 : predicted.cost;
    if (charge > limit - window.used) {
      const user = tokenAccess(token).userId;
      return {
        response: primaryRateLimited(user, window.used >= limit, options2.primaryLimitStatus ?? 200),
        cost: 0,
        fault: faultKind
      };
    }
    window.used += charge;
    const rateLimit = {
      cost: predicted.cost,
      limit,
      remaining: limit - window.used,
      used: window.used,
      resetAt: isoSecondsMs(window.startedAt + HOUR_MS2),
      nodeCount: predicted.nodeCount + checks.lookups
    };
    const context = {
      dataset,
      token: tokenAccess(token),
      rateLimit,
      servedRepositories: /* @__PURE__ */ new Set(),
      int32Overflow: options2.int32Overflow ?? "null"
    };
    const result = await execute({
      schema,
      document,
      rootValue: rootValue(context),
      contextValue: context,
      variableValues: coerced.coerced,
      operationName,
      fieldResolver
    });
    for (const repository of context.servedRepositories) repository.recordPageServed(now());
    const body = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) body.errors = located(result.errors).map(toGitHubError2);
    const written = JSON.stringify(body);
    const latency = typeof options2.latencyMs === "function" ? options2.latencyMs({
      index,
      cost: predicted.cost,
      nodeCount: rateLimit.nodeCount,
      elapsedMs: now() - log.at
    }) : options2.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    return { response: { status: 200, body, text: written }, cost: charge, fault: faultKind };
  }
  function send(response, outcome, headers) {
    const text = outcome.text ?? JSON.stringify(outcome.body);
    response.writeHead(outcome.status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v4; format=json",
      ...headers,
      ...outcome.headers
    });
    response.end(text);
  }
  async function handle(request, response) {
    const index = requestCount++;
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const token = tokenFrom(request.headers.authorization);
    const known = token !== null && settingsOf(token) !== void 0;
    const log = {
      index,
      method: request.method ?? "GET",
      path,
      token,
      status: 0,
      cost: 0,
      remaining: null,
      fault: null,
      operationName: null,
      variables: null,
      at: now()
    };
    if (options2.requestLog !== false) requests.push(log);
    const requestId = { "x-github-request-id": requestIdFor(index) };
    const isGraphql = GRAPHQL_PATHS.has(path) && request.method === "POST";
    const isRateLimit = RATE_LIMIT_PATHS.has(path) && request.method === "GET";
    const app = appEndpoints.handle(
      log.method,
      path.replace(/^\/api\/v3(?=\/)/, ""),
      url.searchParams,
      token
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
        reset: Math.floor(state.resetAtMs / 1e3)
      };
      const core = { limit: 5e3, used: 0, remaining: 5e3, reset: graphql.reset };
      log.status = 200;
      log.remaining = state.remaining;
      send(response, { status: 200, body: { resources: { core, graphql }, rate: core } }, requestId);
      return;
    }
    await (options2.latencyMs ? sleep(BURST_MS) : new Promise((resolve) => setImmediate(resolve)));
    const outcome = await runGraphql(index, token, text, log);
    log.fault = outcome.fault;
    if ("reset" in outcome) {
      log.status = 0;
      request.socket.destroy();
      return;
    }
    log.status = outcome.response.status;
    log.cost = outcome.cost;
    const headers = { ...requestId, ...rateHeaders(token) };
    const rateLimited = outcome.response.body?.errors?.[0]?.type === "RATE_LIMITED";
    if (rateLimited) headers["x-ratelimit-remaining"] = "0";
    log.remaining = Number(headers["x-ratelimit-remaining"]);
    send(response, outcome.response, headers);
  }
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: `simulator error: ${error.message}` }));
    });
  });
  server.keepAliveTimeout = 65e3;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options2.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dataset,
    budget,
    appTokens: appEndpoints.issued,
    setFaults(plan) {
      faults = { ...plan, next: [...plan?.next ?? []] };
      faultRandom = mulberry32(plan?.seed ?? 1);
    },
    groundTruth(owner, name, profile) {
      return groundTruth(datasetRepository(owner, name), profile);
    },
    groundTruthPages(owner, name, profile, size) {
      return groundTruthPages(datasetRepository(owner, name), profile, size);
    },
    stop: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => error ? reject(error) : resolve());
    })
  };
}
var HOUR_MS2, MAX_NODES, MAX_BODY_BYTES, GRAPHQL_PATHS, RATE_LIMIT_PATHS, BURST_MS, realSleep;
var init_server = __esm({
  "src/simulator/server.ts"() {
    "use strict";
    init_text_keyed_cache();
    init_cost();
    init_dataset();
    init_github_app();
    init_ground_truth();
    init_located_errors();
    init_random();
    init_resolvers();
    init_responses();
    init_schema();
    init_static_checks();
    HOUR_MS2 = 36e5;
    MAX_NODES = 5e5;
    MAX_BODY_BYTES = 5 * 1024 * 1024;
    GRAPHQL_PATHS = /* @__PURE__ */ new Set(["/graphql", "/api/graphql"]);
    RATE_LIMIT_PATHS = /* @__PURE__ */ new Set(["/rate_limit", "/api/v3/rate_limit"]);
    BURST_MS = 3;
    realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  }
});

// src/shared-entry/lean-heap.ts
import { setFlagsFromString } from "node:v8";
setFlagsFromString("--optimize-for-size");

// src/domain/repository-spec.ts
var OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
var NAME = /^[A-Za-z0-9._-]{1,100}$/;
function isGitHubOwner(owner) {
  return OWNER.test(owner);
}
function isGitHubRepositoryName(name) {
  return NAME.test(name) && name !== "." && name !== "..";
}
var InvalidRepositorySpecError = class extends Error {
  name = "InvalidRepositorySpecError";
};
function parseRepositorySpec(raw) {
  const text = raw.trim().replace(/^https:\/\/github\.com\//i, "").replace(/\.git$/i, "").replace(/\/$/, "");
  const parts = text.split("/");
  if (parts.length !== 2) {
    throw new InvalidRepositorySpecError(`"${raw}" is not a repository: expected owner/name or owner/*`);
  }
  const [owner, name] = parts;
  if (!isGitHubOwner(owner)) {
    throw new InvalidRepositorySpecError(
      `"${raw}": "${owner}" is not a valid GitHub owner (letters, digits, hyphens and underscores, at most 39 characters)`
    );
  }
  if (name === "*") return { owner, name: "*" };
  if (!isGitHubRepositoryName(name)) {
    throw new InvalidRepositorySpecError(
      `"${raw}": "${name}" is not a valid repository name (letters, digits, '.', '-' and '_', at most 100 characters)`
    );
  }
  return { owner, name };
}
function parseRepositoryList(raw) {
  return raw.split(/[\s,]+/).filter((s) => s.length > 0).map(parseRepositorySpec);
}

// src/engine/options.ts
init_pull_request();
init_scope();
var DEFAULTS = {
  completenessThreshold: 0.8,
  minPrs: 100,
  fieldProfile: "core",
  dryRun: false,
  /** how long a chunk lease lasts before another worker may recover it */
  leaseSeconds: 120,
  /** pages one chunk lease covers before it is handed back */
  pagesPerChunk: 25,
  /** consecutive errors before a repository is paused, and for how long */
  breakerThreshold: 5,
  breakerCooldownMs: 15 * 6e4,
  /** failures of one chunk before the contract gives up on it */
  chunkMaxFailures: 5,
  /** the recovery every run starts with: recoveries of one chunk before it is stalled, seconds past its lease */
  runRecovery: { requeueLimit: 3, graceSeconds: 30 },
  /** the `recover` command's, more patient since a person runs it while workers may still be finishing */
  recoverCommand: { requeueLimit: 3, graceSeconds: 60 },
  /**
   * The time budget of each entry point: a workflow job (well under its timeout), a terminal session, and one
   * edge-function tick (under Supabase's 150 s wall clock, with room to release the lease).
   */
  timeBudget: { action: "20m", cli: "6h", tick: "60s" },
  githubApiUrl: "https://api.github.com",
  reportIssues: true,
  issueLabels: "progressive-backfill,bug"
};
var ConfigError = class extends Error {
  constructor(setting, reason) {
    super(`${setting}: ${reason}`);
    this.setting = setting;
    this.reason = reason;
  }
  setting;
  reason;
  name = "ConfigError";
};
var WHOLE = /^\d+$/;
var DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
function parseWholeNumber(text, setting, min, max) {
  const trimmed = text.trim();
  const value = WHOLE.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || max !== void 0 && value > max) {
    throw new ConfigError(setting, `must be a whole number ${describeRange({ min, max })}, got "${text}"`);
  }
  return value;
}
function parseThreshold(text, setting = "completeness-threshold") {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const digits = percent ? trimmed.slice(0, -1) : trimmed;
  const value = DECIMAL.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new ConfigError(setting, `must be a number above 0 and at most 1 (e.g. 0.8 or 80%), got "${text}"`);
  }
  return value;
}
function parseDuration(text, setting) {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    const value = Number(match[1]);
    total += value * { ms: 1, s: 1e3, m: 6e4, h: 36e5 }[match[2]];
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length || consumed === 0 || total <= 0) {
    throw new ConfigError(setting, `"${text}" is not a duration: use e.g. 90s, 10m or 1h30m`);
  }
  return Math.round(total);
}
var DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
var DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
function parseSince(text, setting = "since") {
  const trimmed = text.trim();
  const form = DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : DATE_TIME.test(trimmed) ? trimmed : null;
  const ms = form === null ? Number.NaN : Date.parse(form);
  const valid = Number.isFinite(ms) && (!DATE_ONLY.test(trimmed) || new Date(ms).toISOString().startsWith(trimmed));
  if (!valid) {
    throw new ConfigError(
      setting,
      `must be a date (2024-01-31) or a time with its zone (2024-01-31T12:00:00Z), got "${text}"`
    );
  }
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
function parseStates(text, setting = "states") {
  const words = text.split(",").map((word) => word.trim().toUpperCase());
  const unknown = words.filter((word) => !PULL_REQUEST_STATES.includes(word));
  if (unknown.length > 0) {
    throw new ConfigError(
      setting,
      `must be a comma-separated list of ${PULL_REQUEST_STATES.join(", ")}, got "${text}"`
    );
  }
  const states2 = PULL_REQUEST_STATES.filter((state) => words.includes(state));
  return states2.length === PULL_REQUEST_STATES.length ? void 0 : states2;
}
var BAD_BRANCH = /[\s~^:?*[\\\p{Cc}]|\.\.|@\{|^[/.]|[/.]$|\/\/|\.lock$|^@$/u;
function parseBase(text, setting = "base") {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length > 255 || BAD_BRANCH.test(trimmed)) {
    throw new ConfigError(setting, `must be a branch name such as main or release/2.x, got "${text}"`);
  }
  return trimmed;
}
function givenScope(parts) {
  if (parts.since === void 0 && parts.states === void 0 && parts.base === void 0) return void 0;
  const states2 = parts.states && PULL_REQUEST_STATES.filter((state) => parts.states.includes(state));
  return {
    ...parts.since !== void 0 ? { since: parts.since } : {},
    ...states2 && states2.length < PULL_REQUEST_STATES.length ? { states: states2 } : {},
    ...parts.base !== void 0 ? { base: parts.base } : {}
  };
}
var RANGES = {
  minPrs: { min: 0 },
  /** GitHub's page limit */
  chunkSize: { min: 1, max: 100 },
  maxChunks: { min: 1 },
  reservePoints: { min: 0 },
  concurrency: { min: 1, max: 32 }
};
var SETTING_NAMES = {
  minPrs: "min-prs",
  chunkSize: "chunk-size",
  maxChunks: "max-chunks",
  reservePoints: "reserve-points",
  concurrency: "concurrency"
};
var describeRange = ({ min, max }) => max === void 0 ? `of at least ${min}` : `from ${min} to ${max}`;
function parseWholeSetting(key, text) {
  const range = RANGES[key];
  return parseWholeNumber(text, SETTING_NAMES[key], range.min, range.max);
}
function validateOptions(o) {
  if (!(o.completenessThreshold > 0 && o.completenessThreshold <= 1)) {
    throw new ConfigError(
      "completeness-threshold",
      `must be a number above 0 and at most 1, got ${o.completenessThreshold}`
    );
  }
  for (const key of Object.keys(RANGES)) {
    const value = o[key];
    const range = RANGES[key];
    if (value === void 0) continue;
    if (!Number.isInteger(value) || value < range.min || range.max !== void 0 && value > range.max) {
      throw new ConfigError(
        SETTING_NAMES[key],
        `must be a whole number ${describeRange(range)}, got ${value}`
      );
    }
  }
  if (!(o.timeBudgetMs > 0) || !Number.isFinite(o.timeBudgetMs)) {
    throw new ConfigError("time-budget", `must be a positive duration, got ${o.timeBudgetMs} ms`);
  }
}

// src/shared-entry/exit-codes.ts
init_types();
init_types2();
var ExitCode = {
  /** done; also a run that stopped at its time budget or rate-limit reserve with progress saved */
  Ok: 0,
  /** a bug or an error nobody anticipated */
  Unexpected: 1,
  /** an invalid flag, input or setting */
  BadInput: 2,
  /** GitHub rejected the token, or it lacks access */
  Auth: 3,
  /** the run finished but some repositories had critical errors (not found, failed) */
  Partial: 4,
  /** the database cannot be reached, or its schema is missing or behind: run `migrate` */
  Database: 5,
  /** some repositories were left alone because another worker's lease holds them (the report says by whom, until when) */
  Locked: 6,
  /** stopped by SIGINT/SIGTERM; leases were released and the run recorded as interrupted */
  Interrupted: 130
};
var SIGNAL_STOP_REASON = "stop signal received";
var AUTH_KINDS = /* @__PURE__ */ new Set(["auth", "permission"]);
function isRunSummary(value) {
  return typeof value === "object" && value !== null && "outcome" in value && "errors" in value;
}
function exitCodeForSummary(summary2) {
  const critical = summary2.errors.critical;
  if (summary2.outcome === "interrupted" && summary2.stopReason === SIGNAL_STOP_REASON)
    return ExitCode.Interrupted;
  if (summary2.outcome === "failed" || summary2.outcome === "partial") {
    if (critical.some((e) => e.kind === "auth")) return ExitCode.Auth;
    if (critical.length > 0 && critical.every((e) => AUTH_KINDS.has(e.kind))) return ExitCode.Auth;
    if (summary2.outcome === "failed") return ExitCode.Unexpected;
    if (critical.length === 0 && summary2.repositories.some((r) => r.outcome === "locked"))
      return ExitCode.Locked;
    return ExitCode.Partial;
  }
  return critical.length > 0 ? ExitCode.Partial : ExitCode.Ok;
}
function exitCodeForError(error) {
  if (error instanceof ConfigError || error instanceof InvalidRepositorySpecError) return ExitCode.BadInput;
  if (error instanceof StoreError) {
    return error.code === "invalid_input" ? ExitCode.BadInput : ExitCode.Database;
  }
  if (error instanceof GitHubError) {
    if (error.kind === "auth" || error.kind === "permission") return ExitCode.Auth;
    return ExitCode.Unexpected;
  }
  if (error instanceof Error && error.name === "AbortError") return ExitCode.Interrupted;
  return ExitCode.Unexpected;
}
function exitCodeFor(errorOrSummary) {
  return isRunSummary(errorOrSummary) ? exitCodeForSummary(errorOrSummary) : exitCodeForError(errorOrSummary);
}

// src/cli/main.ts
import { Command as Command8, CommanderError } from "commander";

// package.json
var package_default = {
  name: "progressive-backfill",
  version: "0.1.0",
  description: "Backfill a repository's whole pull-request history from the GitHub GraphQL API into Postgres/Supabase, a chunk at a time, exactly once.",
  type: "module",
  license: "MIT",
  engines: {
    node: ">=20"
  },
  bin: {
    "progressive-backfill": "dist/cli.js"
  },
  scripts: {
    bundle: "node scripts/build.mjs",
    typecheck: "tsc --noEmit -p tsconfig.json",
    lint: "biome check .",
    format: "biome format --write .",
    test: "vitest run",
    check: "biome ci . && npm run typecheck && npm test",
    demo: "node dist/cli.js demo",
    bench: "tsx scripts/bench/index.ts",
    chaos: "tsx scripts/chaos/index.ts"
  },
  dependencies: {
    "@actions/core": "^3.0.1",
    "@actions/github": "^9.1.1",
    "@electric-sql/pglite": "^0.5.16",
    "@octokit/auth-app": "^8.3.1",
    "@octokit/core": "^7.0.8",
    "@octokit/graphql-schema": "^15.26.1",
    "@octokit/request-error": "^7.1.2",
    "@supabase/supabase-js": "^2.109.0",
    "cli-progress": "^3.12.0",
    commander: "^14.0.3",
    graphql: "^16.15.0",
    "json-with-bigint": "^3.5.12",
    "p-retry": "^7.1.1",
    pg: "^8.23.1",
    tar: "^7.5.24",
    ws: "^8.23.0"
  },
  devDependencies: {
    "@action-validator/core": "^0.6.0",
    "@biomejs/biome": "2.5.15",
    "@github/local-action": "^7.0.1",
    "@types/cli-progress": "^3.11.6",
    "@types/node": "^20.19.43",
    "@types/pg": "^8.23.1",
    "@types/ws": "^8.18.2",
    deno: "2.9.5",
    esbuild: "^0.28.2",
    "fast-check": "^4.10.2",
    msw: "^2.15.0",
    tsx: "^4.23.15",
    typescript: "^7.0.2",
    vitest: "^4.1.12",
    yaml: "^2.9.1"
  },
  allowScripts: {
    deno: true,
    esbuild: true,
    msw: true
  }
};

// src/cli/main.ts
init_types();
init_types2();

// src/cli/commands/demo.ts
import { mkdtemp, rm as rm2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join4 } from "node:path";
import { Command as Command2, Option as Option3 } from "commander";

// src/shared-entry/format.ts
init_scope();
function formatPercent(ratio2) {
  if (ratio2 === null || ratio2 === void 0 || !Number.isFinite(ratio2)) return "–";
  const pct = ratio2 * 100;
  const shown = pct < 100 && pct >= 99.95 ? 99.9 : pct;
  return `${shown.toFixed(1)}%`;
}
function formatDuration(ms) {
  if (ms === null || ms === void 0 || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1e3) return `${Math.round(ms)}ms`;
  const seconds = ms / 1e3;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  const pad = (n) => String(n).padStart(2, "0");
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  if (total < 86400) return `${Math.floor(total / 3600)}h ${pad(Math.floor(total % 3600 / 60))}m`;
  return `${Math.floor(total / 86400)}d ${pad(Math.floor(total % 86400 / 3600))}h`;
}
function formatCount(n) {
  if (n === null || n === void 0 || !Number.isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}
var REPORT_HEADERS = [
  "Repository",
  "Outcome",
  "Stored",
  "GitHub total",
  "Before",
  "After",
  "PRs written",
  "Points",
  "Detail"
];
function repositoryReportRow(report2) {
  return [
    report2.fullName,
    report2.outcome,
    formatCount(report2.storedAfter),
    formatCount(report2.prTotalCount),
    formatPercent(report2.completenessBefore),
    formatPercent(report2.completenessAfter),
    formatCount(report2.prsWritten),
    formatCount(report2.pointsSpent),
    report2.detail ?? ""
  ];
}
var PROGRESS_HEADERS = [
  "Repository",
  "Status",
  "Stored",
  "GitHub total",
  "Progress",
  "PRs/hour",
  "ETA",
  "Note"
];
function statusNote(row, context) {
  const name = row.fullName;
  const lease = context.leases.find((l) => l.repositoryId === row.repositoryId);
  switch (row.backfillStatus) {
    case "paused": {
      const until = row.pausedUntil === null || row.pausedUntil === "infinity" ? "until resumed" : `until ${row.pausedUntil}`;
      return `paused ${until}: ${row.pauseReason ?? "?"} (\`resume ${name}\` resumes it now)`;
    }
    case "failed":
    case "stalled":
    case "cancelled": {
      const chunk = row.problemChunk;
      const where = chunk ? `chunk ${chunk.chunkNumber} ${chunk.status} after ${chunk.requeues} requeue(s), ${chunk.failures} failure(s): ` : "";
      const retry = chunk?.id !== void 0 && row.backfillStatus !== "cancelled" ? `\`retry ${name}\` or \`retry --chunk ${chunk.id}\`` : `\`retry ${name}\``;
      return `${where}${row.lastError ?? row.backfillStatus} (${retry} puts it back to work)`;
    }
    case "active":
      if (lease) {
        const alive = lease.holderAlive === true ? "alive" : lease.holderAlive === false ? "gone: the next run takes over" : "liveness unknown";
        return `locked by ${lease.leaseOwner} until ${lease.leaseExpiresAt} (chunk ${lease.chunkNumber}; worker ${alive})`;
      }
      return row.lastError ? `in progress; last error: ${row.lastError}` : "in progress: the next run continues it";
    default: {
      const threshold = formatPercent(context.threshold);
      if (row.prTotalCount === null) return "GitHub total unknown: the next run looks it up";
      const ratio2 = row.prTotalCount > 0 ? row.storedPrCount / row.prTotalCount : 1;
      return ratio2 < context.threshold ? `${formatPercent(ratio2)} stored, below the ${threshold} threshold: the next run starts it` : `${formatPercent(ratio2)} stored, at or above the ${threshold} threshold`;
    }
  }
}
function untrackedNote(fullName, known) {
  if (!known) {
    return `${fullName} is not tracked, and nothing of it is stored: \`progressive-backfill track --repo ${fullName}\` tracks it, \`run --repo ${fullName}\` tracks and backfills it`;
  }
  const scope = isWholeRepository(known.scope) ? "" : `, scope ${describeScope(known.scope)}`;
  return `${known.fullName} is not tracked (runs leave it alone): ${formatCount(known.storedPrCount)} pull requests stored of ${formatCount(known.prTotalCount)} on GitHub when last looked up, backfill ${known.backfillStatus}${scope}; \`progressive-backfill track --repo ${known.fullName}\` brings it back where it was`;
}
function progressRow(row, context) {
  const note = statusNote(row, context);
  return [
    row.fullName,
    row.backfillStatus,
    formatCount(row.storedPrCount),
    formatCount(row.prTotalCount),
    row.progressPct === null ? "–" : formatPercent(row.progressPct / 100),
    row.prsPerHour === null ? "–" : formatCount(row.prsPerHour),
    row.etaSeconds === null ? "–" : formatDuration(row.etaSeconds * 1e3),
    note.length > 160 ? `${note.slice(0, 157)}...` : note
  ];
}
var NUMERIC = /^[\d,.%–-]+$|^\d+(ms|s)$|^\d+[mhd] \d+[smh]$/;
function textTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells, header) => cells.map((cell, i) => !header && NUMERIC.test(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ").trimEnd();
  return [
    line(headers, true),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map((r) => line(r, false))
  ].join("\n");
}
function statusTable(rows, context) {
  if (rows.length === 0)
    return "No repositories are tracked yet: run `progressive-backfill track --repo owner/name`.";
  return textTable(
    PROGRESS_HEADERS,
    rows.map((row) => progressRow(row, context))
  );
}
function summaryLine(summary2) {
  const parts = [
    `${summary2.dryRun ? "dry run" : "run"} ${summary2.outcome}`,
    `${formatCount(summary2.prsWritten)} pull requests written`,
    `${formatCount(summary2.pointsSpent)} points`,
    formatDuration(summary2.durationMs)
  ];
  if (summary2.stopReason) parts.push(`stopped: ${summary2.stopReason}`);
  const locked = summary2.repositories.filter((r) => r.outcome === "locked");
  if (locked.length > 0) {
    parts.push(
      `${locked.length} locked by another worker: ${locked.map((r) => `${r.fullName} ${r.detail ?? ""}`.trim()).join("; ")}`
    );
  }
  const critical = summary2.errors.critical.length;
  const warnings = summary2.errors.warnings.length;
  if (critical + warnings > 0) parts.push(`${critical} critical error(s), ${warnings} warning(s)`);
  return parts.join(" · ");
}
var NOTHING_TO_BACKFILL = "No repositories need backfilling";
function recoveryLine(recovery) {
  if (!recovery) return null;
  const { requeued, stalled, runsInterrupted } = recovery;
  if (requeued + stalled + runsInterrupted === 0) return null;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  return `Recovery: ${plural(requeued, "chunk", "chunks")} requeued, ${plural(stalled, "chunk", "chunks")} stalled, ${plural(runsInterrupted, "run", "runs")} of vanished workers marked interrupted`;
}

// src/cli/parsers.ts
import { InvalidArgumentError } from "commander";
init_scope();
function refusing(parse5) {
  return (text) => {
    try {
      return parse5(text);
    } catch (error) {
      if (error instanceof ConfigError) throw new InvalidArgumentError(`${error.reason}.`);
      throw error;
    }
  };
}
var integerIn = (min, max) => refusing((text) => parseWholeNumber(text, "value", min, max));
var wholeSetting = (key) => refusing((text) => parseWholeSetting(key, text));
var ratio = refusing((text) => parseThreshold(text));
var duration = refusing((text) => parseDuration(text, "duration"));
var since = refusing((text) => parseSince(text));
var states = refusing((text) => parseStates(text) ?? [...PULL_REQUEST_STATES]);
var base = refusing((text) => parseBase(text));
function collectRepositories(text, previous = []) {
  try {
    const specs = parseRepositoryList(text);
    if (specs.length === 0) throw new InvalidArgumentError("expected owner/name or owner/*.");
    return [...previous, ...specs];
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}
function oneRepository(text) {
  try {
    const spec = parseRepositorySpec(text);
    if (spec.name === "*") throw new InvalidArgumentError("name one repository (owner/name), not owner/*.");
    return spec;
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}
function collectIntegers(parse5) {
  return (text, previous = []) => [...previous, parse5(text)];
}
function urlOf(text, hint) {
  try {
    return new URL(text.trim());
  } catch {
    throw new InvalidArgumentError(hint);
  }
}
function httpUrl(text) {
  const hint = "must be an http:// or https:// URL.";
  const { protocol } = urlOf(text, hint);
  if (protocol !== "http:" && protocol !== "https:") throw new InvalidArgumentError(hint);
  return text.trim().replace(/\/+$/, "");
}
function postgresUrl(text) {
  const { protocol } = urlOf(text, "must be a URL like postgres://USER@HOST:5432/DATABASE.");
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    const hint = protocol === "https:" || protocol === "http:" ? " (a Supabase project URL goes with --supabase-url)" : "";
    throw new InvalidArgumentError(`must start with postgres:// or postgresql://${hint}.`);
  }
  return text.trim();
}
function nonEmpty(text) {
  if (text.trim() === "") throw new InvalidArgumentError("must not be empty.");
  return text;
}

// src/cli/render.ts
import cliProgress from "cli-progress";
function renderMode(json, ctx) {
  if (json) return "json";
  const ci = ctx.env.CI !== void 0 && ctx.env.CI !== "" && ctx.env.CI !== "false";
  return ctx.io.isTTY && !ci ? "bar" : "lines";
}
function createRenderer(mode, ctx) {
  if (mode === "json") return { onEvent: () => {
  }, stop: () => {
  } };
  return mode === "bar" ? barRenderer(ctx) : lineRenderer(ctx);
}
function eventLine(event) {
  switch (event.type) {
    case "run.started":
      return event.dryRun ? "dry run: nothing will be written" : `run ${event.runId ?? ""} started`.trim();
    case "run.recovered":
      return recoveryLine(event.recovery);
    case "run.planned": {
      const p = event.plan;
      if (event.candidates === 0) return NOTHING_TO_BACKFILL;
      return `plan: ${event.candidates} repositor${event.candidates === 1 ? "y" : "ies"} to work on, pages of ${p.pageSize}${p.windowsPerRequest > 1 ? `×${p.windowsPerRequest}` : ""} PRs, up to ${formatCount(p.pagesPlanned)} pages (${p.pointsPerPage} points each, ${formatCount(p.remaining)} points left until ${p.resetAt}), ${p.concurrency} at once`;
    }
    case "repository.waiting":
      return `${event.repository}: ${event.detail} (${formatDuration(event.waitMs)})`;
    case "health":
      return event.status === "ok" ? null : `health ${event.check}: ${event.status}: ${event.reason}`;
    case "error": {
      const e = event.entry;
      return `${e.severity === "critical" ? "error" : "warning"}${e.repository ? ` ${e.repository}` : ""}: ${e.kind}: ${e.message}`;
    }
    case "repository.finished": {
      const r = event.report;
      return `${r.fullName}: ${r.outcome}, ${formatCount(r.prsWritten)} PRs written, ${formatCount(r.pointsSpent)} points, ${formatPercent(r.completenessAfter)} stored (${formatCount(r.storedAfter)}/${formatCount(r.prTotalCount)}) in ${formatDuration(event.durationMs)}${r.detail ? ` (${r.detail})` : ""}`;
    }
    default:
      return null;
  }
}
var LINE_STEP = 0.1;
var LINE_INTERVAL_MS = 15e3;
function lineRenderer(ctx) {
  const progress = /* @__PURE__ */ new Map();
  return {
    onEvent(event) {
      if (event.type === "repository.started") {
        const now = Date.now();
        progress.set(event.repository, {
          startedAt: now,
          storedAtStart: event.stored,
          lastLineAt: 0,
          lastStep: -1
        });
        ctx.err(
          `${event.repository}: starting at ${formatPercent(event.completeness)} (${formatCount(event.stored)}/${formatCount(event.total)} stored)`
        );
        return;
      }
      if (event.type === "page.committed") {
        const state = progress.get(event.repository);
        const now = Date.now();
        const ratio2 = event.total ? Math.min(1, event.stored / event.total) : null;
        const step = ratio2 === null ? 0 : Math.floor(ratio2 / LINE_STEP);
        if (state && state.lastLineAt > 0 && step === state.lastStep && now - state.lastLineAt < LINE_INTERVAL_MS)
          return;
        if (state) {
          state.lastLineAt = now;
          state.lastStep = step;
        }
        ctx.err(
          `${event.repository}: ${formatPercent(ratio2)} (${formatCount(event.stored)}/${formatCount(event.total)}), +${event.prs} PRs in ${formatDuration(event.durationMs)}, ${formatCount(event.remaining)} points left` + (state ? `, ETA ${formatDuration(eta(state, event.stored, event.total, now))}` : "")
        );
        return;
      }
      const line = eventLine(event);
      if (line) ctx.err(line);
    },
    stop() {
    }
  };
}
function eta(state, stored, total, now) {
  const done = stored - state.storedAtStart;
  const elapsed = now - state.startedAt;
  if (total === null || done <= 0 || elapsed <= 0) return null;
  return Math.max(0, total - stored) / done * elapsed;
}
function barRenderer(ctx) {
  const multibar = new cliProgress.MultiBar(
    {
      format: " {repository} |{bar}| {percentage}% | {value}/{total} PRs | ETA {eta_formatted}",
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      stream: process.stderr
    },
    cliProgress.Presets.shades_classic
  );
  const bars = /* @__PURE__ */ new Map();
  let stopped = false;
  const label = (name) => name.padEnd(28);
  const log = (line) => multibar.log(`${ctx.redact(line)}
`);
  return {
    onEvent(event) {
      if (stopped) return;
      if (event.type === "repository.started") {
        const total = Math.max(event.total ?? 0, event.stored, 1);
        bars.set(
          event.repository,
          multibar.create(total, event.stored, { repository: label(event.repository) })
        );
        return;
      }
      if (event.type === "page.committed") {
        const bar = bars.get(event.repository);
        if (!bar) return;
        bar.setTotal(Math.max(event.total ?? 0, event.stored, 1));
        bar.update(event.stored);
        return;
      }
      if (event.type === "repository.finished") {
        const bar = bars.get(event.report.fullName);
        bar?.update(event.report.storedAfter);
        bar?.stop();
      }
      if (event.type === "run.planned" || event.type === "run.recovered" || event.type === "error" || event.type === "health") {
        const line = eventLine(event);
        if (line) log(line);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar.stop();
    }
  };
}
function printSummary(summary2, mode, ctx) {
  if (mode === "json") {
    ctx.out(JSON.stringify(summary2, null, 2));
    return;
  }
  if (summary2.repositories.length > 0) {
    ctx.out(textTable(REPORT_HEADERS, summary2.repositories.map(repositoryReportRow)));
  }
  if (summary2.candidates === 0 && summary2.outcome !== "failed") {
    ctx.out(`${NOTHING_TO_BACKFILL} (name one with --repo owner/name to backfill it anyway).`);
  }
  const recovery = recoveryLine(summary2.recovery);
  if (recovery) ctx.out(recovery);
  ctx.out(summaryLine(summary2));
  for (const hint of hints(summary2)) ctx.err(hint);
}
function hints(summary2) {
  const out = [];
  const kinds = new Set(summary2.errors.critical.map((e) => e.kind));
  if (kinds.has("auth")) {
    out.push(
      "GitHub rejected the token: check that GITHUB_TOKEN (or GH_TOKEN) is set to a valid, unexpired token (`gh auth token` prints yours) and that --github-api-url points at the right GitHub."
    );
  }
  if (kinds.has("permission")) {
    out.push(
      'The token cannot read pull requests of some repositories: give it "Pull requests: read" (fine-grained token) or the `repo` scope (classic token), and SSO authorisation for the organisation.'
    );
  }
  if (kinds.has("not_found")) {
    out.push("Some repositories were not found: check the spelling, or that the token can see private ones.");
  }
  if (summary2.outcome === "interrupted" && summary2.stopReason && summary2.stopReason !== SIGNAL_STOP_REASON) {
    out.push(`Stopped early (${summary2.stopReason}); progress is saved, run again to continue.`);
  }
  if (summary2.outcome === "interrupted" && summary2.stopReason === SIGNAL_STOP_REASON) {
    out.push("Interrupted: the page in flight was saved and the leases released; run again to continue.");
  }
  return out;
}

// src/cli/shared-options.ts
import { readFileSync } from "node:fs";
import { Option } from "commander";

// src/github/auth-app.ts
init_errors();
init_types();
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
var RENEW_BEFORE_MS = 5 * 6e4;
var PAGE_SIZE = 100;
function checkAppCredentials(credentials) {
  if (!/^\d+$/.test(credentials.appId)) {
    throw new Error(
      `the GitHub App id must be a number (the app's settings page, "App ID"), got "${credentials.appId}"`
    );
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/.test(credentials.privateKey)) {
    throw new Error(
      'the GitHub App private key is not a PEM key: give the whole .pem file GitHub generated, from "-----BEGIN RSA PRIVATE KEY-----" to "-----END RSA PRIVATE KEY-----" (newlines may be written as \\n)'
    );
  }
  const id = credentials.installationId;
  if (id !== void 0 && !(Number.isInteger(id) && id > 0)) {
    throw new Error(`the GitHub App installation id must be a positive whole number, got ${id}`);
  }
}
function normalisePrivateKey(text) {
  return text.includes("\\n") && !text.includes("\n") ? text.replace(/\\n/g, "\n") : text;
}
function createGitHubApp(credentials, options2) {
  checkAppCredentials(credentials);
  const now = options2.now ?? Date.now;
  const renewBeforeMs = options2.renewBeforeMs ?? RENEW_BEFORE_MS;
  const octokit = new Octokit({
    baseUrl: options2.apiUrl.replace(/\/+$/, ""),
    userAgent: "progressive-backfill",
    authStrategy: createAppAuth,
    auth: { appId: credentials.appId, privateKey: credentials.privateKey },
    log: { debug: () => {
    }, info: () => {
    }, warn: () => {
    }, error: () => {
    } },
    ...options2.fetch ? { request: { fetch: options2.fetch } } : {}
  });
  const appFailure = (error, action) => {
    const classified = toGitHubError(error, { action });
    if (classified.kind !== "auth") return classified;
    return new GitHubError(
      "auth",
      `GitHub rejected GitHub App ${credentials.appId} while ${action} (${classified.details.status ?? 401}): check the app id and that the private key is a current key of that app.`,
      { status: classified.details.status }
    );
  };
  let installations = null;
  const listInstallations = async () => {
    const byOwner = /* @__PURE__ */ new Map();
    for (let page = 1; ; page++) {
      const response = await octokit.request("GET /app/installations", { per_page: PAGE_SIZE, page }).catch((error) => {
        throw appFailure(error, "listing its installations");
      });
      const entries = response.data;
      for (const entry of entries) {
        if (entry.account?.login) byOwner.set(entry.account.login.toLowerCase(), entry.id);
      }
      if (entries.length < PAGE_SIZE) return byOwner;
    }
  };
  const known = () => {
    installations ??= listInstallations();
    installations.catch(() => {
      installations = null;
    });
    return installations;
  };
  const tokens = /* @__PURE__ */ new Map();
  const renew = (installationId) => {
    const minted = mint(installationId);
    tokens.set(installationId, minted);
    minted.catch(() => {
      if (tokens.get(installationId) === minted) tokens.delete(installationId);
    });
    return minted;
  };
  const mint = async (installationId) => {
    try {
      const auth = await octokit.auth({ type: "installation", installationId, refresh: true });
      options2.onToken?.(auth.token);
      return { token: auth.token, expiresAt: Date.parse(auth.expiresAt) };
    } catch (error) {
      throw appFailure(error, `getting a token for installation ${installationId}`);
    }
  };
  return {
    appId: credentials.appId,
    async installationFor(owner) {
      if (credentials.installationId !== void 0) return credentials.installationId;
      return (await known()).get(owner.toLowerCase()) ?? null;
    },
    async firstInstallation() {
      if (credentials.installationId !== void 0) return credentials.installationId;
      const first = (await known()).values().next();
      if (first.done) {
        throw new GitHubError(
          "auth",
          `GitHub App ${credentials.appId} is not installed anywhere: install it on the owners of the repositories to backfill.`
        );
      }
      return first.value;
    },
    async token(installationId) {
      let current = tokens.get(installationId) ?? renew(installationId);
      let { token, expiresAt } = await current;
      if (now() < expiresAt - renewBeforeMs) return token;
      if (tokens.get(installationId) === current) renew(installationId);
      current = tokens.get(installationId) ?? renew(installationId);
      ({ token } = await current);
      return token;
    }
  };
}

// src/github/app-client.ts
init_client();
init_types();
function createGitHubAppClient(credentials, options2) {
  const app = createGitHubApp(credentials, options2);
  const { now: _now, renewBeforeMs: _renew, onToken: _onToken, ...clientOptions } = options2;
  const clients = /* @__PURE__ */ new Map();
  const clientOf = (installationId) => {
    let client = clients.get(installationId);
    if (!client) {
      client = createGitHubClient({ ...clientOptions, tokenSource: () => app.token(installationId) });
      clients.set(installationId, client);
    }
    return client;
  };
  const pricing = createGitHubClient({ ...clientOptions, token: "" });
  const budgetFor = async (owner) => {
    const installationId = await app.installationFor(owner);
    if (installationId === null) {
      throw new GitHubError(
        "not_found",
        `GitHub App ${app.appId} is not installed on ${owner}: install it on ${owner} (or give it access to the repository) and run again.`
      );
    }
    return { key: `installation:${installationId}`, github: clientOf(installationId) };
  };
  const lookupRepositories = async (refs) => {
    const byOwner = /* @__PURE__ */ new Map();
    for (const ref of refs) {
      const key = ref.owner.toLowerCase();
      byOwner.set(key, [...byOwner.get(key) ?? [], ref]);
    }
    const found = [];
    const missing = [];
    let rateLimit;
    for (const group of byOwner.values()) {
      const installationId = await app.installationFor(group[0].owner);
      if (installationId === null) {
        missing.push(...group);
        continue;
      }
      const result = await clientOf(installationId).lookupRepositories(group);
      found.push(...result.found);
      missing.push(...result.missing);
      rateLimit = result.rateLimit;
    }
    return {
      found,
      missing,
      rateLimit: rateLimit ?? await clientOf(await app.firstInstallation()).rateLimit()
    };
  };
  return {
    budgetFor,
    rateLimit: async () => clientOf(await app.firstInstallation()).rateLimit(),
    lookupRepositories,
    listOwnerRepositories: async (owner) => (await budgetFor(owner)).github.listOwnerRepositories(owner),
    fetchPullRequests: async (request) => (await budgetFor(request.owner)).github.fetchPullRequests(request),
    fetchUpdatedPullRequests: async (request) => (await budgetFor(request.owner)).github.fetchUpdatedPullRequests(request),
    fetchFollowUps: async (request) => (await budgetFor(request.owner)).github.fetchFollowUps(request),
    predictCost: (request) => pricing.predictCost(request)
  };
}

// src/github/auth-env.ts
init_client();
var GitHubAuthError = class extends Error {
  constructor(variable, message) {
    super(message);
    this.variable = variable;
  }
  variable;
  name = "GitHubAuthError";
};
function githubAuthFromEnv(env) {
  const appId = env.GITHUB_APP_ID?.trim();
  const privateKey = env.GITHUB_APP_PRIVATE_KEY?.trim();
  const installation = env.GITHUB_APP_INSTALLATION_ID?.trim();
  if (appId || privateKey || installation) {
    if (!appId)
      throw new GitHubAuthError("GITHUB_APP_ID", "GITHUB_APP_ID is not set: a GitHub App needs its id");
    if (!privateKey) {
      throw new GitHubAuthError(
        "GITHUB_APP_PRIVATE_KEY",
        "GITHUB_APP_PRIVATE_KEY is not set: give the contents of the private key (.pem) GitHub generated for the app"
      );
    }
    if (installation && !/^\d+$/.test(installation)) {
      throw new GitHubAuthError(
        "GITHUB_APP_INSTALLATION_ID",
        `GITHUB_APP_INSTALLATION_ID must be a number (leave it unset to find each owner's installation), got "${installation}"`
      );
    }
    const app = {
      appId,
      privateKey: normalisePrivateKey(privateKey),
      ...installation ? { installationId: Number(installation) } : {}
    };
    try {
      checkAppCredentials(app);
    } catch (error) {
      throw new GitHubAuthError(
        /key/.test(error.message) ? "GITHUB_APP_PRIVATE_KEY" : "GITHUB_APP_ID",
        error.message
      );
    }
    return { kind: "app", app };
  }
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  return token ? { kind: "token", token } : null;
}
function createGitHubClientFor(auth, options2) {
  if (auth.kind === "token") return createGitHubClient({ ...options2, token: auth.token });
  return createGitHubAppClient(auth.app, { ...options2, apiUrl: options2.apiUrl ?? "https://api.github.com" });
}

// src/shared-entry/open-store.ts
var given = (value) => value !== void 0 && value.trim() !== "";
function chooseBackend(config) {
  const postgres = given(config.databaseUrl);
  const supabase = given(config.supabaseUrl);
  const key = given(config.supabaseServiceRoleKey);
  const embedded = config.dataDir !== void 0;
  if (postgres && (supabase || key)) {
    throw new ConfigError(
      "database-url",
      "give either a Postgres database URL or a Supabase URL with its service-role key, not both"
    );
  }
  if (supabase && !key) {
    throw new ConfigError(
      "supabase-service-role-key",
      "a Supabase URL needs the project service-role key (set SUPABASE_SERVICE_ROLE_KEY)"
    );
  }
  if (key && !supabase) {
    throw new ConfigError(
      "supabase-url",
      "a Supabase service-role key was given without the Supabase project URL"
    );
  }
  if ((postgres || supabase) && embedded) {
    throw new ConfigError(
      "data-dir",
      "the embedded database folder cannot be combined with a database URL or a Supabase URL"
    );
  }
  if (postgres) return { kind: "postgres", databaseUrl: config.databaseUrl.trim() };
  if (supabase) {
    return {
      kind: "supabase",
      supabaseUrl: config.supabaseUrl.trim(),
      serviceRoleKey: config.supabaseServiceRoleKey.trim()
    };
  }
  if (embedded) return { kind: "pglite", dataDir: config.dataDir ?? null };
  throw new ConfigError(
    "database-url",
    "no database given: set a Postgres database URL or a Supabase URL and key"
  );
}
async function openBackend(backend, options2 = {}) {
  switch (backend.kind) {
    case "postgres": {
      const { createPostgresStore: createPostgresStore2 } = await Promise.resolve().then(() => (init_postgres(), postgres_exports));
      return createPostgresStore2(backend.databaseUrl, options2);
    }
    case "supabase": {
      const { createSupabaseStore: createSupabaseStore2 } = await Promise.resolve().then(() => (init_supabase(), supabase_exports));
      return createSupabaseStore2(backend.supabaseUrl, backend.serviceRoleKey, options2);
    }
    case "pglite": {
      if (backend.dataDir !== null) {
        const { mkdir: mkdir2 } = await import("node:fs/promises");
        await mkdir2(backend.dataDir, { recursive: true });
      }
      const { createPgliteStore: createPgliteStore2 } = await Promise.resolve().then(() => (init_pglite(), pglite_exports));
      return createPgliteStore2(backend.dataDir, options2);
    }
  }
}

// src/cli/shared-options.ts
var DEFAULT_DATA_DIR = "./.progressive-backfill/db";
function addDatabaseOptions(command) {
  return command.addOption(
    new Option(
      "--database-url <url>",
      "Postgres connection string (postgres://USER@HOST:5432/DB, password included); env PB_DATABASE_URL keeps the password out of `ps`"
    ).argParser(postgresUrl).helpGroup("Database:")
  ).addOption(
    new Option(
      "--supabase-url <url>",
      "Supabase project URL (https://<project>.supabase.co); the key comes from env SUPABASE_SERVICE_ROLE_KEY; env PB_SUPABASE_URL"
    ).argParser(httpUrl).helpGroup("Database:")
  ).addOption(
    new Option(
      "--data-dir <dir>",
      `embedded PGlite database folder, used when no database URL is given (default: ${DEFAULT_DATA_DIR})`
    ).argParser(nonEmpty).helpGroup("Database:")
  );
}
function addGitHubOptions(command) {
  return command.addOption(
    new Option(
      "--github-api-url <url>",
      `GitHub REST API base: ${DEFAULTS.githubApiUrl}, or https://HOST/api/v3 for GitHub Enterprise Server; env GITHUB_API_URL`
    ).argParser(httpUrl).helpGroup("GitHub:")
  );
}
function addJsonOption(command, what) {
  return command.addOption(
    new Option("--json", `print ${what} as JSON on stdout, nothing else`).helpGroup("Output:")
  );
}
function storeBackend(flags, ctx) {
  const databaseUrl = flags.databaseUrl ?? envValue(ctx, "PB_DATABASE_URL", postgresUrl, "database-url");
  const supabaseUrl = flags.supabaseUrl ?? envValue(ctx, "PB_SUPABASE_URL", httpUrl, "supabase-url");
  const serviceRoleKey = ctx.env.SUPABASE_SERVICE_ROLE_KEY;
  const server = Boolean(databaseUrl || supabaseUrl);
  return chooseBackend({
    ...databaseUrl ? { databaseUrl } : {},
    ...supabaseUrl ? { supabaseUrl, supabaseServiceRoleKey: serviceRoleKey ?? "" } : {},
    // An explicit --data-dir next to a URL is a conflict chooseBackend reports; the default folder is not.
    ...flags.dataDir !== void 0 ? { dataDir: flags.dataDir } : server ? {} : { dataDir: DEFAULT_DATA_DIR }
  });
}
function envValue(ctx, name, parse5, setting) {
  const raw = ctx.env[name];
  if (raw === void 0 || raw.trim() === "") return void 0;
  try {
    return parse5(raw);
  } catch (error) {
    throw new ConfigError(setting, `${name} ${error.message}`);
  }
}
function githubAuth(ctx) {
  let auth;
  try {
    const keyFile = ctx.env.GITHUB_APP_PRIVATE_KEY_FILE?.trim();
    auth = githubAuthFromEnv(
      keyFile ? { ...ctx.env, GITHUB_APP_PRIVATE_KEY: readPrivateKey(keyFile) } : ctx.env
    );
  } catch (error) {
    if (error instanceof GitHubAuthError) throw new ConfigError(error.variable, error.message);
    throw error;
  }
  if (!auth) {
    throw new ConfigError(
      "GITHUB_TOKEN",
      'no GitHub token: export GITHUB_TOKEN (or GH_TOKEN) with a token that can read the repositories (a fine-grained token with "Pull requests: read", or `gh auth token`), or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_FILE for a GitHub App'
    );
  }
  if (auth.kind === "app") ctx.secrets.push(auth.app.privateKey);
  return auth;
}
function readPrivateKey(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      "GITHUB_APP_PRIVATE_KEY_FILE",
      `cannot read the GitHub App private key from ${path}: ${error.code ?? error.message}`
    );
  }
}
function githubApiUrl(flags, ctx) {
  return flags.githubApiUrl ?? envValue(ctx, "GITHUB_API_URL", httpUrl, "github-api-url") ?? DEFAULTS.githubApiUrl;
}
function githubClient(flags, ctx) {
  return createGitHubClientFor(githubAuth(ctx), {
    apiUrl: githubApiUrl(flags, ctx),
    onToken: (token) => ctx.secrets.push(token)
  });
}
async function withStore(backend, work) {
  const store = await openBackend(backend);
  try {
    await store.assertSchema();
    return await work(store);
  } finally {
    await store.close();
  }
}

// src/cli/verify.ts
var OPTIONAL_COLUMNS = ["labels", "review_decision", "review_count", "comment_count"];
var TIMESTAMP_COLUMNS = /* @__PURE__ */ new Set(["created_at", "updated_at", "closed_at", "merged_at"]);
var MAX_REPORTED = 10;
async function readStoredPullRequests(db, owner, name, range = { after: 0, through: null }) {
  const { rows } = await db.query(
    `select to_jsonb(p) - 'id' - 'repository_id' - 'captured_at'
              || jsonb_build_object('github_id', p.github_id::text, 'author_github_id', p.author_github_id::text) as pr
       from progressive_backfill.pull_requests p
       join progressive_backfill.repositories r on r.id = p.repository_id
      where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
        and p.number > $3 and ($4::int is null or p.number <= $4)
      order by p.number`,
    [owner, name, range.after, range.through]
  );
  return rows.map((row) => typeof row.pr === "string" ? JSON.parse(row.pr) : row.pr);
}
function canonicalJson(value) {
  return JSON.stringify(
    value ?? null,
    (_key, v) => v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) : v
  );
}
function sameValue(column, expected, actual) {
  if (TIMESTAMP_COLUMNS.has(column) && typeof expected === "string" && typeof actual === "string") {
    return Date.parse(expected) === Date.parse(actual);
  }
  return canonicalJson(expected) === canonicalJson(actual);
}
function show(value) {
  const text = JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
function compareWithGroundTruth(expected, stored, profile) {
  const byId = new Map(stored.map((row) => [String(row.github_id), row]));
  const differences = [];
  let identical = 0;
  for (const record of expected) {
    const row = byId.get(record.github_id);
    byId.delete(record.github_id);
    if (!row) {
      differences.push(`#${record.number} (github id ${record.github_id}) is missing`);
      continue;
    }
    const wrong = [];
    for (const [column, value] of Object.entries(record)) {
      if (!sameValue(column, value, row[column])) {
        wrong.push(`${column}: expected ${show(value)}, stored ${show(row[column])}`);
      }
    }
    for (const column of OPTIONAL_COLUMNS) {
      if (!(column in record) && row[column] !== null && row[column] !== void 0 && profile === "core") {
        wrong.push(`${column}: expected null (not fetched by ${profile}), stored ${show(row[column])}`);
      }
    }
    if (wrong.length === 0) identical++;
    else differences.push(`#${record.number}: ${wrong.join("; ")}`);
  }
  for (const row of byId.values()) differences.push(`#${String(row.number)} is stored but not on GitHub`);
  return {
    expected: expected.length,
    stored: stored.length,
    identical,
    differences: differences.slice(0, MAX_REPORTED)
  };
}
async function compareInPages(truthPages, readStored, profile) {
  const total = { expected: 0, stored: 0, identical: 0, differences: [] };
  let after = 0;
  const add = (part) => {
    total.expected += part.expected;
    total.stored += part.stored;
    total.identical += part.identical;
    total.differences = [...total.differences, ...part.differences].slice(0, MAX_REPORTED);
  };
  let pending = null;
  for (const page of truthPages) {
    if (pending) {
      const through = pending.at(-1).number;
      add(compareWithGroundTruth(pending, await readStored({ after, through }), profile));
      after = through;
    }
    pending = page;
  }
  add(compareWithGroundTruth(pending ?? [], await readStored({ after, through: null }), profile));
  return total;
}

// src/cli/commands/run.ts
init_pull_request();
import { hostname } from "node:os";
import { Command, Option as Option2 } from "commander";

// src/engine/run.ts
init_types();
init_types2();

// src/engine/walk.ts
init_scope();
var MAX_WALK_WINDOWS = 6;
var start = (state) => ({
  state,
  after: null,
  before: null,
  forwardEdge: null,
  backwardEdge: null,
  taken: 0,
  total: null,
  done: false
});
function parseWalkCursor(state, scope = WHOLE_REPOSITORY) {
  if (state === null) return { v: 2, partitions: scopeStates(scope).map(start) };
  if (state.v === 1) {
    const { after, before, forwardEdge, backwardEdge } = state;
    return { v: 2, partitions: [{ ...start(null), after, before, forwardEdge, backwardEdge }] };
  }
  if (state.v !== 2)
    throw new Error(`unknown cursor state version ${String(state.v)}: upgrade progressive-backfill`);
  return state;
}
function windowKey(partition, direction) {
  return `${partition.state?.toLowerCase() ?? "all"}${direction === "forward" ? "Forward" : "Backward"}`;
}
function left(partition) {
  return partition.total === null ? Number.POSITIVE_INFINITY : Math.max(0, partition.total - partition.taken);
}
function walkRequest(cursor, repo, profile, windowSize, maxWindows, scope = WHOLE_REPOSITORY) {
  const open = cursor.partitions.filter((p) => !p.done).sort((a, b) => left(b) - left(a));
  const windows = [];
  const directions = scope.since === void 0 ? ["forward", "backward"] : ["backward"];
  for (const direction of directions) {
    for (const partition of open) {
      if (windows.length >= maxWindows) break;
      windows.push({
        key: windowKey(partition, direction),
        direction,
        ...partition.state ? { states: [partition.state] } : {},
        size: windowSize,
        cursor: direction === "forward" ? partition.after : partition.before
      });
    }
  }
  return { owner: repo.owner, name: repo.name, profile, windows, scope };
}
function roundsLeft(cursor, windowSize, prsLeft, scope = WHOLE_REPOSITORY) {
  const perRound = windowSize * (scope.since === void 0 ? 2 : 1);
  const open = cursor.partitions.filter((p) => !p.done);
  const largest = Math.max(0, ...open.map((p) => Math.min(left(p), Math.max(0, prsLeft))));
  return Math.ceil(largest / Math.max(1, perRound));
}
function advanceWalk(cursor, page, scope = WHOLE_REPOSITORY) {
  const byId = /* @__PURE__ */ new Map();
  const partitions = cursor.partitions.map((partition) => {
    if (partition.done) return partition;
    const forward = page.windows[windowKey(partition, "forward")];
    const backward = page.windows[windowKey(partition, "backward")];
    if (!forward && !backward) return partition;
    const { fresh, next } = scope.since === void 0 ? advancePartition(partition, forward, backward) : advanceSince(partition, backward, scope.since);
    for (const pr of fresh) byId.set(pr.github_id, pr);
    return next;
  });
  return {
    prs: [...byId.values()],
    done: partitions.every((partition) => partition.done),
    next: { v: 2, partitions }
  };
}
var edge = (pr) => ({ id: pr.node_id, createdAt: pr.created_at });
function advancePartition(position, forwardWindow, backwardWindow) {
  const forward = forwardWindow?.nodes ?? [];
  const backward = backwardWindow?.nodes ?? [];
  const forwardEnded = forwardWindow ? !forwardWindow.hasMore : false;
  const backwardEnded = backwardWindow ? !backwardWindow.hasMore : false;
  const backwardEdge = backward[0] ? edge(backward[0]) : position.backwardEdge;
  const forwardLast = forward.at(-1);
  const forwardEdge = forwardLast ? edge(forwardLast) : position.forwardEdge;
  const met = crossed(forward, position.backwardEdge ?? (backward[0] ? edge(backward[0]) : null)) || crossed(backward, position.forwardEdge, true) || sharesNode(forward, backward);
  const fresh = /* @__PURE__ */ new Map();
  for (const pr of forward) if (!crossed([pr], position.backwardEdge)) fresh.set(pr.github_id, pr);
  for (const pr of backward) if (!crossed([pr], position.forwardEdge, true)) fresh.set(pr.github_id, pr);
  return {
    fresh: [...fresh.values()],
    next: {
      state: position.state,
      after: forwardWindow?.cursor ?? position.after,
      before: backwardWindow ? backwardWindow.cursor ?? position.before : position.before,
      forwardEdge,
      backwardEdge,
      taken: position.taken + fresh.size,
      total: forwardWindow?.totalCount ?? backwardWindow?.totalCount ?? position.total,
      done: forwardEnded || backwardEnded || met
    }
  };
}
function advanceSince(position, backwardWindow, since2) {
  if (!backwardWindow) return { fresh: [], next: position };
  const fresh = backwardWindow.nodes.filter((pr) => !createdBefore(pr, since2));
  const first = backwardWindow.nodes[0];
  return {
    fresh,
    next: {
      ...position,
      before: backwardWindow.cursor ?? position.before,
      backwardEdge: first ? edge(first) : position.backwardEdge,
      taken: position.taken + fresh.length,
      total: backwardWindow.totalCount,
      done: !backwardWindow.hasMore || fresh.length < backwardWindow.nodes.length
    }
  };
}
function crossed(nodes, other, backward = false) {
  if (!other) return false;
  return nodes.some(
    (pr) => pr.node_id === other.id || (backward ? pr.created_at < other.createdAt : pr.created_at > other.createdAt)
  );
}
function sharesNode(a, b) {
  if (a.length === 0 || b.length === 0) return false;
  const ids = new Set(a.map((pr) => pr.node_id));
  return b.some((pr) => ids.has(pr.node_id));
}

// src/engine/budget.ts
function defaultReserve(limit) {
  return Math.max(Math.ceil(limit * 0.1), 100);
}
function pageShapes(github, profile) {
  const shapes = [];
  const fresh = parseWalkCursor(null);
  for (let windows = 1; windows <= MAX_WALK_WINDOWS; windows++) {
    for (let size = 1; size <= 100; size++) {
      const points = github.predictCost(
        walkRequest(fresh, { owner: "o", name: "n" }, profile, size, windows)
      );
      shapes.push({ windowSize: size, windows, points, prs: size * windows });
    }
  }
  return shapes;
}
function bestShape(shapes, maxWindowSize = 100) {
  const usable = shapes.filter((s) => s.windowSize <= maxWindowSize);
  usable.sort((a, b) => b.prs / b.points - a.prs / a.points || b.prs - a.prs || a.windows - b.windows);
  const best = usable[0];
  if (!best) throw new Error("no page shape fits");
  return best;
}
function planRun(input) {
  const { rateLimit } = input;
  const reserve = input.reservePoints ?? defaultReserve(rateLimit.limit);
  const fixedSize = input.shapes.filter((s) => s.windowSize === input.chunkSize);
  const shape = bestShape(fixedSize.length > 0 ? fixedSize : input.shapes);
  const spendable = Math.max(0, rateLimit.remaining - reserve);
  const resetMs = Date.parse(rateLimit.resetAt) - input.now;
  const windowsInRun = resetMs > 0 && resetMs < input.timeBudgetMs ? 1 + Math.floor((input.timeBudgetMs - resetMs) / 36e5) : 0;
  const pagesAffordable = Math.floor(
    (spendable + windowsInRun * Math.max(0, rateLimit.limit - reserve)) / Math.max(1, shape.points)
  );
  const pagesPlanned = Math.min(pagesAffordable, input.maxChunks ?? Number.POSITIVE_INFINITY);
  const pagesPerWorker = Math.max(1, Math.floor(input.timeBudgetMs / Math.max(1, input.pageLatencyMs)));
  const needed = Math.ceil(pagesPlanned / pagesPerWorker);
  const concurrency = Math.max(
    1,
    Math.min(input.concurrency ?? Math.min(8, Math.max(1, needed)), Math.max(1, input.candidates))
  );
  const reason = pagesAffordable === 0 ? `only ${rateLimit.remaining} points left and ${reserve} are kept in reserve until ${rateLimit.resetAt}` : `${pagesPlanned} pages of ${shape.prs} PRs at ${shape.points} point(s) each, ${concurrency} repositories at once`;
  return {
    pageSize: shape.windowSize,
    ...fixedSize.length > 0 ? { pageSizeFixed: true } : {},
    windowsPerRequest: shape.windows,
    pointsPerPage: shape.points,
    pagesAffordable,
    pagesPlanned,
    concurrency,
    remaining: rateLimit.remaining,
    reserve,
    resetAt: rateLimit.resetAt,
    reason
  };
}
var BudgetLedger = class {
  constructor(state, reserve, pagesPlanned) {
    this.reserve = reserve;
    this.remaining = state.remaining;
    this.resetAt = Date.parse(state.resetAt);
    this.limit = state.limit;
    this.pagesLeft = pagesPlanned;
  }
  reserve;
  remaining;
  resetAt;
  limit;
  inFlight = 0;
  pagesLeft;
  spent = 0;
  /** Claim points for one request; false when it would touch the reserve or the run's page allowance is spent. */
  tryReserve(points, now) {
    if (now >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = now + 36e5;
    }
    if (this.pagesLeft <= 0) return false;
    if (this.remaining - this.inFlight - points < this.reserve) return false;
    this.inFlight += points;
    this.pagesLeft -= 1;
    return true;
  }
  /** Settle a reservation with what GitHub reported; responses can arrive out of order, so keep the lowest. */
  settle(reserved, observed, charged) {
    this.inFlight -= reserved;
    this.spent += charged;
    if (!observed) {
      this.remaining -= charged;
      return;
    }
    const reset = Date.parse(observed.resetAt);
    if (reset > this.resetAt) {
      this.resetAt = reset;
      this.remaining = observed.remaining;
    } else {
      this.remaining = Math.min(this.remaining - charged, observed.remaining);
    }
    this.limit = observed.limit;
  }
  /** Give back a reservation whose request failed before GitHub could charge it. */
  cancel(reserved) {
    this.inFlight -= reserved;
    this.pagesLeft += 1;
  }
  exhausted(points) {
    return this.pagesLeft <= 0 || this.remaining - this.inFlight - points < this.reserve;
  }
  pagesRemaining() {
    return this.pagesLeft;
  }
  resetsAt() {
    return this.resetAt;
  }
  remainingPoints() {
    return this.remaining;
  }
  markExhausted(resetAt) {
    this.remaining = 0;
    if (resetAt) this.resetAt = Date.parse(resetAt);
  }
};

// src/engine/clock.ts
var systemClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  })
};
function isoAt(clock) {
  return new Date(clock.now()).toISOString();
}

// src/engine/context.ts
var PageTimer = class {
  estimate;
  constructor(initialMs) {
    this.estimate = initialMs;
  }
  observe(ms) {
    this.estimate = this.estimate * 0.8 + ms * 0.2;
  }
  get ms() {
    return Math.ceil(this.estimate);
  }
};

// src/engine/error-summary.ts
var ErrorCollector = class {
  entries = [];
  add(entry) {
    this.entries.push(entry);
  }
  hasCritical(repository) {
    return this.entries.some(
      (e) => e.severity === "critical" && (repository === void 0 || e.repository === repository)
    );
  }
  summary() {
    const byRepository = {};
    for (const e of this.entries) {
      const key = e.repository ?? "(run)";
      byRepository[key] ??= { critical: 0, warnings: 0 };
      if (e.severity === "critical") byRepository[key].critical++;
      else byRepository[key].warnings++;
    }
    return {
      totalErrors: this.entries.length,
      critical: this.entries.filter((e) => e.severity === "critical"),
      warnings: this.entries.filter((e) => e.severity === "warning"),
      byRepository
    };
  }
};

// src/engine/health.ts
var rank = { ok: 0, warn: 1, halt: 2 };
async function runHealthChecks(checks, timeoutMs) {
  const results = await Promise.all(
    checks.map(async (c) => {
      const controller = new AbortController();
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(
          () => resolve({ status: "warn", reason: `did not answer within ${timeoutMs} ms` }),
          timeoutMs
        );
      });
      try {
        const result = await Promise.race([c.check(controller.signal), timeout]);
        return { check: c.name, ...result };
      } catch (error) {
        return { check: c.name, status: "warn", reason: `failed: ${error.message}` };
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    })
  );
  const status = results.reduce(
    (worst, r) => rank[r.status] > rank[worst] ? r.status : worst,
    "ok"
  );
  return { status, results };
}
function rateLimitFloorCheck(input) {
  return {
    name: "rate-limit-floor",
    async check() {
      if (input.canAfford()) return { status: "ok", reason: "budget above the reserve" };
      const reset = input.resetsAt();
      if (reset < input.deadline) {
        return {
          status: "ok",
          reason: `reserve reached; waiting for the reset at ${new Date(reset).toISOString()}`
        };
      }
      return {
        status: "halt",
        reason: "rate-limit reserve reached; the budget resets after this run must end"
      };
    }
  };
}
var TIME_BUDGET_CHECK = "time-budget";
function backsOff(verdict) {
  return verdict.results.some((r) => r.status === "warn" && r.check !== TIME_BUDGET_CHECK);
}
function timeBudgetCheck(input) {
  return {
    name: TIME_BUDGET_CHECK,
    async check() {
      const left2 = input.deadline - input.clock.now();
      const need = input.pageEstimateMs();
      if (left2 < need)
        return {
          status: "halt",
          reason: `time budget spent (${Math.max(0, left2)} ms left, a page takes ~${need} ms)`
        };
      if (left2 < need * 3) return { status: "warn", reason: `time budget nearly spent (${left2} ms left)` };
      return { status: "ok", reason: `${left2} ms left` };
    }
  };
}
function databaseLoadCheck(sample, limits = { warnLongRunning: 3, haltLongRunning: 10, warnLockWaits: 5, haltLockWaits: 20 }) {
  let previous = null;
  return {
    name: "database-load",
    async check() {
      const current = await sample();
      const deadlocks = previous ? current.deadlocks - previous.deadlocks : 0;
      previous = current;
      const describe2 = `${current.longRunningQueries} long-running queries, ${current.lockWaits} lock waits, ${deadlocks} new deadlocks`;
      if (current.longRunningQueries >= limits.haltLongRunning || current.lockWaits >= limits.haltLockWaits) {
        return { status: "halt", reason: `database overloaded: ${describe2}` };
      }
      if (current.longRunningQueries >= limits.warnLongRunning || current.lockWaits >= limits.warnLockWaits || deadlocks > 0) {
        return { status: "warn", reason: `database busy: ${describe2}` };
      }
      return { status: "ok", reason: describe2 };
    }
  };
}

// src/engine/locks.ts
var MARGIN_SECONDS = 1;
function lockedDetail(lease, why) {
  return `locked by ${lease.leaseOwner} until ${lease.leaseExpiresAt} (chunk ${lease.chunkNumber}; ${why})`;
}
function lockVerdict(lease, facts) {
  if (lease.holderAlive === false) return { wait: true, waitMs: 0 };
  if (lease.holderAlive === true) {
    return {
      wait: false,
      detail: lockedDetail(lease, "its worker is alive; it keeps the lease while it works")
    };
  }
  const waitMs = Math.ceil((lease.secondsLeft + facts.graceSeconds + MARGIN_SECONDS) * 1e3);
  if (waitMs + facts.pageEstimateMs <= facts.msLeft) return { wait: true, waitMs };
  return {
    wait: false,
    detail: lockedDetail(
      lease,
      `whether its worker is alive cannot be seen, and waiting ${Math.ceil(waitMs / 1e3)} s for the lease to expire does not fit the time budget`
    )
  };
}

// src/engine/recovery.ts
async function recoverAndReport(store, limits, emit, record) {
  const recovery = await store.recoverStuckChunks(limits);
  emit({ type: "run.recovered", recovery });
  if (recovery.stalled > 0) {
    for (const row of await store.progress()) {
      if (row.backfillStatus !== "stalled") continue;
      record({
        severity: "critical",
        repository: row.fullName,
        kind: "stalled",
        message: `the backfill of ${row.fullName} is stalled: ${row.lastError ?? "a chunk lost its lease too often"}. Restart it by naming it (\`run --repo ${row.fullName}\`, or the action's \`repositories\`).`
      });
    }
  }
  return recovery;
}

// src/engine/refresh.ts
init_scope();
init_queries();
init_types2();

// src/engine/fetch-page.ts
init_types();
import pRetry2 from "p-retry";

// src/engine/number-walk.ts
init_queries();

// src/engine/page-size.ts
var GROW_WITHIN_MS = 5e3;
function nextPageSize(state, event, limits, elapsedMs = 0) {
  if (event === "failed") return { size: Math.max(limits.floor, Math.floor(state.size / 2)), streak: 0 };
  const streak = state.streak + 1;
  const roomToGrow = elapsedMs * 2 <= GROW_WITHIN_MS;
  if (streak >= limits.growAfter && state.size < limits.max && roomToGrow) {
    return { size: Math.min(limits.max, state.size * 2), streak: 0 };
  }
  return { size: state.size, streak };
}
var GROW_AFTER_FAILURE = 3;
var AdaptivePageSize = class {
  state;
  limits;
  /**
   * `start`: the first size, when growing to `max` must wait for evidence (the number walk's lookups); such a walk
   * may grow faster (`growAfter` 1) until its first failure, after which it grows at the cautious pace.
   */
  constructor(max, floor = Math.min(5, max), growAfter = GROW_AFTER_FAILURE, start2 = max) {
    this.limits = { max, floor, growAfter };
    this.state = { size: Math.max(floor, Math.min(max, start2)), streak: 0 };
  }
  get current() {
    return this.state.size;
  }
  shrink() {
    this.state = nextPageSize(this.state, "failed", this.limits);
    this.cautious();
  }
  /** A size GitHub refused outright (not a timeout): half of it becomes the most this walk asks for. */
  capBelowCurrent() {
    const max = Math.max(this.limits.floor, Math.floor(this.state.size / 2));
    this.limits = { ...this.limits, max };
    this.state = { size: max, streak: 0 };
    this.cautious();
  }
  /** `elapsedMs`: how long the answer took, which decides whether a twice-as-large request has room. */
  succeeded(elapsedMs = 0) {
    this.state = nextPageSize(this.state, "succeeded", this.limits, elapsedMs);
  }
  cautious() {
    this.limits = { ...this.limits, growAfter: Math.max(this.limits.growAfter, GROW_AFTER_FAILURE) };
  }
};

// src/engine/number-walk.ts
var FRESH_NUMBER_WALK = {
  v: 3,
  kind: "numbers",
  next: 1,
  max: null,
  taken: 0,
  total: null
};
var MIN_NUMBERS_PER_REQUEST = 25;
function isNumberWalkCursor(cursor) {
  return typeof cursor === "object" && cursor !== null && cursor.v === 3;
}
function numberRequest(cursor, repo, profile, count) {
  const left2 = cursor.max === null ? count : Math.max(1, cursor.max - cursor.next + 1);
  return {
    owner: repo.owner,
    name: repo.name,
    profile,
    windows: [],
    numbers: { from: cursor.next, count: Math.min(count, left2) }
  };
}
function advanceNumbers(cursor, answer, totalCount, chooseNumbers) {
  if (answer.range.from !== cursor.next) {
    throw new Error(`number walk answer starts at ${answer.range.from}, the cursor at ${cursor.next}`);
  }
  const byId = /* @__PURE__ */ new Map();
  for (const pr of answer.nodes) byId.set(pr.github_id, pr);
  const prs = [...byId.values()];
  const max = cursor.max ?? answer.newest ?? 0;
  if (cursor.max === null && max > 0) {
    const figures = { total: totalCount, newest: max, states: answer.states };
    if (!chooseNumbers(figures)) return { prs, next: null, done: false };
  }
  const next = answer.range.from + answer.range.count;
  return {
    prs,
    next: { v: 3, kind: "numbers", next, max, taken: cursor.taken + prs.length, total: totalCount },
    done: next > max
  };
}
function splitNumberStep(from, step, max) {
  if (step.prs.length <= max) return [step];
  const prs = [...step.prs].sort((a, b) => a.number - b.number);
  const parts = [];
  let taken = from.taken;
  for (let start2 = 0; start2 < prs.length; start2 += max) {
    const part = prs.slice(start2, start2 + max);
    const following = prs[start2 + max];
    taken += part.length;
    parts.push(
      following ? { prs: part, next: { ...step.next, next: following.number, taken }, done: false } : { prs: part, next: step.next, done: step.done }
    );
  }
  return parts;
}
function numbersPerPoint(figures, prices) {
  const density = figures.newest > 0 ? Math.min(1, figures.total / figures.newest) : 0;
  return prices.numbers * density / Math.max(1, prices.numbersPoints);
}
function windowsPerPoint(figures, prices) {
  const full = prices.windows * prices.windowSize / Math.max(1, prices.windowsPoints);
  const largest = Math.max(...Object.values(figures.states), 1);
  const requests = Math.ceil(largest / (2 * prices.windowSize));
  return Math.min(full, figures.total / requests);
}
function reachableNumbers(count, ms, max = MAX_NUMBERS_PER_REQUEST) {
  let size = count;
  let time = ms;
  while (size < max && time * 2 <= GROW_WITHIN_MS) {
    size = Math.min(max, size * 2);
    time *= 2;
  }
  return size;
}
function numbersWin(figures, prices, room) {
  if (numbersPerPoint(figures, prices) <= windowsPerPoint(figures, prices)) return false;
  if (!room) return true;
  const timeBinds = figures.newest * room.msPerNumber > room.timeLeftMs;
  const windowsPoints = Math.ceil(figures.total / windowsPerPoint(figures, prices));
  return !(timeBinds && windowsPoints <= room.spendablePoints);
}
function splitNumbers(request, segments) {
  const range = request.numbers;
  if (!range) return [request];
  const parts = Math.max(1, Math.min(segments, Math.floor(range.count / MIN_NUMBERS_PER_REQUEST)));
  const base2 = Math.floor(range.count / parts);
  const extra = range.count % parts;
  const requests = [];
  let from = range.from;
  for (let part = 0; part < parts; part++) {
    const count = base2 + (part < extra ? 1 : 0);
    requests.push({ ...request, numbers: { from, count } });
    from += count;
  }
  return requests;
}
function mergeNumbers(answers) {
  const sorted = [...answers].sort((a, b) => a.range.from - b.range.from);
  const [first, ...rest] = sorted;
  if (!first) throw new RangeError("no answer to merge");
  let end = first.range.from + first.range.count;
  for (const answer of rest) {
    if (answer.range.from !== end) throw new Error("split number answers are not consecutive");
    end += answer.range.count;
  }
  const newest = sorted.map((a) => a.newest).filter((n) => n !== null);
  const latest = sorted.at(-1);
  return {
    range: { from: first.range.from, count: end - first.range.from },
    nodes: sorted.flatMap((a) => a.nodes),
    newest: newest.length > 0 ? Math.max(...newest) : null,
    states: latest.states
  };
}

// src/engine/segments.ts
function chooseSegments(input) {
  const rounds = Math.max(
    Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, input.prsPerRound)),
    input.walkRounds ?? 0
  );
  const windows = Math.max(1, input.windows);
  const timeNeeded = (segments) => rounds * input.sequentialRoundMs * Math.ceil(windows / segments) / windows;
  if (rounds === 0 || timeNeeded(1) <= input.timeLeftMs) return 1;
  let affordable = 1;
  for (let segments = 2; segments <= input.windows; segments++) {
    const points = rounds * Math.max(segments, input.pointsPerRound);
    if (points > input.spendablePoints) break;
    affordable = segments;
    if (timeNeeded(segments) <= input.timeLeftMs) break;
  }
  return affordable;
}
var MAX_PARALLEL_NUMBER_REQUESTS = 8;
var TIME_MARGIN = 0.8;
function chooseParallelRequests(input) {
  const needed = Math.max(0, input.requestsLeft) * input.requestMs;
  const usable = Math.max(1, input.timeLeftMs * TIME_MARGIN);
  if (needed <= usable) return 1;
  return Math.max(1, Math.min(input.max, Math.ceil(needed / usable)));
}
function probeNumbers(input) {
  const rounds = Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, input.prsPerRound));
  if (rounds * input.sequentialRoundMs <= input.timeLeftMs) return input.count;
  const worstRounds = Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, 2 * input.windowSize));
  if (worstRounds * input.pointsPerRound <= input.spendablePoints) return 0;
  return Math.min(input.count, input.min);
}
function splitRequest(request, segments) {
  if (request.numbers) return splitNumbers(request, segments);
  const parts = Math.max(1, Math.min(segments, request.windows.length));
  return Array.from({ length: parts }, (_, part) => ({
    ...request,
    windows: request.windows.filter((_2, index) => index % parts === part)
  }));
}
function mergePages(pages) {
  const [first, ...rest] = pages;
  if (!first) throw new RangeError("no page to merge");
  return rest.reduce(
    (merged, page) => ({
      totalCount: Math.max(merged.totalCount, page.totalCount),
      windows: { ...merged.windows, ...page.windows },
      ...merged.numbers && page.numbers ? { numbers: mergeNumbers([merged.numbers, page.numbers]) } : {},
      skippedNodes: merged.skippedNodes + page.skippedNodes,
      ...mergeChildren(merged, page),
      predictedCost: merged.predictedCost + page.predictedCost,
      rateLimit: {
        ...page.rateLimit.remaining < merged.rateLimit.remaining ? page.rateLimit : merged.rateLimit,
        cost: merged.rateLimit.cost + page.rateLimit.cost,
        nodeCount: merged.rateLimit.nodeCount + page.rateLimit.nodeCount
      }
    }),
    first
  );
}
function mergeChildren(a, b) {
  if (!a.children && !b.children) return {};
  return { children: new Map([...a.children ?? [], ...b.children ?? []]) };
}
var RoundPacer = class {
  windowRoundMs;
  numberRequestMs;
  constructor(initialMs) {
    this.windowRoundMs = initialMs;
    this.numberRequestMs = initialMs;
  }
  /**
   * `prsPerRound`: what the round is expected to bring; `walkRounds`: the fewest rounds the walk can still take, given
   * the PRs left (see walk.ts roundsLeft).
   */
  segmentsFor(ctx, round, report2, prsPerRound, walkRounds) {
    const prsLeft = (report2.prTotalCount ?? 0) - report2.storedAfter;
    return chooseSegments({
      windows: round.windows.length,
      prsLeft,
      prsPerRound,
      walkRounds: walkRounds(prsLeft),
      sequentialRoundMs: this.windowRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve,
      pointsPerRound: ctx.github.predictCost(round)
    });
  }
  /** Lookups in the number walk's probe, 0 for none (see probeNumbers). */
  probeFor(ctx, report2, count, min) {
    return probeNumbers({
      count,
      min,
      prsLeft: (report2.prTotalCount ?? 0) - report2.storedAfter,
      prsPerRound: ctx.plan.windowsPerRequest * ctx.plan.pageSize,
      sequentialRoundMs: this.windowRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      windowSize: ctx.plan.pageSize,
      pointsPerRound: ctx.plan.pointsPerPage,
      spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve
    });
  }
  /** the time one number request took, as measured last */
  get requestMs() {
    return this.numberRequestMs;
  }
  /** Number requests in flight for the next round, from the time one takes (see chooseParallelRequests). */
  parallelFor(ctx, requestsLeft) {
    return chooseParallelRequests({
      requestsLeft,
      requestMs: this.numberRequestMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      max: MAX_PARALLEL_NUMBER_REQUESTS
    });
  }
  /** A number round's requests are each a full one, so the round took what one takes. */
  observedNumbers(ms) {
    this.numberRequestMs = ms;
  }
  /**
   * GitHub's time grows with the nodes asked for: a window round split s ways (`segments`) would have taken s times
   * as long as one request.
   */
  observedWindows(ms, segments) {
    this.windowRoundMs = ms * segments;
  }
};

// src/engine/fetch-page.ts
var BudgetExhausted = class extends Error {
  name = "BudgetExhausted";
};
var StopRequested = class extends Error {
  name = "StopRequested";
};
var MAX_ATTEMPTS = 6;
var WAIT_SLICE_MS = 3e4;
async function reservePoints(ctx, points, onWait) {
  while (!ctx.ledger.tryReserve(points, ctx.clock.now())) {
    const wait = ctx.ledger.resetsAt() - ctx.clock.now() + 1e3;
    if (ctx.ledger.pagesRemaining() <= 0)
      throw new BudgetExhausted("the run's page allowance (max-chunks) is spent");
    if (ctx.clock.now() + wait + ctx.pageTimer.ms > ctx.deadline) {
      throw new BudgetExhausted("rate-limit reserve reached; the budget resets after this run must end");
    }
    const slice = Math.min(wait, WAIT_SLICE_MS);
    await ctx.clock.sleep(slice, ctx.signal);
    if (ctx.signal.aborted) throw new StopRequested("stop requested");
    await onWait?.(slice);
  }
}
function backoffMs(attempt, random = Math.random) {
  const base2 = Math.min(3e4, 500 * 2 ** attempt);
  return Math.round(base2 * (0.75 + random() * 0.5));
}
function retryWait(error, attempt) {
  if (!(error instanceof GitHubError)) return null;
  if (error.kind === "transient") return backoffMs(attempt);
  if (error.kind === "secondary_rate_limit")
    return Math.max(error.details.retryAfterMs ?? 6e4, backoffMs(attempt));
  return null;
}
async function fetchWithRetry(ctx, size, build, send, onWait) {
  let request;
  return pRetry2(
    async () => {
      if (ctx.signal.aborted) throw new StopRequested("stop requested");
      request = build(size.current);
      const points = ctx.github.predictCost(request);
      await reservePoints(ctx, points, onWait);
      const started = ctx.clock.now();
      try {
        const page = await send(request);
        ctx.ledger.settle(points, page.rateLimit, page.rateLimit.cost);
        ctx.pageTimer.observe(ctx.clock.now() - started);
        size.succeeded(ctx.clock.now() - started);
        return { page, request };
      } catch (error) {
        ctx.ledger.cancel(points);
        if (error instanceof GitHubError && error.kind === "primary_rate_limit") {
          ctx.ledger.markExhausted(error.details.resetAt);
        }
        throw error;
      }
    },
    {
      retries: MAX_ATTEMPTS - 1,
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: ({ error }) => retryWait(error, 0) !== null,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        const attempt = attemptNumber - 1;
        const wait = retryWait(error, attempt);
        if (error instanceof GitHubError && error.kind === "transient") size.shrink();
        if (wait === null || retriesLeft === 0 || !request) return;
        ctx.record({
          severity: "warning",
          repository: `${request.owner}/${request.name}`,
          kind: error.kind,
          message: `${error.message} (attempt ${attemptNumber}, retrying in ${wait} ms with pages of ${size.current})`
        });
        await ctx.clock.sleep(wait, ctx.signal);
        await onWait?.(wait);
      }
    }
  );
}
async function fetchRound(ctx, size, build, segments, onWait) {
  const round = splitRequest(build(size.current), segments);
  const parts = round.length;
  if (parts === 1) {
    return (await fetchWithRetry(ctx, size, build, (r) => ctx.github.fetchPullRequests(r), onWait)).page;
  }
  const numbers = round[0]?.numbers !== void 0;
  const answers = await Promise.all(
    Array.from(
      { length: parts },
      (_, part) => fetchWithRetry(
        ctx,
        size,
        (windowSize) => numbers ? round[part] : splitRequest(build(windowSize), parts)[part],
        (r) => ctx.github.fetchPullRequests(r),
        onWait
      )
    )
  );
  return mergePages(answers.map(({ page }) => page));
}

// src/engine/follow-ups.ts
init_children_queries();
function pageChildren(page, prs) {
  if (!page.children) return void 0;
  const out = { contributors: [], reviews: [], comments: [], follow_ups: [] };
  const contributors = /* @__PURE__ */ new Map();
  for (const pr of prs) {
    const mapped = page.children.get(pr.github_id);
    if (!mapped) continue;
    for (const contributor of mapped.contributors) contributors.set(contributor.github_id, contributor);
    out.reviews.push(...mapped.reviews);
    out.comments.push(...mapped.comments);
    out.follow_ups.push(...mapped.followUps);
  }
  out.contributors = [...contributors.values()];
  return out;
}
function followUpPage2(task, outcome) {
  return {
    kind: task.kind,
    node_id: task.node_id,
    expected_cursor: task.cursor,
    next_cursor: outcome.nextCursor,
    contributors: outcome.contributors,
    reviews: outcome.reviews,
    comments: outcome.comments,
    follow_ups: outcome.followUps,
    labels: outcome.labels[0]?.names ?? null
  };
}
async function drainFollowUps(ctx, target, lease, walkDone, report2, onWait, onlyFull = false) {
  const size = new AdaptivePageSize(FOLLOW_UP_REQUESTS);
  let requests = 0;
  for (; ; ) {
    const tasks = await ctx.store.listFollowUps(target.repositoryId, FOLLOW_UP_REQUESTS);
    if (tasks.length === 0 && !(walkDone && lease)) return { completed: false, drained: true, requests };
    if (onlyFull && !walkDone && tasks.length < FOLLOW_UP_REQUESTS)
      return { completed: false, drained: false, requests };
    if (ctx.stopReason() !== null || ctx.signal.aborted)
      return { completed: false, drained: false, requests };
    let pages = [];
    let points = 0;
    if (tasks.length > 0) {
      const { page, request } = await fetchWithRetry(
        ctx,
        size,
        (count) => ({ owner: target.owner, name: target.name, tasks: tasks.slice(0, count) }),
        (request2) => ctx.github.fetchFollowUps(request2),
        onWait
      );
      pages = request.tasks.map((task, k) => followUpPage2(task, page.outcomes[k]));
      points = page.rateLimit.cost;
      requests++;
    }
    const result = await ctx.store.commitFollowUps({
      repositoryId: target.repositoryId,
      chunkId: lease?.chunkId ?? null,
      fencingToken: lease?.fencingToken ?? null,
      runId: ctx.runId,
      pages,
      pointsSpent: points,
      walkDone,
      leaseSeconds: ctx.leaseSeconds
    });
    report2.pointsSpent += points;
    if (pages.length > 0) report2.pages++;
    ctx.emit({
      type: "follow-ups.committed",
      repository: target.fullName,
      pages: result.applied,
      rows: result.written,
      remaining: result.remaining,
      points
    });
    if (result.completed) return { completed: true, drained: true, requests };
    if (result.remaining === 0 && !(walkDone && lease)) return { completed: false, drained: true, requests };
  }
}

// src/engine/heartbeat.ts
var BEAT_EVERY_MS = 1e4;
function beatWhileWaiting(beat) {
  let waited = 0;
  return async (waitedMs) => {
    waited += waitedMs;
    if (waited < BEAT_EVERY_MS) return;
    waited = 0;
    await beat();
  };
}

// src/engine/refresh.ts
var CLOCK_SKEW_MS = 5 * 6e4;
function refreshStep(window, floor, scope) {
  const nodes = window?.nodes ?? [];
  const recent = nodes.filter((pr) => Date.parse(pr.updated_at) >= Date.parse(floor));
  const reached = recent.length < nodes.length || !window?.hasMore;
  if (!reached && !window?.cursor)
    throw new Error("GitHub listed more pull requests but gave no cursor to them");
  return {
    keep: recent.filter((pr) => inScope(pr, scope)),
    removed: recent.filter((pr) => !inScope(pr, scope)),
    next: reached ? null : window?.cursor ?? null
  };
}
async function refreshRepository(ctx, target, report2) {
  const position = await ctx.store.refreshPosition(target.repositoryId);
  if (position.watermark === null) return;
  const floor = new Date(Date.parse(position.watermark) - CLOCK_SKEW_MS).toISOString();
  const size = new AdaptivePageSize(100);
  let expected = position.cursor;
  let targetWatermark = position.targetWatermark;
  const holder = `${ctx.workerId}#${ctx.runId ?? "dry"}`;
  const runId = ctx.runId;
  const heartbeat = beatWhileWaiting(async () => {
    if (runId !== null) await ctx.store.heartbeatRun(runId);
  });
  if (report2.outcome !== "completed") report2.outcome = "in_progress";
  const leftover = await drainFollowUps(ctx, target, null, false, report2, heartbeat);
  if (leftover.drained && leftover.requests > 0 && expected === null) {
    if (report2.outcome !== "completed") report2.outcome = "refreshed";
    return;
  }
  while (ctx.stopReason() === null) {
    const after = expected;
    const { page } = await fetchWithRetry(
      ctx,
      size,
      (first) => ({ owner: target.owner, name: target.name, profile: ctx.profile, first, after }),
      (request) => ctx.github.fetchUpdatedPullRequests(request),
      heartbeat
    );
    const window = page.windows[UPDATED_WINDOW];
    targetWatermark ??= window?.nodes[0]?.updated_at ?? position.watermark;
    const step = refreshStep(window, floor, target.scope);
    let result;
    try {
      result = await ctx.store.commitRefresh({
        repositoryId: target.repositoryId,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: step.next,
        targetWatermark,
        holder,
        prs: step.keep,
        removed: step.removed,
        pointsSpent: page.rateLimit.cost,
        children: pageChildren(page, step.keep)
      });
    } catch (error) {
      if (!(error instanceof StoreError && error.code === "cursor_conflict")) throw error;
      report2.pointsSpent += page.rateLimit.cost;
      if (report2.outcome === "in_progress") report2.outcome = "skipped";
      report2.detail = "another worker is refreshing it";
      return;
    }
    if (page.children) await drainFollowUps(ctx, target, null, false, report2, heartbeat);
    report2.prsWritten += result.inserted + result.updated;
    report2.pointsSpent += page.rateLimit.cost;
    report2.pages++;
    report2.storedAfter += result.inserted - result.removed;
    if (step.next === null) {
      if (report2.outcome !== "completed") report2.outcome = "refreshed";
      return;
    }
    expected = step.next;
  }
}

// src/engine/repository-worker.ts
init_scope();
init_queries();
init_types();
init_types2();

// src/engine/chunk-error-policy.ts
var RATE_LIMIT_WINDOW_MS = 36e5;
function onChunkError(failure, now) {
  switch (failure.source) {
    case "stop":
      return { action: { kind: "release" }, record: null, halt: null, end: "stopped" };
    case "budget":
      return { action: { kind: "release" }, record: null, halt: failure.message, end: "budget" };
    case "store": {
      const handedOn = failure.code === "stale_lease" || failure.code === "cursor_conflict";
      return handedOn ? {
        action: { kind: "nothing" },
        record: { about: "chunk", severity: "warning", kind: "store", message: failure.message },
        halt: null,
        end: "lost"
      } : {
        action: { kind: "release" },
        record: { about: "chunk", severity: "critical", kind: "store", message: failure.message },
        halt: null,
        end: "failed"
      };
    }
    case "github":
      return onGitHubError(failure, now);
    case "internal":
      return failChunk("internal", failure.message, true);
  }
}
function onGitHubError(failure, now) {
  const { kind, message } = failure;
  switch (kind) {
    case "primary_rate_limit": {
      const reason = "primary rate limit reached";
      const resumeAt = failure.resetAt ? Date.parse(failure.resetAt) : now + RATE_LIMIT_WINDOW_MS;
      return {
        action: { kind: "pause-repository", reason, resumeAt },
        record: { about: "chunk", severity: "warning", kind, message },
        halt: reason,
        end: "paused"
      };
    }
    case "auth":
      return {
        action: { kind: "release" },
        record: { about: "run", severity: "critical", kind, message },
        halt: message,
        end: "stopped"
      };
    case "not_found":
    case "permission":
      return {
        action: { kind: "fail-repository", reason: message },
        record: { about: "chunk", severity: "critical", kind, message },
        halt: null,
        end: "failed"
      };
    default:
      return failChunk(kind, message, kind !== "invalid");
  }
}
function failChunk(kind, message, retryable) {
  return { failChunk: { retryable, error: { kind, message } } };
}
function afterChunkFailed(answer, error, breaker, now) {
  const { kind, message } = error;
  if (answer.chunkStatus === "failed") {
    return {
      end: "failed",
      record: {
        about: "chunk",
        severity: "critical",
        kind,
        message: `gave up after repeated failures: ${message}`
      }
    };
  }
  if (answer.consecutiveErrors >= breaker.breakerThreshold) {
    const resumeAt = now + breaker.breakerCooldownMs;
    const errors = answer.consecutiveErrors;
    return {
      end: "paused",
      pause: { reason: `circuit breaker: ${errors} consecutive errors`, resumeAt },
      record: {
        about: "repository",
        severity: "warning",
        kind,
        message: `paused until ${new Date(resumeAt).toISOString()} after ${errors} consecutive errors: ${message}`
      }
    };
  }
  return {
    end: "retry",
    record: { about: "chunk", severity: "warning", kind, message: `chunk will be retried: ${message}` },
    ...answer.retryAt ? { retryAt: Date.parse(answer.retryAt) } : {}
  };
}

// src/engine/repository-worker.ts
var HEALTH_TIMEOUT_MS = 5e3;
var WARN_DELAY_MS = 2e3;
async function backfillRepository(ctx, target, report2) {
  const size = {
    windows: new AdaptivePageSize(ctx.plan.pageSize),
    // lookups grow from a moderate probe, doubling with each quick clean answer until the first failure
    numbers: new AdaptivePageSize(mostNumbers(ctx), MIN_NUMBERS_PER_REQUEST, 1, FIRST_NUMBERS_PER_REQUEST)
  };
  const pacer = new RoundPacer(ctx.pageTimer.ms);
  while (ctx.stopReason() === null) {
    const verdict = await runHealthChecks(ctx.healthChecks, HEALTH_TIMEOUT_MS);
    for (const r of verdict.results) {
      if (r.status !== "ok") ctx.emit({ type: "health", check: r.check, status: r.status, reason: r.reason });
    }
    if (verdict.status === "halt") {
      ctx.halt(verdict.results.find((r) => r.status === "halt").reason);
      break;
    }
    if (backsOff(verdict)) {
      size.windows.shrink();
      size.numbers.shrink();
      await ctx.clock.sleep(WARN_DELAY_MS, ctx.signal);
    }
    const lease = await ctx.store.claimChunk({
      repositoryId: target.repositoryId,
      workerId: ctx.workerId,
      leaseSeconds: ctx.leaseSeconds,
      runId: ctx.runId
    });
    if (!lease) {
      if (report2.outcome === "skipped")
        report2.detail = "no claimable chunk (leased elsewhere or waiting for a retry)";
      break;
    }
    report2.outcome = "in_progress";
    const { end, retryAt } = await runChunk(ctx, target, lease, size, pacer, report2);
    if (end === "retry" && retryAt !== void 0) {
      const wait = retryAt - ctx.clock.now();
      if (ctx.clock.now() + wait + ctx.pageTimer.ms > ctx.deadline) break;
      await ctx.clock.sleep(wait, ctx.signal);
      continue;
    }
    if (end === "done") {
      report2.outcome = "completed";
      break;
    }
    if (end !== "allowance") {
      if (end === "paused") report2.outcome = "paused";
      if (end === "failed") report2.outcome = "failed";
      break;
    }
  }
}
var PROBE_REFUSALS = /* @__PURE__ */ new Set(["invalid", "partial", "unknown"]);
var FIRST_NUMBERS_PER_REQUEST = 250;
function startCursor(ctx, target, lease, prices) {
  if (isNumberWalkCursor(lease.cursor)) return lease.cursor;
  if (lease.cursor !== null || !isWholeRepository(target.scope) || ctx.plan.pageSizeFixed)
    return parseWalkCursor(lease.cursor, target.scope);
  const best = { total: 1, newest: 1, states: { OPEN: 0, CLOSED: 0, MERGED: 0 } };
  const windowsBest = prices.windows * prices.windowSize / Math.max(1, prices.windowsPoints);
  return numbersPerPoint(best, prices) > windowsBest ? { ...FRESH_NUMBER_WALK } : parseWalkCursor(null, target.scope);
}
function mostNumbers(ctx) {
  return Math.min(
    MAX_NUMBERS_PER_REQUEST,
    ctx.store.pageLimits?.numbersPerRequest ?? MAX_NUMBERS_PER_REQUEST
  );
}
function shapePrices(ctx, target, lease) {
  const request = numberRequest(FRESH_NUMBER_WALK, target, lease.fieldProfile, mostNumbers(ctx));
  return {
    numbers: mostNumbers(ctx),
    numbersPoints: ctx.github.predictCost(request),
    windowSize: ctx.plan.pageSize,
    windows: ctx.plan.windowsPerRequest,
    windowsPoints: ctx.plan.pointsPerPage
  };
}
async function runChunk(ctx, target, lease, size, pacer, report2) {
  const token = lease.fencingToken;
  let expected = lease.cursor;
  const prices = shapePrices(ctx, target, lease);
  let cursor = startCursor(ctx, target, lease, prices);
  if (isNumberWalkCursor(cursor) && cursor.max === null && pacer.probeFor(ctx, report2, 1, 1) === 0)
    cursor = parseWalkCursor(null, target.scope);
  let pages = 0;
  const heartbeat = beatWhileWaiting(() => ctx.store.heartbeat(lease.chunkId, token, ctx.leaseSeconds));
  const fetchNumbers = async (from) => {
    const count = size.numbers.current;
    const left2 = from.max === null ? 1 : Math.ceil((from.max - from.next + 1) / count);
    const parallel = pacer.parallelFor(ctx, left2);
    const probe = (n) => Math.max(1, pacer.probeFor(ctx, report2, n, MIN_NUMBERS_PER_REQUEST));
    const build = (n) => numberRequest(from, target, lease.fieldProfile, from.max === null ? probe(n) : n * parallel);
    const started = ctx.clock.now();
    const page = await fetchRound(ctx, size.numbers, build, parallel, heartbeat);
    pacer.observedNumbers(ctx.clock.now() - started);
    return { page, cursor: from };
  };
  const fetchNext = async (from) => {
    if (isNumberWalkCursor(from)) {
      try {
        return await fetchNumbers(from);
      } catch (error) {
        if (!(error instanceof GitHubError) || !PROBE_REFUSALS.has(error.kind)) throw error;
        const probe = from.max === null;
        const capped = !probe && error.kind === "invalid" && size.numbers.current > FIRST_NUMBERS_PER_REQUEST;
        if (!probe && !capped) throw error;
        if (capped) size.numbers.capBelowCurrent();
        ctx.record({
          severity: "warning",
          repository: target.fullName,
          kind: error.kind,
          message: probe ? `lookups by number were refused, so the walk goes by windows: ${error.message}` : `GitHub refused a request of many lookups, so they go ${size.numbers.current} at a time: ${error.message}`,
          chunkId: lease.chunkId
        });
        return fetchNext(probe ? parseWalkCursor(null, target.scope) : from);
      }
    }
    const build = (windowSize) => walkRequest(from, target, lease.fieldProfile, windowSize, ctx.plan.windowsPerRequest, target.scope);
    const round = build(size.windows.current);
    const segments = pacer.segmentsFor(
      ctx,
      round,
      report2,
      round.windows.length * size.windows.current,
      (left2) => roundsLeft(from, size.windows.current, left2, target.scope)
    );
    const started = ctx.clock.now();
    const page = await fetchRound(ctx, size.windows, build, segments, heartbeat);
    pacer.observedWindows(ctx.clock.now() - started, segments);
    return { page, cursor: from };
  };
  const advance = (from, page) => {
    if (!isNumberWalkCursor(from)) return advanceWalk(from, page, target.scope);
    if (!page.numbers) throw new Error("a number walk request came back without its numbers");
    const probed = page.numbers.range.count;
    const step = advanceNumbers(
      from,
      page.numbers,
      page.totalCount,
      (figures) => numbersWin(
        figures,
        { ...prices, numbers: reachableNumbers(probed, pacer.requestMs, prices.numbers) },
        {
          timeLeftMs: ctx.deadline - ctx.clock.now(),
          msPerNumber: pacer.requestMs / Math.max(1, probed),
          spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve
        }
      )
    );
    return { ...step, next: step.next ?? parseWalkCursor(null, target.scope) };
  };
  const commitParts = async (from, step, page) => {
    const max = ctx.store.pageLimits?.prsPerCommit;
    const next = step.next;
    const parts = max && isNumberWalkCursor(from) && isNumberWalkCursor(next) ? splitNumberStep(from, { ...step, next }, max) : [step];
    let inserted = 0;
    let updated = 0;
    let result;
    for (const [index, part] of parts.entries()) {
      result = await ctx.store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: token,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: part.next,
        prs: part.prs,
        pointsSpent: index === 0 ? page.rateLimit.cost : 0,
        skippedNodes: index === 0 ? page.skippedNodes : 0,
        githubTotalCount: page.totalCount,
        done: part.done,
        leaseSeconds: ctx.leaseSeconds,
        children: pageChildren(page, part.prs)
      });
      expected = part.next;
      inserted += result.inserted;
      updated += result.updated;
    }
    return { ...result, inserted, updated };
  };
  const held = { chunkId: lease.chunkId, fencingToken: token };
  let inFlight = null;
  try {
    if (lease.fieldProfile === "full")
      await drainFollowUps(ctx, target, held, false, report2, heartbeat, true);
    inFlight = fetchNext(cursor);
    while (inFlight) {
      const started = ctx.clock.now();
      const fetched = await inFlight;
      inFlight = null;
      cursor = fetched.cursor;
      const { page } = fetched;
      const step = advance(cursor, page);
      const commit = commitParts(cursor, step, page);
      pages++;
      if (!step.done && pages < ctx.pagesPerChunk && ctx.stopReason() === null && !ctx.signal.aborted) {
        inFlight = fetchNext(step.next);
        inFlight.catch(() => {
        });
      }
      const result = await commit;
      cursor = step.next;
      report2.prsWritten += result.inserted + result.updated;
      report2.pointsSpent += page.rateLimit.cost;
      report2.pages++;
      report2.storedAfter = result.storedPrCount;
      report2.prTotalCount = page.totalCount;
      ctx.emit({
        type: "page.committed",
        repository: target.fullName,
        prs: step.prs.length,
        inserted: result.inserted,
        stored: result.storedPrCount,
        total: page.totalCount,
        points: page.rateLimit.cost,
        remaining: page.rateLimit.remaining,
        pageSize: isNumberWalkCursor(cursor) ? size.numbers.current : size.windows.current,
        durationMs: ctx.clock.now() - started
      });
      if (page.skippedNodes > 0) {
        ctx.record({
          severity: "warning",
          repository: target.fullName,
          kind: "partial",
          message: `${page.skippedNodes} pull request node(s) without ids were skipped`,
          chunkId: lease.chunkId
        });
      }
      const walkOpen = step.done && result.completed === false;
      const followed = page.children ? await drainFollowUps(ctx, target, held, walkOpen, report2, heartbeat, !step.done) : null;
      if (step.done) {
        if (!walkOpen || followed?.completed) return { end: "done" };
        break;
      }
    }
    if (ctx.signal.aborted || ctx.stopReason() !== null) {
      await ctx.store.releaseChunk(lease.chunkId, token);
      return { end: "stopped" };
    }
    await ctx.store.completeChunk(lease.chunkId, token);
    return { end: "allowance" };
  } catch (error) {
    if (inFlight) await inFlight.catch(() => {
    });
    return handleChunkError(ctx, target, lease, error);
  }
}
function describeFailure(error) {
  if (error instanceof StopRequested) return { source: "stop" };
  if (error instanceof BudgetExhausted) return { source: "budget", message: error.message };
  if (error instanceof StoreError) return { source: "store", code: error.code, message: error.message };
  if (error instanceof GitHubError) {
    return {
      source: "github",
      kind: error.kind,
      message: error.message,
      ...error.details.resetAt ? { resetAt: error.details.resetAt } : {}
    };
  }
  return { source: "internal", message: error instanceof Error ? error.message : String(error) };
}
async function handleChunkError(ctx, target, lease, error) {
  const decision = onChunkError(describeFailure(error), ctx.clock.now());
  const record = (entry) => {
    if (!entry) return;
    const { about, ...rest } = entry;
    ctx.record({
      ...rest,
      repository: about === "run" ? null : target.fullName,
      ...about === "chunk" ? { chunkId: lease.chunkId } : {}
    });
  };
  const pause = (reason, resumeAt) => ctx.store.pauseRepository(target.repositoryId, reason, new Date(resumeAt), lease);
  if ("failChunk" in decision) {
    const { error: failedWith, retryable } = decision.failChunk;
    const answer = await ctx.store.failChunk({
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      error: failedWith.message,
      retryable,
      maxFailures: DEFAULTS.chunkMaxFailures
    });
    const next = afterChunkFailed(answer, failedWith, ctx, ctx.clock.now());
    if (next.pause) await pause(next.pause.reason, next.pause.resumeAt);
    record(next.record);
    return { end: next.end, ...next.retryAt !== void 0 ? { retryAt: next.retryAt } : {} };
  }
  const { action } = decision;
  switch (action.kind) {
    case "release":
      await ctx.store.releaseChunk(lease.chunkId, lease.fencingToken).catch(() => {
      });
      break;
    case "pause-repository":
      await pause(action.reason, action.resumeAt);
      break;
    case "fail-repository":
      await ctx.store.failBackfill(target.repositoryId, action.reason, lease);
      break;
    case "nothing":
      break;
  }
  record(decision.record);
  if (decision.halt !== null) ctx.halt(decision.halt);
  return { end: decision.end };
}

// src/engine/run-outcome.ts
function runOutcome(facts) {
  const unfinished = facts.queueLeft > 0 || facts.repositoryOutcomes.some((o) => o === "in_progress" || o === "paused" || o === "locked");
  const stopReason = unfinished ? facts.stopReason : null;
  if (facts.runFailed || facts.criticalKinds.includes("auth")) return { outcome: "failed", stopReason };
  if (unfinished && facts.stopReason !== null) return { outcome: "interrupted", stopReason };
  if (unfinished || facts.criticalKinds.length > 0) return { outcome: "partial", stopReason };
  return { outcome: "completed", stopReason };
}

// src/engine/select.ts
init_scope();
var LOOKUP_BATCH = 50;
async function expandSpecs(github, specs) {
  const refs = [];
  const emptyOwners = [];
  const seen = /* @__PURE__ */ new Set();
  const add = (ref) => {
    const key = `${ref.owner}/${ref.name}`.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    refs.push(ref);
  };
  for (const spec of specs) {
    if (spec.name !== "*") {
      add({ owner: spec.owner, name: spec.name });
      continue;
    }
    const listed = await github.listOwnerRepositories(spec.owner);
    if (listed.length === 0) emptyOwners.push(`${spec.owner}/*`);
    for (const ref of listed) add(ref);
  }
  return { refs, emptyOwners };
}
async function lookUp(github, refs) {
  const found = [];
  const missing = [];
  for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
    const result = await github.lookupRepositories(refs.slice(i, i + LOOKUP_BATCH));
    found.push(...result.found);
    for (const ref of result.missing) missing.push(`${ref.owner}/${ref.name}`);
  }
  return { found, missing };
}
async function countScope(github, scoped) {
  const counted = [];
  for (const { info, scope } of scoped) {
    if (isWholeRepository(scope)) {
      counted.push(info);
      continue;
    }
    const request = walkRequest(parseWalkCursor(null, scope), info, "core", 1, 1, scope);
    const page = await github.fetchPullRequests(request);
    counted.push({ ...info, prTotalCount: page.totalCount });
  }
  return counted;
}
async function scopesFor(found, given2, storedOf, refused) {
  const scoped = [];
  for (const info of found) {
    const stored = await storedOf(info);
    const fullName = `${info.owner}/${info.name}`;
    const verdict = scopeFor(given2, {
      fullName: stored?.fullName ?? fullName,
      status: stored?.backfillStatus ?? "idle",
      scope: stored?.scope
    });
    if ("refused" in verdict)
      refused.push({ fullName: stored?.fullName ?? fullName, message: verdict.refused });
    else scoped.push({ info, scope: verdict.scope });
  }
  return scoped;
}
function track(store, info, priority) {
  return store.trackRepository({
    owner: info.owner,
    name: info.name,
    githubId: info.githubId,
    nodeId: info.nodeId,
    prTotalCount: info.prTotalCount,
    ...priority === void 0 ? {} : { priority }
  });
}
async function selectRepositories(store, github, options2) {
  const { refs, emptyOwners } = await expandSpecs(github, options2.repositories);
  const looked = await lookUp(github, refs);
  const refused = [];
  const storedRow = (info) => store.getRepository({ owner: info.owner, name: info.name });
  const found = await countScope(github, await scopesFor(looked.found, options2.scope, storedRow, refused));
  const missing = looked.missing;
  missing.push(...emptyOwners);
  if (refs.length === 0 && !options2.dryRun) {
    const progress = await store.progress();
    const byName = new Map(progress.map((row) => [row.fullName.toLowerCase(), row]));
    const tracked = progress.map((row) => {
      const [owner, name] = row.fullName.split("/");
      return { owner, name };
    });
    const current = await lookUp(github, tracked);
    const storedOf = async (info) => {
      const row = byName.get(`${info.owner}/${info.name}`.toLowerCase());
      return row ?? storedRow(info);
    };
    const scoped = await scopesFor(current.found, options2.scope, storedOf, refused);
    for (const info of await countScope(github, scoped)) await track(store, info);
    missing.push(...current.missing);
  }
  const named = [];
  for (const info of found) {
    if (!options2.dryRun) {
      named.push(await track(store, info));
      continue;
    }
    const row = await store.getRepository({ owner: info.owner, name: info.name });
    named.push(
      row ? { ...row, prTotalCount: info.prTotalCount } : {
        id: -1,
        githubId: info.githubId,
        nodeId: info.nodeId,
        owner: info.owner,
        name: info.name,
        fullName: `${info.owner}/${info.name}`,
        prTotalCount: info.prTotalCount,
        prTotalCountAt: null,
        storedPrCount: 0,
        tracked: false,
        priority: 0,
        backfillStatus: "idle",
        scope: options2.scope ?? {}
      }
    );
  }
  const namedIds = named.filter((r) => r.id > 0).map((r) => r.id);
  const force = options2.force === true && refs.length > 0;
  let candidates = await store.selectRepositories({
    threshold: force ? 1 : options2.completenessThreshold,
    minPrs: options2.minPrs,
    limit: 1e3,
    // Naming a repository asks for it now: a completed one is refreshed whatever its last refresh.
    ...force ? { repositoryIds: namedIds, refreshAfterSeconds: 0 } : {}
  });
  if (refs.length > 0) {
    const wanted = new Set(namedIds);
    candidates = candidates.filter((c) => wanted.has(c.repositoryId));
  } else {
    const refusedNames = new Set(refused.map((r) => r.fullName.toLowerCase()));
    candidates = candidates.filter((c) => !refusedNames.has(c.fullName.toLowerCase()));
  }
  const chosen = new Set(candidates.map((c) => c.repositoryId));
  const skipped = [];
  for (const row of named) {
    if (chosen.has(row.id)) continue;
    if (row.id < 0) {
      const total = row.prTotalCount ?? 0;
      if (force || total >= options2.minPrs) {
        candidates.push({
          repositoryId: -1,
          owner: row.owner,
          name: row.name,
          fullName: row.fullName,
          priority: 0,
          storedPrCount: 0,
          prTotalCount: total,
          completeness: total > 0 ? 0 : null,
          backfillStatus: "idle",
          needsStart: true,
          needsRefresh: false,
          watermark: null,
          scope: row.scope
        });
        continue;
      }
    }
    skipped.push({
      fullName: row.fullName,
      repositoryId: row.id > 0 ? row.id : null,
      reason: skipReason(row, options2),
      row
    });
  }
  return { candidates, skipped, missing, named, refused };
}
function skipReason(row, options2) {
  const total = row.prTotalCount ?? 0;
  if (row.backfillStatus === "failed" || row.backfillStatus === "stalled") {
    return `backfill is ${row.backfillStatus}; \`progressive-backfill retry ${row.fullName}\` puts it back to work`;
  }
  if (row.backfillStatus === "cancelled") return "backfill is cancelled; name it with --repo to restart it";
  if (row.backfillStatus === "paused") return "paused until its resume time";
  if (total < options2.minPrs) return `${total} PRs on GitHub, under min-prs ${options2.minPrs}`;
  const completeness = total > 0 ? row.storedPrCount / total : 1;
  if (completeness >= options2.completenessThreshold) {
    return `${Math.round(completeness * 100)}% stored, at or over the ${Math.round(options2.completenessThreshold * 100)}% threshold`;
  }
  return "being worked on by another worker";
}

// src/engine/run.ts
var INITIAL_PAGE_ESTIMATE_MS = 1500;
var PASSING_KINDS = /* @__PURE__ */ new Set(["primary_rate_limit", "secondary_rate_limit", "transient"]);
async function runBackfill(options2, deps) {
  validateOptions(options2);
  const clock = deps.clock ?? systemClock;
  const emit = deps.onEvent ?? (() => {
  });
  const { store, github } = deps;
  const started = clock.now();
  const deadline = started + options2.timeBudgetMs;
  const errors = new ErrorCollector();
  const record = (entry) => {
    const full = { ...entry, at: isoAt(clock) };
    errors.add(full);
    emit({ type: "error", entry: full });
  };
  const stop2 = new AbortController();
  const onAbort = () => stop2.abort();
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  if (deps.signal?.aborted) stop2.abort();
  let haltReason = null;
  const pageTimer = new PageTimer(INITIAL_PAGE_ESTIMATE_MS);
  const stopReason = () => {
    if (deps.signal?.aborted) return "stop signal received";
    if (haltReason) return haltReason;
    if (clock.now() + pageTimer.ms > deadline) return "time budget spent";
    return null;
  };
  await store.assertSchema();
  const runId = options2.dryRun ? null : await store.startRun({
    trigger: options2.trigger,
    triggerRef: options2.triggerRef,
    workerId: options2.workerId,
    dryRun: false
  });
  emit({ type: "run.started", runId, dryRun: options2.dryRun, at: isoAt(clock) });
  const reports = /* @__PURE__ */ new Map();
  let plan = null;
  let runFailed = false;
  let queueLeft = 0;
  let recovery;
  let candidateCount;
  try {
    if (!options2.dryRun) recovery = await recoverAndReport(store, DEFAULTS.runRecovery, emit, record);
    const rateLimit = await github.rateLimit();
    const selection = await selectRepositories(store, github, options2);
    for (const fullName of selection.missing) {
      record({
        severity: "critical",
        repository: fullName,
        kind: "not_found",
        message: `${fullName} does not exist or the token cannot see it`
      });
      reports.set(fullName, emptyReport(fullName, null, "failed", "not found on GitHub"));
    }
    for (const r of selection.refused) {
      record({ severity: "critical", repository: r.fullName, kind: "store", message: r.message });
      reports.set(
        r.fullName,
        emptyReport(r.fullName, null, "failed", "refused: the run gives another scope")
      );
    }
    for (const s of selection.skipped) {
      const report2 = emptyReport(s.fullName, s.repositoryId, "skipped", s.reason);
      if (s.row) fillCounts(report2, s.row.storedPrCount, s.row.prTotalCount);
      reports.set(s.fullName, report2);
    }
    const candidates = selection.candidates;
    for (const c of candidates) {
      const report2 = emptyReport(c.fullName, c.repositoryId > 0 ? c.repositoryId : null, "skipped");
      fillCounts(report2, c.storedPrCount, c.prTotalCount);
      reports.set(c.fullName, report2);
    }
    const locked = options2.dryRun ? [] : await lockedElsewhere(store, selection, options2);
    for (const lease of locked) {
      const report2 = reports.get(lease.fullName) ?? emptyReport(lease.fullName, lease.repositoryId, "locked");
      report2.outcome = "locked";
      report2.detail = lockedDetail(lease, "held by another worker");
      reports.set(lease.fullName, report2);
    }
    candidateCount = candidates.length + locked.length;
    const shapes = pageShapes(github, options2.fieldProfile);
    const planFor = (budget) => planRun({
      rateLimit: budget,
      shapes,
      candidates: candidates.length,
      timeBudgetMs: options2.timeBudgetMs,
      pageLatencyMs: INITIAL_PAGE_ESTIMATE_MS,
      now: clock.now(),
      ...pick(options2, ["reservePoints", "chunkSize", "maxChunks", "concurrency"])
    });
    plan = planFor(rateLimit);
    emit({ type: "run.planned", plan, candidates: candidates.length });
    if (options2.dryRun) {
      describeDryRun(candidates, reports, plan);
    } else {
      const ledger = new BudgetLedger(rateLimit, plan.reserve, plan.pagesPlanned);
      const healthChecks = (budget) => [
        rateLimitFloorCheck({
          canAfford: () => !budget.exhausted(plan.pointsPerPage),
          resetsAt: () => budget.resetsAt(),
          deadline,
          clock
        }),
        timeBudgetCheck({ deadline, clock, pageEstimateMs: () => pageTimer.ms }),
        ...store.databaseLoad ? [databaseLoadCheck(() => store.databaseLoad())] : [],
        ...options2.healthChecks ?? []
      ];
      const ctx = {
        store,
        github,
        clock,
        emit,
        signal: stop2.signal,
        plan,
        ledger,
        errors,
        runId,
        workerId: options2.workerId,
        profile: options2.fieldProfile,
        leaseSeconds: options2.leaseSeconds ?? DEFAULTS.leaseSeconds,
        pagesPerChunk: options2.pagesPerChunk ?? DEFAULTS.pagesPerChunk,
        breakerThreshold: options2.breakerThreshold ?? DEFAULTS.breakerThreshold,
        breakerCooldownMs: options2.breakerCooldownMs ?? DEFAULTS.breakerCooldownMs,
        deadline,
        pageTimer,
        healthChecks: healthChecks(ledger),
        stopReason,
        halt: (reason) => {
          haltReason ??= reason;
        },
        record
      };
      const contextFor = budgetContexts(ctx, planFor, healthChecks);
      const queue = [
        ...candidates.map((candidate) => ({ candidate })),
        ...locked.map((lease) => ({ lease }))
      ];
      const recovered = (more) => {
        if (!recovery) return;
        recovery.requeued += more.requeued;
        recovery.stalled += more.stalled;
        recovery.runsInterrupted += more.runsInterrupted;
      };
      const worker = async () => {
        for (let item = queue.shift(); item && stopReason() === null; item = queue.shift()) {
          if ("candidate" in item) {
            const c = item.candidate;
            await processCandidate(ctx, contextFor, c, reports.get(c.fullName), options2);
          } else {
            const report2 = reports.get(item.lease.fullName);
            await waitOutLease(ctx, contextFor, item.lease, report2, options2, recovered);
          }
        }
      };
      await Promise.all(Array.from({ length: plan.concurrency }, worker));
      queueLeft = queue.length;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof GitHubError && PASSING_KINDS.has(error.kind)) {
      haltReason ??= error.kind === "primary_rate_limit" ? "primary rate limit reached" : `GitHub unavailable: ${message}`;
      queueLeft = Math.max(queueLeft, 1);
      record({ severity: "warning", repository: null, kind: error.kind, message });
    } else {
      runFailed = true;
      record({
        severity: "critical",
        repository: null,
        kind: error instanceof GitHubError ? error.kind : "internal",
        message
      });
    }
  } finally {
    deps.signal?.removeEventListener("abort", onAbort);
  }
  const repositories = [...reports.values()];
  const { outcome, stopReason: reportedStop } = runOutcome({
    runFailed,
    criticalKinds: errors.summary().critical.map((e) => e.kind),
    queueLeft,
    repositoryOutcomes: repositories.map((r) => r.outcome),
    stopReason: stopReason()
  });
  const summary2 = {
    runId,
    outcome,
    dryRun: options2.dryRun,
    plan,
    prsWritten: repositories.reduce((n, r) => n + r.prsWritten, 0),
    pointsSpent: repositories.reduce((n, r) => n + r.pointsSpent, 0),
    repositories,
    errors: errors.summary(),
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
    stopReason: reportedStop,
    ...recovery ? { recovery } : {},
    ...candidateCount === void 0 ? {} : { candidates: candidateCount }
  };
  if (runId !== null) {
    await store.finishRun({ runId, outcome, errorSummary: summary2.errors });
  }
  emit({ type: "run.finished", summary: summary2 });
  return summary2;
}
async function lockedElsewhere(store, selection, options2) {
  const selected = new Set(selection.candidates.map((c) => c.repositoryId));
  const refused = new Set(selection.refused.map((r) => r.fullName.toLowerCase()));
  const named = selection.named.filter((r) => r.id > 0).map((r) => r.id);
  if (options2.repositories.length > 0 && named.length === 0) return [];
  const leases = await store.leases(options2.repositories.length > 0 ? named : void 0);
  return leases.filter(
    (lease) => !selected.has(lease.repositoryId) && !refused.has(lease.fullName.toLowerCase())
  );
}
async function waitOutLease(ctx, contextFor, lease, report2, options2, recovered) {
  const [current] = await ctx.store.leases([lease.repositoryId]);
  if (current) {
    const verdict = lockVerdict(current, {
      graceSeconds: DEFAULTS.runRecovery.graceSeconds,
      msLeft: ctx.deadline - ctx.clock.now(),
      pageEstimateMs: ctx.pageTimer.ms
    });
    if (!verdict.wait) {
      report2.detail = verdict.detail;
      return;
    }
    if (verdict.waitMs > 0) {
      report2.detail = lockedDetail(
        current,
        "whether its worker is alive cannot be seen; waited for it to expire"
      );
      ctx.emit({
        type: "repository.waiting",
        repository: report2.fullName,
        waitMs: verdict.waitMs,
        detail: lockedDetail(current, "whether its worker is alive cannot be seen: waiting for it to expire")
      });
      await ctx.clock.sleep(verdict.waitMs, ctx.signal);
      if (ctx.stopReason() !== null) return;
      recovered(await ctx.store.recoverStuckChunks(DEFAULTS.runRecovery));
    }
  }
  const row = await ctx.store.getRepository({ id: lease.repositoryId });
  if (row?.backfillStatus !== "active") {
    report2.outcome = "skipped";
    report2.detail = `backfill is ${row?.backfillStatus ?? "gone"} after its lease ended`;
    return;
  }
  fillCounts(report2, row.storedPrCount, row.prTotalCount);
  await processCandidate(ctx, contextFor, inProgressCandidate(row), report2, options2);
}
function inProgressCandidate(row) {
  const total = row.prTotalCount;
  return {
    repositoryId: row.id,
    owner: row.owner,
    name: row.name,
    fullName: row.fullName,
    priority: row.priority,
    storedPrCount: row.storedPrCount,
    prTotalCount: total,
    completeness: total ? row.storedPrCount / total : null,
    backfillStatus: row.backfillStatus,
    needsStart: false,
    needsRefresh: false,
    watermark: null,
    scope: row.scope
  };
}
function budgetContexts(ctx, planFor, healthChecks) {
  const routed = ctx.github.budgetFor?.bind(ctx.github);
  if (!routed) return async () => ctx;
  const ledgers = /* @__PURE__ */ new Map();
  return async (owner) => {
    const { key, github } = await routed(owner);
    let ledger = ledgers.get(key);
    if (!ledger) {
      ledger = github.rateLimit().then((budget) => {
        const plan = planFor(budget);
        return new BudgetLedger(budget, plan.reserve, plan.pagesPlanned);
      });
      ledgers.set(key, ledger);
      ledger.catch(() => ledgers.delete(key));
    }
    const own = await ledger;
    return { ...ctx, github, ledger: own, healthChecks: healthChecks(own) };
  };
}
async function processCandidate(runCtx, contextFor, c, report2, options2) {
  let ctx = runCtx;
  const target = {
    repositoryId: c.repositoryId,
    owner: c.owner,
    name: c.name,
    fullName: c.fullName,
    scope: c.scope
  };
  const began = ctx.clock.now();
  ctx.emit({
    type: "repository.started",
    repository: c.fullName,
    completeness: c.completeness,
    stored: c.storedPrCount,
    total: c.prTotalCount
  });
  try {
    ctx = await contextFor(c.owner);
    if (c.needsStart || !c.needsRefresh) {
      target.scope = await ctx.store.startBackfill(c.repositoryId, options2.fieldProfile, options2.scope);
      await backfillRepository(ctx, target, report2);
    }
    const backfilled = report2.outcome === "completed" || c.needsRefresh && !c.needsStart;
    if (backfilled && ctx.stopReason() === null) await refreshRepository(ctx, target, report2);
  } catch (error) {
    const refused = error instanceof StoreError && error.code === "invalid_transition";
    const kind = error instanceof GitHubError ? error.kind : refused ? "store" : "internal";
    const message = error instanceof Error ? error.message : String(error);
    const budget = error instanceof Error && error.name === "BudgetExhausted";
    if (budget) ctx.halt(message);
    else
      ctx.record({
        severity: error instanceof GitHubError && error.fatal || refused ? "critical" : "warning",
        repository: c.fullName,
        kind,
        message
      });
  }
  const total = report2.prTotalCount;
  report2.completenessAfter = total ? Math.min(1, report2.storedAfter / total) : report2.completenessBefore;
  ctx.emit({ type: "repository.finished", report: report2, durationMs: ctx.clock.now() - began });
}
function describeDryRun(candidates, reports, plan) {
  let pagesLeft = plan.pagesPlanned;
  for (const c of candidates) {
    const report2 = reports.get(c.fullName);
    const remaining = Math.max(0, (c.prTotalCount ?? 0) - c.storedPrCount);
    const pages = Math.ceil(remaining / (plan.pageSize * plan.windowsPerRequest));
    const thisRun = Math.min(pages, pagesLeft);
    pagesLeft -= thisRun;
    report2.outcome = "dry_run";
    report2.detail = c.needsRefresh && !c.needsStart ? "would refresh pull requests updated since the watermark" : `would fetch ${thisRun} of ~${pages} pages (${thisRun * plan.pointsPerPage} points) this run`;
  }
}
function emptyReport(fullName, repositoryId, outcome, detail) {
  return {
    repositoryId,
    fullName,
    completenessBefore: null,
    completenessAfter: null,
    storedBefore: 0,
    storedAfter: 0,
    prTotalCount: null,
    prsWritten: 0,
    pointsSpent: 0,
    pages: 0,
    outcome,
    ...detail ? { detail } : {}
  };
}
function fillCounts(report2, stored, total) {
  report2.storedBefore = stored;
  report2.storedAfter = stored;
  report2.prTotalCount = total;
  report2.completenessBefore = total ? Math.min(1, stored / total) : null;
  report2.completenessAfter = report2.completenessBefore;
}
function pick(o, keys) {
  const out = {};
  for (const k of keys) if (o[k] !== void 0) out[k] = o[k];
  return out;
}

// src/cli/commands/run.ts
function addBackfillOptions(command) {
  return command.addOption(
    new Option2(
      "--chunk-size <n>",
      "pull requests per page request, 1-100 (GitHub's limit); default: planned from the budget"
    ).argParser(wholeSetting("chunkSize")).helpGroup("Backfill:")
  ).addOption(
    new Option2("--max-chunks <n>", "page requests this run at most; default: as many as the budget allows").argParser(wholeSetting("maxChunks")).helpGroup("Backfill:")
  ).addOption(
    new Option2(
      "--field-profile <profile>",
      "columns to fetch: core (cheapest), standard (+labels, review counts), full (+reviews, comments)"
    ).choices(FIELD_PROFILES).default(DEFAULTS.fieldProfile).helpGroup("Backfill:")
  ).addOption(
    new Option2("--time-budget <duration>", "stop starting new pages after this long, e.g. 90s, 10m, 1h30m").argParser(duration).default(duration(DEFAULTS.timeBudget.cli), DEFAULTS.timeBudget.cli).helpGroup("Backfill:")
  ).addOption(
    new Option2("--concurrency <n>", "repositories worked on at once, 1-32; default: planned").argParser(wholeSetting("concurrency")).helpGroup("Backfill:")
  ).addOption(
    new Option2(
      "--reserve-points <n>",
      "GraphQL points left untouched for other tools; default: 10% of the limit, at least 100"
    ).argParser(wholeSetting("reservePoints")).helpGroup("Backfill:")
  );
}
function runCommand(ctx, done) {
  const command = new Command("run").description(
    "Backfill pull requests. With --repo: track those repositories if needed and backfill them whatever --min-prs and --completeness-threshold say. Without: work through the tracked repositories that need it."
  ).addOption(
    new Option2(
      "--repo <owner/name>",
      "repository to backfill, or owner/* for all of an owner; repeatable, comma lists allowed"
    ).argParser(collectRepositories).helpGroup("Selection:")
  ).addOption(
    new Option2(
      "--repository-id <id>",
      "tracked repository by its database id (see `status --json`); repeatable"
    ).argParser(collectIntegers(integerIn(1))).helpGroup("Selection:")
  ).addOption(
    new Option2(
      "--completeness-threshold <ratio>",
      "without --repo: repositories stored below this share of their PRs are selected"
    ).argParser(ratio).default(DEFAULTS.completenessThreshold).helpGroup("Selection:")
  ).addOption(
    new Option2("--min-prs <n>", "without --repo: skip repositories with fewer pull requests than this").argParser(wholeSetting("minPrs")).default(DEFAULTS.minPrs).helpGroup("Selection:")
  ).addOption(
    new Option2("--since <date>", "only pull requests created on or after this date (2024-01-31) or time").argParser(since).helpGroup("Scope:")
  ).addOption(
    new Option2(
      "--states <list>",
      "only pull requests in these states: a comma list of open, closed, merged"
    ).argParser(states).helpGroup("Scope:")
  ).addOption(
    new Option2("--base <branch>", "only pull requests into this base branch").argParser(base).helpGroup("Scope:")
  ).addOption(new Option2("--dry-run", "plan and report, write nothing").helpGroup("Backfill:")).addOption(
    new Option2(
      "--worker-id <id>",
      "name recorded on leases and the run (default: cli:<host>:<pid>)"
    ).helpGroup("Backfill:")
  );
  addBackfillOptions(command);
  addDatabaseOptions(command);
  addGitHubOptions(command);
  addJsonOption(command, "the run summary");
  return command.action(async (flags) => done(await run(flags, ctx)));
}
function backfillOptions(flags, repositories, force) {
  const options2 = {
    repositories,
    completenessThreshold: flags.completenessThreshold,
    minPrs: flags.minPrs,
    fieldProfile: flags.fieldProfile,
    timeBudgetMs: flags.timeBudget,
    dryRun: flags.dryRun === true,
    workerId: flags.workerId ?? `cli:${hostname()}:${process.pid}`,
    trigger: "cli",
    triggerRef: null,
    force,
    ...flags.chunkSize !== void 0 ? { chunkSize: flags.chunkSize } : {},
    ...flags.maxChunks !== void 0 ? { maxChunks: flags.maxChunks } : {},
    ...flags.reservePoints !== void 0 ? { reservePoints: flags.reservePoints } : {},
    ...flags.concurrency !== void 0 ? { concurrency: flags.concurrency } : {}
  };
  const scope = givenScope({
    ...flags.since !== void 0 ? { since: flags.since } : {},
    ...flags.states !== void 0 ? { states: flags.states } : {},
    ...flags.base !== void 0 ? { base: flags.base } : {}
  });
  if (scope) options2.scope = scope;
  validateOptions(options2);
  return options2;
}
async function run(flags, ctx) {
  const named = (flags.repo?.length ?? 0) + (flags.repositoryId?.length ?? 0) > 0;
  const options2 = backfillOptions(flags, flags.repo ?? [], named);
  const backend = storeBackend(flags, ctx);
  const github = githubClient(flags, ctx);
  const store = await openBackend(backend, { secrets: ctx.secrets });
  try {
    for (const id of flags.repositoryId ?? []) {
      const row = await store.getRepository({ id });
      if (!row) throw new ConfigError("repository-id", `no tracked repository has id ${id} (see \`status\`)`);
      options2.repositories.push({ owner: row.owner, name: row.name });
    }
    const mode = renderMode(flags.json, ctx);
    const summary2 = await executeRun(options2, { store, github }, mode, ctx);
    printSummary(summary2, mode, ctx);
    return exitCodeFor(summary2);
  } finally {
    await store.close();
  }
}
async function executeRun(options2, deps, mode, ctx) {
  const renderer = createRenderer(mode, ctx);
  let summary2;
  try {
    summary2 = await runBackfill(options2, {
      ...deps,
      onEvent: (event) => renderer.onEvent(event),
      ...ctx.signal ? { signal: ctx.signal } : {}
    });
  } finally {
    renderer.stop();
  }
  return summary2;
}

// src/cli/commands/demo.ts
var DEMO_OWNER = "demo-org";
var DEMO_TOKEN = "demo-token-not-a-secret";
var DEMO_SEED = 20261122;
var DEMO_POINTS_PER_HOUR = 15e3;
var VERIFY_PAGE = 500;
function demoRepositories(prs) {
  return [
    { owner: DEMO_OWNER, name: "empty", pullRequests: 0 },
    { owner: DEMO_OWNER, name: "widgets", pullRequests: Math.min(1234, prs) },
    { owner: DEMO_OWNER, name: "platform", pullRequests: prs }
  ];
}
function demoCommand(ctx, done) {
  const command = new Command2("demo").description(
    `Offline demo: backfill a simulated GitHub organisation (${DEMO_OWNER}) into an embedded database and verify every stored pull request against the simulator's ground truth. No token, network or database needed.`
  ).addOption(
    new Option3("--prs <n>", "pull requests in the largest demo repository, 0-200000").argParser(integerIn(0, 2e5)).default(5e3)
  ).addOption(
    new Option3(
      "--latency <ms>",
      "simulated GitHub response time per request, 0-60000 ms (to watch the progress bar)"
    ).argParser(integerIn(0, 6e4)).default(0)
  ).addOption(
    new Option3(
      "--data-dir <dir>",
      "keep the embedded database in this folder (default: a temporary folder, removed afterwards)"
    ).argParser(nonEmpty).helpGroup("Database:")
  );
  addBackfillOptions(command);
  addJsonOption(command, "the run summary and the verification");
  return command.action(async (flags) => done(await demo(flags, ctx)));
}
async function demo(flags, ctx) {
  const options2 = backfillOptions(
    { ...flags, completenessThreshold: 1, minPrs: 0, workerId: flags.workerId ?? "cli:demo" },
    [{ owner: DEMO_OWNER, name: "*" }],
    true
  );
  const mode = renderMode(flags.json, ctx);
  const [{ startSimulator: startSimulator2 }, { createGitHubClient: createGitHubClient2 }, { openMigratedPglite: openMigratedPglite2, pgliteStore: pgliteStore2 }] = await Promise.all(
    [Promise.resolve().then(() => (init_server(), server_exports)), Promise.resolve().then(() => (init_client(), client_exports)), Promise.resolve().then(() => (init_pglite(), pglite_exports))]
  );
  const repositories = demoRepositories(flags.prs);
  const sim = await startSimulator2({
    dataset: {
      seed: DEMO_SEED,
      repositories: repositories.map((r) => ({ ...r, ownerType: "Organization" }))
    },
    tokens: { [DEMO_TOKEN]: { limit: DEMO_POINTS_PER_HOUR, login: "demo-user" } },
    latencyMs: flags.latency,
    requestLog: false
  });
  const temporary = flags.dataDir === void 0 ? await mkdtemp(join4(tmpdir(), "progressive-backfill-demo-")) : null;
  const dataDir = flags.dataDir ?? join4(temporary, "db");
  try {
    if (mode !== "json") {
      ctx.err(
        `demo: simulated GitHub at ${sim.url} with ${repositories.map((r) => `${r.owner}/${r.name} (${formatCount(r.pullRequests)} PRs)`).join(", ")}`
      );
      ctx.err(`demo: embedded database in ${flags.dataDir ?? "a temporary folder"}`);
    }
    const db = await openMigratedPglite2(dataDir);
    const store = pgliteStore2(db);
    try {
      const github = createGitHubClient2({ token: DEMO_TOKEN, apiUrl: sim.url });
      const summary2 = await executeRun(options2, { store, github }, mode, ctx);
      const verification = await verify2(
        db,
        repositories,
        options2.fieldProfile,
        (owner, name) => sim.groundTruthPages(owner, name, options2.fieldProfile, VERIFY_PAGE)
      );
      const code2 = exitCode(summary2, verification);
      if (mode === "json") {
        ctx.out(JSON.stringify({ summary: summary2, verification }, null, 2));
        return code2;
      }
      printSummary(summary2, mode, ctx);
      const identical = verification.every((v) => v.expected === v.identical && v.stored === v.expected);
      const total = verification.reduce((n, v) => n + v.identical, 0);
      if (identical && summary2.outcome === "completed") {
        ctx.out(`verified: ${formatCount(total)} pull requests identical to GitHub's ground truth`);
      } else {
        for (const v of verification) {
          if (v.expected === v.identical && v.stored === v.expected) continue;
          ctx.err(
            `NOT verified: ${v.repository}: ${formatCount(v.identical)} of ${formatCount(v.expected)} identical, ${formatCount(v.stored)} stored`
          );
          for (const difference of v.differences) ctx.err(`  ${difference}`);
        }
      }
      return code2;
    } finally {
      await store.close();
    }
  } finally {
    await sim.stop();
    if (temporary) await rm2(temporary, { recursive: true, force: true });
  }
}
async function verify2(db, repositories, profile, truth) {
  const out = [];
  for (const { owner, name } of repositories) {
    const comparison = await compareInPages(
      truth(owner, name),
      (range) => readStoredPullRequests(db, owner, name, range),
      profile
    );
    out.push({ repository: `${owner}/${name}`, ...comparison });
  }
  return out;
}
function exitCode(summary2, verification) {
  if (summary2.outcome === "interrupted" && summary2.stopReason === SIGNAL_STOP_REASON)
    return ExitCode.Interrupted;
  const identical = verification.every((v) => v.expected === v.identical && v.stored === v.expected);
  return summary2.outcome === "completed" && identical ? ExitCode.Ok : ExitCode.Unexpected;
}

// src/cli/commands/migrate.ts
import { Command as Command3 } from "commander";
function migrateCommand(ctx, done) {
  const command = new Command3("migrate").description(
    "Apply the schema (supabase/migrations) to a Postgres database; safe to run again. Without --database-url it creates or upgrades the embedded database in --data-dir."
  );
  addDatabaseOptions(command);
  addJsonOption(command, "the result");
  return command.action(async (flags) => {
    const backend = storeBackend(flags, ctx);
    let target;
    if (backend.kind === "supabase") {
      throw new ConfigError(
        "supabase-url",
        "migrate needs a Postgres connection: pass the project connection string (Project Settings → Database) with --database-url, or run `supabase db push` in a checkout of this repository"
      );
    }
    if (backend.kind === "postgres") {
      const { migrateDatabase: migrateDatabase2 } = await Promise.resolve().then(() => (init_postgres(), postgres_exports));
      const result = await migrateDatabase2(backend.databaseUrl);
      target = describeUrl(backend.databaseUrl);
      report(ctx, flags.json === true, target, result);
    } else {
      const store = await openBackend(backend);
      await store.close();
      target = backend.dataDir ?? "in-memory database";
      report(ctx, flags.json === true, target, void 0);
    }
    done(ExitCode.Ok);
  });
}
function describeUrl(url) {
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
}
function report(ctx, json, target, result) {
  const applied = result?.applied;
  const list = Array.isArray(applied) ? applied.map(String) : null;
  if (json) {
    ctx.out(JSON.stringify({ database: target, ...list ? { applied: list } : {}, upToDate: true }));
    return;
  }
  if (list && list.length > 0) for (const id of list) ctx.out(`applied ${id}`);
  ctx.out(
    list && list.length === 0 ? `${target}: schema already up to date` : `${target}: schema is up to date`
  );
}

// src/cli/commands/operate.ts
import { Command as Command4, InvalidArgumentError as InvalidArgumentError2, Option as Option4 } from "commander";

// src/shared-entry/operator-commands.ts
init_types2();
var OPERATOR_COMMANDS = ["pause", "resume", "cancel", "retry", "untrack"];
function parsePauseUntil(text, setting, now = Date.now()) {
  const trimmed = text.trim();
  let at = new Date(Number.NaN);
  if (/^\d{4}-\d\d-\d\d/.test(trimmed)) at = new Date(trimmed);
  else {
    try {
      at = new Date(now + parseDuration(trimmed, setting));
    } catch {
    }
  }
  if (Number.isNaN(at.getTime())) {
    throw new ConfigError(
      setting,
      "expected an ISO 8601 time (2026-12-24T08:00:00Z) or a duration (90m, 2h)"
    );
  }
  if (at.getTime() <= now) throw new ConfigError(setting, `${at.toISOString()} is not in the future`);
  return at;
}
var ACTIONS = {
  pause: (store, row, args) => {
    if (!args.reason?.trim()) throw new ConfigError("reason", "a pause needs a reason");
    return store.pauseRepository(row.id, args.reason, args.until ?? null);
  },
  resume: (store, row) => store.resumeRepository(row.id),
  cancel: (store, row, args) => store.cancelBackfill(row.id, args.reason?.trim() || "cancelled by an operator"),
  retry: (store, row) => store.retryBackfill(row.id),
  untrack: (store, row) => store.untrackRepository(row.id)
};
async function operate(store, command, ref, args = {}) {
  const row = await store.getRepository(ref);
  if (!row) {
    const named = "id" in ref ? `no tracked repository has id ${ref.id}` : `${ref.owner}/${ref.name} is not tracked`;
    const track2 = "id" in ref ? "track it" : `\`progressive-backfill track --repo ${ref.owner}/${ref.name}\``;
    throw new StoreError("invalid_input", `${named}: ${track2} first`);
  }
  await asOperatorInput(ACTIONS[command](store, row, args), `${row.fullName}: `);
  return await store.getRepository({ id: row.id }) ?? row;
}
function retryChunk(store, chunkId) {
  return asOperatorInput(store.retryChunk(chunkId), "", ["invalid_transition", "invalid_input"]);
}
async function asOperatorInput(done, prefix, codes = ["invalid_transition"]) {
  try {
    return await done;
  } catch (error) {
    if (error instanceof StoreError && codes.includes(error.code)) {
      const reason = error.message.replace(/^backfill_\w+: /, "");
      throw new StoreError("invalid_input", `${prefix}${reason}`, { cause: error });
    }
    throw error;
  }
}
function operatedLine(row) {
  return `${row.fullName}: ${row.backfillStatus}${row.tracked ? "" : ", untracked"}`;
}

// src/cli/commands/operate.ts
function pauseUntil(text) {
  try {
    return parsePauseUntil(text, "until");
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError2(`${error.reason}.`);
    throw error;
  }
}
var DESCRIPTIONS = {
  pause: "Pause a backfill: no run works on it until --until passes, or until `resume`.",
  resume: "Resume a paused backfill now.",
  cancel: "Cancel a backfill: its open chunk ends and no run works on it until `retry`.",
  retry: "Put a failed, stalled or cancelled backfill back to work from its cursor, its requeue count reset; or, with --chunk, the failed or stalled chunk that stopped it.",
  untrack: "Take a repository out of the tracked set (its data stays; `track` brings it back where it was)."
};
var REASON = "why, shown by `status`";
var OPTIONS = {
  pause: () => [
    new Option4("--reason <text>", REASON).argParser(nonEmpty).makeOptionMandatory(),
    new Option4(
      "--until <time>",
      "an ISO 8601 time or a duration from now (90m, 2h); default: until resumed"
    ).argParser(pauseUntil)
  ],
  cancel: () => [new Option4("--reason <text>", REASON).argParser(nonEmpty)],
  retry: () => [
    new Option4("--chunk <id>", "retry this failed or stalled chunk (its id in `status`) instead").argParser(
      integerIn(1)
    )
  ]
};
function operatorCommand(name, ctx, done) {
  const command = new Command4(name).description(DESCRIPTIONS[name]).argument(name === "retry" ? "[owner/name]" : "<owner/name>", "a tracked repository", oneRepository);
  for (const option of OPTIONS[name]?.() ?? []) command.addOption(option);
  addDatabaseOptions(command);
  addJsonOption(command, "the repository afterwards");
  return command.action(async (ref, flags) => {
    if (ref === void 0 === (flags.chunk === void 0)) {
      command.error("error: name a repository (owner/name) or a chunk (--chunk <id>), one of the two", {
        exitCode: ExitCode.BadInput
      });
    }
    const after = await withStore(
      storeBackend(flags, ctx),
      (store) => ref === void 0 ? retryChunk(store, flags.chunk) : operate(store, name, ref, { reason: flags.reason, until: flags.until ?? null })
    );
    ctx.out(flags.json ? JSON.stringify(after, null, 2) : operatedLine(after));
    done(ExitCode.Ok);
  });
}
function operatorCommands(ctx, done) {
  return OPERATOR_COMMANDS.map((name) => operatorCommand(name, ctx, done));
}

// src/cli/commands/recover.ts
import { Command as Command5, Option as Option5 } from "commander";
function recoverCommand(ctx, done) {
  const command = new Command5("recover").description(
    "Recover stuck work: chunks whose lease expired go back to pending (or become stalled after --requeue-limit recoveries, visible in `status`), and runs whose worker stopped heart-beating are marked interrupted."
  ).addOption(
    new Option5("--requeue-limit <n>", "recoveries of one chunk before it is marked stalled").argParser(integerIn(0, 1e3)).default(DEFAULTS.recoverCommand.requeueLimit)
  ).addOption(
    new Option5("--grace-seconds <n>", "seconds past lease expiry before a chunk counts as stuck").argParser(integerIn(0, 86400)).default(DEFAULTS.recoverCommand.graceSeconds)
  );
  addDatabaseOptions(command);
  addJsonOption(command, "the counts");
  return command.action(async (flags) => {
    const result = await withStore(
      storeBackend(flags, ctx),
      (store) => store.recoverStuckChunks({ requeueLimit: flags.requeueLimit, graceSeconds: flags.graceSeconds })
    );
    ctx.out(
      flags.json ? JSON.stringify(result) : `requeued ${result.requeued} chunk(s), marked ${result.stalled} stalled, marked ${result.runsInterrupted} run(s) interrupted`
    );
    done(ExitCode.Ok);
  });
}

// src/cli/commands/status.ts
import { Command as Command6, Option as Option6 } from "commander";
function statusCommand(ctx, done) {
  const command = new Command6("status").description(
    "Print backfill progress: stored and GitHub totals, progress, rate and ETA per tracked repository, and why each is where it is (paused, failed, stalled, locked by another worker, below or above the threshold)."
  );
  command.addOption(
    new Option6(
      "--repo <owner/name>",
      "only these repositories (repeatable); one that is not tracked is said so, with what is stored of it"
    ).argParser((text, previous = []) => [...previous, oneRepository(text)])
  );
  addDatabaseOptions(command);
  addJsonOption(command, "the progress rows");
  return command.action(async (flags) => {
    const { rows, leases, untracked } = await withStore(storeBackend(flags, ctx), async (store) => {
      const all = await store.progress();
      const named = flags.repo ?? [];
      const key = (fullName) => fullName.toLowerCase();
      const wanted = new Set(named.map((ref) => key(`${ref.owner}/${ref.name}`)));
      const rows2 = named.length === 0 ? all : all.filter((row) => wanted.has(key(row.fullName)));
      const shown = new Set(rows2.map((row) => key(row.fullName)));
      const untracked2 = [];
      for (const ref of named) {
        const fullName = `${ref.owner}/${ref.name}`;
        if (!shown.has(key(fullName))) untracked2.push({ fullName, known: await store.getRepository(ref) });
      }
      return { rows: rows2, leases: await store.leases(), untracked: untracked2 };
    });
    const context = { leases, threshold: DEFAULTS.completenessThreshold };
    if (flags.json) {
      const tracked = rows.map((row) => ({ ...row, note: statusNote(row, context) }));
      const others = untracked.map(({ fullName, known }) => ({
        fullName,
        tracked: false,
        ...known ? {
          repositoryId: known.id,
          backfillStatus: known.backfillStatus,
          storedPrCount: known.storedPrCount,
          prTotalCount: known.prTotalCount,
          scope: known.scope
        } : {},
        note: untrackedNote(fullName, known)
      }));
      ctx.out(JSON.stringify([...tracked, ...others], null, 2));
    } else {
      const lines = untracked.map(({ fullName, known }) => untrackedNote(fullName, known));
      ctx.out(
        rows.length === 0 && lines.length > 0 ? lines.join("\n") : [statusTable(rows, context), ...lines].join("\n")
      );
    }
    done(ExitCode.Ok);
  });
}

// src/cli/commands/track.ts
import { Command as Command7, Option as Option7 } from "commander";
function trackCommand(ctx, done) {
  const command = new Command7("track").description("Track repositories: look them up on GitHub and add them to the set `run` works through.").addOption(
    new Option7(
      "--repo <owner/name>",
      "repository to track, or owner/* for all of an owner; repeatable, comma lists allowed"
    ).argParser(collectRepositories).makeOptionMandatory()
  ).addOption(
    new Option7(
      "--priority <n>",
      "higher is backfilled first, 0-1000 (default: unchanged, 0 for new ones)"
    ).argParser(integerIn(0, 1e3))
  );
  addDatabaseOptions(command);
  addGitHubOptions(command);
  addJsonOption(command, "the tracked repositories");
  return command.action(async (flags) => {
    const backend = storeBackend(flags, ctx);
    const github = githubClient(flags, ctx);
    const { refs, emptyOwners } = await expandSpecs(github, flags.repo);
    const { found, missing } = await lookUp(github, refs);
    const rows = await withStore(backend, async (store) => {
      const tracked = [];
      for (const info of found) tracked.push(await track(store, info, flags.priority));
      return tracked;
    });
    const notFound2 = [...emptyOwners, ...missing];
    if (flags.json) {
      ctx.out(JSON.stringify({ tracked: rows, notFound: notFound2 }, null, 2));
    } else {
      if (rows.length > 0) {
        ctx.out(
          textTable(
            ["Repository", "Id", "GitHub PRs", "Stored", "Priority", "Status"],
            rows.map((r) => [
              r.fullName,
              String(r.id),
              formatCount(r.prTotalCount),
              formatCount(r.storedPrCount),
              String(r.priority),
              r.backfillStatus
            ])
          )
        );
      }
      for (const name of notFound2) ctx.err(`not found: ${name} does not exist or the token cannot see it`);
    }
    done(notFound2.length > 0 ? ExitCode.Partial : ExitCode.Ok);
  });
}

// src/cli/context.ts
init_redact();
var SECRET_ENV = [
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_APP_PRIVATE_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "PB_DATABASE_URL"
];
function createContext(io, argv) {
  const secrets = [];
  for (const name of SECRET_ENV) {
    const value = io.env[name];
    if (value) secrets.push(value, ...connectionUrlSecrets(value));
  }
  for (const arg of argv) secrets.push(...connectionUrlSecrets(arg.replace(/^--[\w-]+=/, "")));
  const redact = (text) => redactSecrets(text, secrets);
  return {
    io,
    env: io.env,
    signal: io.signal,
    secrets,
    redact,
    out: (line) => io.stdout.write(`${redact(line)}
`),
    err: (line) => io.stderr.write(`${redact(line)}
`)
  };
}

// src/cli/main.ts
var PROGRAM = "progressive-backfill";
var EXIT_CODES_HELP = `
Environment:
  GITHUB_TOKEN, GH_TOKEN      GitHub token for run and track (never pass tokens as flags)
  GITHUB_APP_ID               or a GitHub App: its id, with GITHUB_APP_PRIVATE_KEY_FILE (path to its .pem) or
                              GITHUB_APP_PRIVATE_KEY (the key); GITHUB_APP_INSTALLATION_ID is optional (without
                              it each owner's installation is found); tokens are renewed before they expire
  PB_DATABASE_URL             Postgres connection string, instead of --database-url
  PB_SUPABASE_URL             Supabase project URL, instead of --supabase-url
  SUPABASE_SERVICE_ROLE_KEY   service-role key that goes with the Supabase URL
  GITHUB_API_URL              GitHub API base, instead of --github-api-url
  CI                          when set, progress is logged as plain lines instead of a bar

Exit codes:
  0    success (also a run that stopped at its time budget with progress saved)
  1    unexpected error
  2    invalid flag, input or setting
  3    GitHub rejected the token or it lacks access
  4    finished with critical errors for some repositories
  5    database unreachable, or its schema missing or behind (run migrate)
  130  interrupted by SIGINT/SIGTERM (leases released, run recorded as interrupted)

Start with: ${PROGRAM} demo
`;
function defaultIo() {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY)
  };
}
function settingLabel(setting) {
  return /^[a-z][a-z0-9-]*$/.test(setting) ? `--${setting}` : setting;
}
function describeError(error, command) {
  const help = `(see '${PROGRAM}${command ? ` ${command}` : ""} --help')`;
  if (error instanceof ConfigError) {
    const message2 = error.message.startsWith(`${error.setting}: `) ? error.message.slice(error.setting.length + 2) : error.message;
    return [`error: ${settingLabel(error.setting)}: ${message2}`, help];
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreError && error.code === "connection") {
    return [`error: ${message}`, "check the database URL and that the server is running and reachable"];
  }
  if (error instanceof StoreError && error.code === "invalid_input") return [`error: ${message}`, help];
  if (error instanceof GitHubError && error.kind === "auth") {
    return [
      `error: ${/rejected the token/i.test(message) ? message : `GitHub rejected the token: ${message}`}`,
      "check that GITHUB_TOKEN (or GH_TOKEN) holds a valid, unexpired token (`gh auth token` prints yours) and that --github-api-url points at the GitHub it belongs to"
    ];
  }
  if (error instanceof GitHubError && error.kind === "permission") {
    return [
      `error: the token lacks access: ${message}`,
      'give it "Pull requests: read" (fine-grained) or the repo scope (classic), and authorise it for SSO'
    ];
  }
  return [`error: ${message}`];
}
async function main(argv, io = defaultIo()) {
  const ctx = createContext(io, argv);
  let code2 = ExitCode.Ok;
  let active = "";
  const done = (exit) => {
    code2 = exit;
  };
  const program = new Command8(PROGRAM).description(
    "Backfill repositories' whole pull-request history from GitHub's GraphQL API into Postgres, Supabase or an embedded database, a chunk at a time, never losing or duplicating a pull request."
  ).version(package_default.version, "-V, --version").exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(ctx.redact(text)),
    writeErr: (text) => io.stderr.write(ctx.redact(text))
  }).showHelpAfterError(`(see '${PROGRAM} --help')`).addHelpText("after", EXIT_CODES_HELP).hook("preAction", (_program, action) => {
    active = action.name();
  });
  const commands = [
    demoCommand(ctx, done),
    runCommand(ctx, done),
    statusCommand(ctx, done),
    trackCommand(ctx, done),
    recoverCommand(ctx, done),
    migrateCommand(ctx, done),
    ...operatorCommands(ctx, done)
  ];
  for (const command of commands) {
    command.copyInheritedSettings(program);
    command.showHelpAfterError(`(see '${PROGRAM} ${command.name()} --help')`);
    program.addCommand(command);
  }
  try {
    await program.parseAsync(argv);
    return code2;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.Ok;
      return ExitCode.BadInput;
    }
    for (const line of describeError(error, active)) ctx.err(line);
    if (ctx.env.PB_DEBUG && error instanceof Error && error.stack) ctx.err(error.stack);
    return exitCodeFor(error);
  }
}

// src/cli/index.ts
var stop = new AbortController();
function onSignal(signal) {
  if (stop.signal.aborted) {
    process.stderr.write(`
${signal} again: exiting immediately
`);
    process.exit(ExitCode.Interrupted);
  }
  process.stderr.write(
    `
${signal}: finishing the page in flight and saving progress (send again to exit now)
`
  );
  stop.abort();
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
var code = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: Boolean(process.stderr.isTTY),
  signal: stop.signal
});
process.exitCode = code;
