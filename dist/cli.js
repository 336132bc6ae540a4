#!/usr/bin/env node
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
      constructor(code2, message, options) {
        super(message, options);
        this.code = code2;
        this.name = "StoreError";
      }
      code;
    };
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

// src/store/schema-version.ts
var EXPECTED_SCHEMA_VERSION;
var init_schema_version = __esm({
  "src/store/schema-version.ts"() {
    "use strict";
    EXPECTED_SCHEMA_VERSION = 2;
  }
});

// src/store/migrate.ts
var migrate_exports = {};
__export(migrate_exports, {
  EXPECTED_SCHEMA_VERSION: () => EXPECTED_SCHEMA_VERSION,
  applyMigrations: () => applyMigrations,
  loadMigrations: () => loadMigrations,
  pgExecutor: () => pgExecutor,
  pgliteExecutor: () => pgliteExecutor,
  schemaVersion: () => schemaVersion
});
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
function execScript(db, sql) {
  return db.exec ? db.exec(sql) : db.query(sql);
}
async function applyMigrations(db, migrations) {
  const all = migrations ?? await loadMigrations();
  await db.query("select pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
  try {
    await execScript(db, LEDGER);
    const { rows } = await db.query("select version, name, checksum from backfill_migrations");
    const recorded = new Map(
      rows.map((row) => [String(row.version), { name: String(row.name), checksum: String(row.checksum) }])
    );
    for (const migration of all) {
      const previous = recorded.get(migration.version);
      if (previous && previous.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.version}_${migration.name} was changed after it was applied (checksum ${previous.checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); add a new migration instead of editing an applied one`
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
        await db.query("insert into backfill_migrations (version, name, checksum) values ($1, $2, $3)", [
          migration.version,
          migration.name,
          migration.checksum
        ]);
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
async function schemaVersion(db) {
  const { rows: found } = await db.query(
    "select to_regprocedure('backfill_schema_version()') is not null as installed"
  );
  if (!found[0]?.installed) return null;
  const { rows } = await db.query("select backfill_schema_version() as version");
  return Number(rows[0]?.version);
}
var FILE_NAME, MIGRATION_LOCK_KEY, LEDGER;
var init_migrate = __esm({
  "src/store/migrate.ts"() {
    "use strict";
    init_schema_version();
    FILE_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;
    MIGRATION_LOCK_KEY = "7244851009271122001";
    LEDGER = `
create table if not exists backfill_migrations (
  version text primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);
alter table backfill_migrations enable row level security;
`;
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
var NUL;
var init_postgres_text = __esm({
  "src/domain/postgres-text.ts"() {
    "use strict";
    NUL = String.fromCharCode(0);
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
    if (NETWORK_CODES.has(code2)) return "connection";
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
function scrub(text, secrets) {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
}
function toStoreError(fn, error, secrets = []) {
  if (error instanceof StoreError) return error;
  const code2 = classify(error);
  const detail = scrub(describe(error), secrets);
  const options = { cause: error };
  if (code2 === "schema_missing") {
    return new StoreError(
      code2,
      `the progressive-backfill schema is missing (${detail}): ${MIGRATE_HINT}`,
      options
    );
  }
  if (code2 === "connection") {
    return new StoreError(code2, `cannot reach the database while calling ${fn}: ${detail}`, options);
  }
  if (code2) return new StoreError(code2, `${fn}: ${detail}`, options);
  return new Error(`${fn} failed: ${detail}`, options);
}
function createRpcStore(transport, options = {}) {
  const secrets = options.secrets ?? [];
  async function call(fn, args = {}) {
    try {
      return await transport.call(fn, args);
    } catch (error) {
      throw toStoreError(fn, error, secrets);
    }
  }
  const prsArg = (prs) => jsonb(storableStrings(prs));
  return {
    kind: transport.kind,
    async assertSchema() {
      const version = Number(await call("backfill_schema_version"));
      if (version < EXPECTED_SCHEMA_VERSION) {
        throw new StoreError(
          "schema_missing",
          `the database schema is at version ${version}, this progressive-backfill needs ${EXPECTED_SCHEMA_VERSION}: ${MIGRATE_HINT}`
        );
      }
      if (version > EXPECTED_SCHEMA_VERSION) {
        throw new StoreError(
          "schema_missing",
          `the database schema is at version ${version}, newer than this progressive-backfill understands (${EXPECTED_SCHEMA_VERSION}): upgrade progressive-backfill`
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
    async startBackfill(repositoryId, fieldProfile) {
      await call("backfill_start_backfill", { p_repository_id: repositoryId, p_field_profile: fieldProfile });
    },
    claimChunk(input) {
      return call("backfill_claim_chunk", {
        p_worker_id: input.workerId,
        p_lease_seconds: input.leaseSeconds,
        p_repository_id: input.repositoryId ?? null,
        p_run_id: input.runId ?? null
      });
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
        p_prs: prsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_skipped_nodes: input.skippedNodes,
        p_github_total_count: input.githubTotalCount,
        p_done: input.done,
        p_lease_seconds: input.leaseSeconds,
        p_run_id: input.runId
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
        p_error: input.error,
        p_retryable: input.retryable,
        p_max_failures: input.maxFailures
      });
    },
    async pauseRepository(repositoryId, reason, resumeAt) {
      await call("backfill_pause", {
        p_repository_id: repositoryId,
        p_reason: reason,
        p_resume_at: resumeAt.toISOString()
      });
    },
    async resumeRepository(repositoryId) {
      await call("backfill_resume", { p_repository_id: repositoryId });
    },
    async cancelBackfill(repositoryId, reason) {
      await call("backfill_cancel", { p_repository_id: repositoryId, p_reason: reason });
    },
    async failBackfill(repositoryId, error) {
      await call("backfill_fail_backfill", { p_repository_id: repositoryId, p_error: error });
    },
    recoverStuckChunks(input) {
      return call("backfill_recover_stuck_chunks", {
        p_requeue_limit: input.requeueLimit,
        p_grace_seconds: input.graceSeconds
      });
    },
    commitRefresh(input) {
      return call("backfill_commit_refresh", {
        p_repository_id: input.repositoryId,
        p_prs: prsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_new_watermark: input.newWatermark,
        p_run_id: input.runId
      });
    },
    upsertPullRequests(repositoryId, prs) {
      return call("backfill_upsert_pull_requests", {
        p_repository_id: repositoryId,
        p_prs: prsArg(prs)
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
    async finishRun(input) {
      await call("backfill_finish_run", {
        p_run_id: input.runId,
        p_outcome: input.outcome,
        p_error_summary: jsonb(input.errorSummary ?? null)
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
var JsonbArg, MIGRATE_HINT, SQLSTATE_CODES, CONNECTION_CLASSES, NETWORK_CODES, CONNECTION_MESSAGES;
var init_rpc = __esm({
  "src/store/rpc.ts"() {
    "use strict";
    init_postgres_text();
    init_schema_version();
    init_types2();
    JsonbArg = class {
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
    NETWORK_CODES = /* @__PURE__ */ new Set([
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

// src/store/sql-call.ts
function buildSqlCall(fn, args) {
  if (!IDENTIFIER.test(fn)) throw new Error(`not a function name: ${fn}`);
  const values = [];
  const named = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === void 0) continue;
    if (!IDENTIFIER.test(name)) throw new Error(`not an argument name: ${name}`);
    if (value instanceof JsonbArg) {
      values.push(value.value === null || value.value === void 0 ? null : JSON.stringify(value.value));
      named.push(`${name} => $${values.length}::jsonb`);
    } else {
      values.push(value);
      named.push(`${name} => $${values.length}`);
    }
  }
  return { text: `select ${fn}(${named.join(", ")}) as result`, values };
}
var IDENTIFIER;
var init_sql_call = __esm({
  "src/store/sql-call.ts"() {
    "use strict";
    init_rpc();
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
  const secrets = [];
  if (parsed.password) {
    secrets.push(parsed.password);
    try {
      secrets.push(decodeURIComponent(parsed.password));
    } catch {
    }
  }
  return { secrets };
}
function createPostgresStore(url, options = {}) {
  const { secrets } = checkDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    application_name: options.applicationName ?? "progressive-backfill",
    connectionTimeoutMillis: 3e4
  });
  pool.on("error", () => {
  });
  const transport = {
    kind: "postgres",
    async call(fn, args) {
      const { text, values } = buildSqlCall(fn, args);
      const result = await pool.query(text, values);
      return result.rows[0]?.result ?? null;
    },
    close: () => pool.end()
  };
  return createRpcStore(transport, { secrets });
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
    init_connection_url();
    init_migrate();
    init_rpc();
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
    body[name] = value instanceof JsonbArg ? value.value ?? null : value;
  }
  return body;
}
function createSupabaseStore(url, serviceRoleKey, options = {}) {
  checkSupabaseUrl(url);
  if (!serviceRoleKey.trim()) throw new StoreError("invalid_input", "the Supabase service-role key is empty");
  let client;
  const connect = async () => createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // biome-ignore lint/suspicious/noExplicitAny: ws's constructor type differs from the DOM WebSocket's
    realtime: await realtimeOptions(),
    global: options.fetch ? { fetch: options.fetch } : {}
  });
  const transport = {
    kind: "supabase",
    async call(fn, args) {
      client ??= connect();
      const { data, error, status } = await (await client).rpc(fn, toJsonArgs(args)).retry(false);
      if (error) {
        const rejectedKey = !error.code && (status === 401 || status === 403);
        const message = rejectedKey ? `Supabase rejected the service-role key (HTTP ${status})` : (error.message || `HTTP ${status}`).slice(0, MAX_MESSAGE);
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
  return createRpcStore(transport, { secrets: [serviceRoleKey] });
}
var PostgrestCallError, MAX_MESSAGE;
var init_supabase = __esm({
  "src/store/supabase.ts"() {
    "use strict";
    init_connection_url();
    init_rpc();
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

// src/store/pglite.ts
var pglite_exports = {};
__export(pglite_exports, {
  createPgliteStore: () => createPgliteStore,
  pgliteStore: () => pgliteStore
});
import { PGlite } from "@electric-sql/pglite";
function createQueue() {
  let tail = Promise.resolve();
  return (task) => {
    const run2 = tail.then(task, task);
    tail = run2.catch(() => {
    });
    return run2;
  };
}
async function createPgliteStore(dir) {
  const db = dir === null ? await PGlite.create() : await PGlite.create(dir);
  try {
    await applyMigrations(pgliteExecutor(db));
  } catch (error) {
    await db.close();
    throw error;
  }
  return pgliteStore(db);
}
function pgliteStore(db) {
  const enqueue = createQueue();
  const transport = {
    kind: "pglite",
    call(fn, args) {
      const { text, values } = buildSqlCall(fn, args);
      return enqueue(async () => {
        const result = await db.query(text, values);
        return result.rows[0]?.result ?? null;
      });
    },
    close: () => enqueue(() => db.close())
  };
  return createRpcStore(transport);
}
var init_pglite = __esm({
  "src/store/pglite.ts"() {
    "use strict";
    init_migrate();
    init_rpc();
    init_sql_call();
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
    parsed = parse(document);
    if (parsedDocuments.size > 500) parsedDocuments.clear();
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
    CONNECTION_MARKERS = /* @__PURE__ */ new Set(["totalCount", "pageInfo", "nodes", "edges"]);
    parsedDocuments = /* @__PURE__ */ new Map();
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
    (link) => link.code !== void 0 && NETWORK_CODES2.has(link.code) || NETWORK_MESSAGES.test(link.message)
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
var DEFAULT_SECONDARY_WAIT_MS, SECONDARY_LIMIT, SOMETHING_WENT_WRONG, GITHUB_TIMEOUT, RESOURCE_LIMITS, VALIDATION_TYPES, TRANSIENT_TYPES, TRANSIENT_STATUSES, NETWORK_CODES2, NETWORK_MESSAGES, PERMISSION_HELP;
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
    NETWORK_CODES2 = /* @__PURE__ */ new Set([
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

// src/domain/pull-request.ts
var ACTOR_TYPES, FIELD_PROFILES;
var init_pull_request = __esm({
  "src/domain/pull-request.ts"() {
    "use strict";
    ACTOR_TYPES = ["User", "Bot", "Mannequin", "Organization", "EnterpriseUserAccount"];
    FIELD_PROFILES = ["core", "standard", "full"];
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
  if (profile === "standard") return record;
  record.reviews = (pr.reviews?.nodes ?? []).flatMap(
    (review) => review ? [
      {
        author_login: review.author?.login ?? null,
        state: review.state,
        submitted_at: review.submittedAt ?? null
      }
    ] : []
  );
  record.comments = (pr.comments?.nodes ?? []).flatMap(
    (comment) => comment ? [
      {
        author_login: comment.author?.login ?? null,
        created_at: comment.createdAt,
        body_length: comment.body.length
      }
    ] : []
  );
  return record;
}
function decimalId(value) {
  if (value === null || value === void 0) return null;
  const text = String(value);
  return /^[0-9]+$/.test(text) ? text : null;
}
function actorType(typename) {
  return ACTOR_TYPES.includes(typename ?? "") ? typename : null;
}
var init_map = __esm({
  "src/github/map.ts"() {
    "use strict";
    init_pull_request();
  }
});

// src/github/queries.ts
function pullRequestFragment(profile) {
  return `fragment ${PULL_REQUEST_FRAGMENT_NAME} on PullRequest {
    ${PROFILE_FIELDS[profile]}
}`;
}
function pullRequestPageQuery(profile, windows) {
  if (!windows.forward && !windows.backward) throw new RangeError("a page needs at least one window");
  const key = `${profile}:${windows.forward}:${windows.backward}`;
  let query = pageQueryCache.get(key);
  if (query === void 0) {
    const variables = ["$owner: String!", "$name: String!"];
    const connections = [];
    if (windows.forward) {
      variables.push("$first: Int!", "$after: String");
      connections.push(FORWARD_WINDOW);
    }
    if (windows.backward) {
      variables.push("$last: Int!", "$before: String");
      connections.push(BACKWARD_WINDOW);
    }
    query = `query PullRequestPage(${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {
    ${connections.join("\n    ")}
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    pageQueryCache.set(key, query);
  }
  return query;
}
function pullRequestPageVariables(request) {
  const variables = { owner: request.owner, name: request.name };
  if (request.forward) {
    assertPageSize(request.forward.first);
    variables.first = request.forward.first;
    variables.after = request.forward.after;
  }
  if (request.backward) {
    assertPageSize(request.backward.last);
    variables.last = request.backward.last;
    variables.before = request.backward.before;
  }
  return variables;
}
function updatedPullRequestsQuery(profile) {
  let query = updatedQueryCache.get(profile);
  if (query === void 0) {
    query = `query UpdatedPullRequests($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    updated: pullRequests(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }
  }
  ${RATE_LIMIT_SELECTION}
}
${pullRequestFragment(profile)}`;
    updatedQueryCache.set(profile, query);
  }
  return query;
}
function updatedPullRequestsVariables(request) {
  assertPageSize(request.first);
  return { owner: request.owner, name: request.name, first: request.first, after: request.after };
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
var LABELS_PER_PULL_REQUEST, FULL_PROFILE_ITEMS_PER_PULL_REQUEST, LOOKUP_BATCH_SIZE, OWNER_REPOSITORIES_PAGE_SIZE, MAX_PAGE_SIZE, RATE_LIMIT_SELECTION, AUTHOR_SELECTION, CORE_FIELDS, LABELS_AND_DECISION, STANDARD_FIELDS, FULL_FIELDS, PROFILE_FIELDS, PULL_REQUEST_FRAGMENT_NAME, FORWARD_WINDOW, BACKWARD_WINDOW, pageQueryCache, updatedQueryCache, OWNER_REPOSITORIES_QUERY, RATE_LIMIT_QUERY;
var init_queries = __esm({
  "src/github/queries.ts"() {
    "use strict";
    LABELS_PER_PULL_REQUEST = 20;
    FULL_PROFILE_ITEMS_PER_PULL_REQUEST = 20;
    LOOKUP_BATCH_SIZE = 100;
    OWNER_REPOSITORIES_PAGE_SIZE = 100;
    MAX_PAGE_SIZE = 100;
    RATE_LIMIT_SELECTION = "rateLimit { cost remaining resetAt limit used nodeCount }";
    AUTHOR_SELECTION = `author {
      __typename
      login
      ... on User { databaseId }
      ... on Bot { databaseId }
      ... on Mannequin { databaseId }
      ... on Organization { databaseId }
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
    FULL_FIELDS = `${LABELS_AND_DECISION}
    reviews(first: ${FULL_PROFILE_ITEMS_PER_PULL_REQUEST}) {
      totalCount
      nodes { author { login } state submittedAt }
    }
    comments(first: ${FULL_PROFILE_ITEMS_PER_PULL_REQUEST}) {
      totalCount
      nodes { author { login } createdAt body }
    }`;
    PROFILE_FIELDS = {
      core: CORE_FIELDS,
      standard: `${CORE_FIELDS}
    ${STANDARD_FIELDS}`,
      full: `${CORE_FIELDS}
    ${FULL_FIELDS}`
    };
    PULL_REQUEST_FRAGMENT_NAME = "PullRequestFields";
    FORWARD_WINDOW = `forward: pullRequests(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;
    BACKWARD_WINDOW = `backward: pullRequests(last: $last, before: $before, orderBy: {field: CREATED_AT, direction: ASC}) {
      totalCount
      pageInfo { startCursor hasPreviousPage }
      nodes { ...${PULL_REQUEST_FRAGMENT_NAME} }
    }`;
    pageQueryCache = /* @__PURE__ */ new Map();
    updatedQueryCache = /* @__PURE__ */ new Map();
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

// src/github/client.ts
var client_exports = {};
__export(client_exports, {
  createGitHubClient: () => createGitHubClient,
  graphqlBaseUrl: () => graphqlBaseUrl
});
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { RequestError } from "@octokit/request-error";
import Bottleneck from "bottleneck/light.js";
function graphqlBaseUrl(apiUrl) {
  const trimmed = apiUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/api/v3") ? trimmed.slice(0, -"/v3".length) : trimmed;
}
function secondaryLimitAsError(octokit) {
  octokit.hook.wrap("request", async (request, options) => {
    const response = await request(options);
    const errors = graphqlErrors(response.data);
    const secondary = errors.find((error) => /secondary rate limit|abuse detection/i.test(error.message));
    if (secondary) {
      throw new RequestError(secondary.message, 403, { request: options, response });
    }
    return response;
  });
}
function createGitHubClient(options) {
  const token = options.token;
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
  const graphqlBase = graphqlBaseUrl(apiUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const maxSecondaryRetries = options.secondaryLimit?.maxRetries ?? 2;
  const scaleWaitMs = options.secondaryLimit?.scaleWaitMs ?? ((ms) => ms);
  const timedFetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };
  const throttleOptions = {
    // Unique id: the plugin's default groups are process-wide and keyed by id.
    id: `progressive-backfill-${crypto.randomUUID()}`,
    // By default every GraphQL request passes the `write` group: one at a time, 1 s apart (~3,600 pages/hour).
    // GraphQL reads are not mutations; the engine's budget planner paces them, so `write` lets them through.
    write: new Bottleneck.Group({ maxConcurrent: null, minTime: 0 }),
    // The plugin runs every request in its `global` group (an option its types omit); ours bounds this client.
    global: new Bottleneck.Group({
      maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      minTime: 0
    }),
    retryAfterBaseValue: scaleWaitMs(1e3),
    onSecondaryRateLimit: (_retryAfter, _request, _octokit, retryCount) => retryCount < maxSecondaryRetries,
    // The primary budget is the engine's to manage: it pauses the repository until the reset.
    onRateLimit: () => false
  };
  const octokit = new BackfillOctokit({
    baseUrl: apiUrl,
    userAgent: options.userAgent ?? "progressive-backfill",
    request: { fetch: timedFetch },
    log: { debug: () => {
    }, info: () => {
    }, warn: () => {
    }, error: () => {
    } },
    retry: {
      retries: options.retry?.retries ?? 1,
      retryAfterBaseValue: options.retry?.minTimeoutMs ?? 1e3,
      // 429 is a rate limit, answered by the throttling plugin, not a transient failure.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
    },
    throttle: throttleOptions
  });
  octokit.hook.before("request", (requestOptions) => {
    requestOptions.headers.authorization = `bearer ${token}`;
  });
  const context = (action, repository) => ({
    action,
    repository,
    timeoutMs
  });
  function redacted(error) {
    if (token === "") return error;
    const leaks = error.message.includes(token) || safeStringify(error.details.cause).includes(token);
    if (!leaks) return error;
    return new GitHubError(error.kind, error.message.split(token).join("[redacted]"), {
      status: error.details.status,
      retryAfterMs: error.details.retryAfterMs,
      resetAt: error.details.resetAt
    });
  }
  async function graphql(query, variables = {}, callOptions = {}) {
    const failure = context(callOptions.action ?? "querying GitHub", callOptions.repository);
    let response;
    try {
      response = await octokit.request("POST /graphql", { baseUrl: graphqlBase, query, variables });
    } catch (error) {
      throw redacted(toGitHubError(error, failure));
    }
    const headers = response.headers;
    const body = response.data;
    if (typeof body !== "object" || body === null) {
      throw new GitHubError(
        "transient",
        `GitHub sent an unreadable response while ${failure.action} (HTTP ${response.status}); it will be retried.`,
        { status: response.status }
      );
    }
    const errors = graphqlErrors(body);
    const blocking = errors.filter((error) => !callOptions.tolerate?.(error));
    if (blocking.length > 0 || body.data === null || body.data === void 0) {
      throw redacted(
        classifyResponse({ status: response.status, headers, body: { ...body, errors: blocking } }, failure)
      );
    }
    return { data: body.data, errors, headers };
  }
  async function rateLimit() {
    try {
      const response = await octokit.request("GET /rate_limit");
      const graphqlBudget = response.data.resources?.graphql;
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
      const classified = toGitHubError(error, context("reading the rate limit"));
      if (classified.kind === "auth") throw redacted(classified);
    }
    const { data, headers } = await graphql(
      RATE_LIMIT_QUERY,
      {},
      {
        action: "reading the rate limit"
      }
    );
    return rateLimitState(data.rateLimit, headers, 0);
  }
  async function fetchPullRequests(request) {
    const query = pullRequestPageQuery(request.profile, {
      forward: request.forward !== void 0,
      backward: request.backward !== void 0
    });
    const variables = pullRequestPageVariables(request);
    const predictedCost = queryCost(query, variables).cost;
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql(query, variables, {
      action: `fetching pull requests of ${repository}`,
      repository
    });
    const repo = requireRepository(data.repository, repository);
    const forward = repo.forward ? pageWindow(repo.forward, request.profile, "forward") : void 0;
    const backward = repo.backward ? pageWindow(repo.backward, request.profile, "backward") : void 0;
    return {
      totalCount: repo.forward?.totalCount ?? repo.backward?.totalCount ?? 0,
      ...forward && { forward: forward.window },
      ...backward && { backward: backward.window },
      skippedNodes: (forward?.skipped ?? 0) + (backward?.skipped ?? 0),
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost
    };
  }
  async function fetchUpdatedPullRequests(request) {
    const query = updatedPullRequestsQuery(request.profile);
    const variables = updatedPullRequestsVariables(request);
    const predictedCost = queryCost(query, variables).cost;
    const repository = `${request.owner}/${request.name}`;
    const { data, headers } = await graphql(query, variables, {
      action: `fetching recently updated pull requests of ${repository}`,
      repository
    });
    const repo = requireRepository(data.repository, repository);
    const updated = repo.updated ? pageWindow(repo.updated, request.profile, "forward") : void 0;
    return {
      totalCount: repo.updated?.totalCount ?? 0,
      ...updated && { forward: updated.window },
      skippedNodes: updated?.skipped ?? 0,
      rateLimit: rateLimitState(data.rateLimit, headers, predictedCost),
      predictedCost
    };
  }
  async function lookupRepositories(refs) {
    const found = [];
    const missing = [];
    let budget;
    for (let start = 0; start < refs.length; start += LOOKUP_BATCH_SIZE) {
      const batch = refs.slice(start, start + LOOKUP_BATCH_SIZE);
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
  function predictCost(request) {
    if ("first" in request) {
      return queryCost(updatedPullRequestsQuery(request.profile), updatedPullRequestsVariables(request)).cost;
    }
    const query = pullRequestPageQuery(request.profile, {
      forward: request.forward !== void 0,
      backward: request.backward !== void 0
    });
    return queryCost(query, pullRequestPageVariables(request)).cost;
  }
  return {
    graphql,
    rateLimit,
    lookupRepositories,
    listOwnerRepositories,
    fetchPullRequests,
    fetchUpdatedPullRequests,
    predictCost
  };
}
function requireRepository(repository, fullName) {
  if (repository === null) {
    throw new GitHubError("not_found", `${fullName} does not exist or the token cannot see it.`);
  }
  return repository;
}
function pageWindow(connection2, profile, direction) {
  const { records, skipped } = mapPullRequestNodes(connection2.nodes, profile);
  const window = direction === "forward" ? {
    nodes: records,
    cursor: connection2.pageInfo.endCursor ?? null,
    hasMore: connection2.pageInfo.hasNextPage ?? false
  } : {
    nodes: records,
    cursor: connection2.pageInfo.startCursor ?? null,
    hasMore: connection2.pageInfo.hasPreviousPage ?? false
  };
  return { window, skipped };
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
function safeStringify(value) {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
var DEFAULT_API_URL, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_CONCURRENT, UNLIMITED, BackfillOctokit;
var init_client = __esm({
  "src/github/client.ts"() {
    "use strict";
    init_cost();
    init_errors();
    init_map();
    init_queries();
    init_types();
    DEFAULT_API_URL = "https://api.github.com";
    DEFAULT_TIMEOUT_MS = 3e4;
    DEFAULT_MAX_CONCURRENT = 4;
    UNLIMITED = 1e9;
    BackfillOctokit = Octokit.plugin(secondaryLimitAsError, retry, throttling);
  }
});

// src/github/schema.ts
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join as join2 } from "node:path";
import { buildSchema } from "graphql";
function idlPath() {
  const paths = createRequire(import.meta.url).resolve.paths("@octokit/graphql-schema") ?? [];
  for (const dir of paths) {
    const candidate = join2(dir, "@octokit", "graphql-schema", "schema.graphql");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("@octokit/graphql-schema is not installed: run npm ci");
}
function githubSchema() {
  cached ??= buildSchema(readFileSync(idlPath(), "utf8"), { assumeValidSDL: true });
  return cached;
}
var cached;
var init_schema = __esm({
  "src/github/schema.ts"() {
    "use strict";
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
function createDataset(options) {
  const historyEndsAt = Math.floor(Date.parse(options.historyEndsAt ?? "2026-01-01T00:00:00Z") / 1e3);
  const spacing = options.spacingSeconds ?? 2400;
  if (!Number.isFinite(historyEndsAt) || !(spacing >= 2)) throw new Error("invalid dataset time settings");
  if (options.repositories.length > 1e3) throw new Error("at most 1,000 repositories per dataset");
  const repositories = options.repositories.map(
    (spec, salt) => new SimRepository(options.seed, salt, spec, historyEndsAt, spacing)
  );
  const byName = /* @__PURE__ */ new Map();
  for (const repository of repositories) {
    const key = repository.nameWithOwner.toLowerCase();
    if (byName.has(key)) throw new Error(`duplicate repository ${repository.nameWithOwner}`);
    byName.set(key, repository);
  }
  return {
    seed: options.seed,
    repositories,
    repository: (owner, name) => byName.get(`${owner}/${name}`.toLowerCase()),
    ownerRepositories: (owner) => repositories.filter((r) => r.owner.toLowerCase() === owner.toLowerCase())
  };
}
var TWO_POW_31, DAY, MEMO_LIMIT, BOTS, SimRepository;
var init_dataset = __esm({
  "src/simulator/dataset.ts"() {
    "use strict";
    init_random();
    init_text();
    TWO_POW_31 = 2 ** 31;
    DAY = 86400;
    MEMO_LIMIT = 512;
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
        this.owner = spec.owner;
        this.name = spec.name;
        this.isPrivate = spec.isPrivate ?? false;
        this.ownerType = spec.ownerType ?? "Organization";
        this.initialCount = spec.pullRequests;
        this.count = spec.pullRequests;
        this.databaseId = 1e8 + salt * 7919;
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
        return 3 * index + 1 + hashTuple(this.seed, this.salt, index, "number") % 3;
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
        const base = {
          index,
          number: this.numberOf(index),
          databaseId: this.databaseIdOf(index),
          ...this.generatedState(index, createdAt)
        };
        const override = this.overrides.get(index);
        return override ? { ...base, ...override } : base;
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
        return override ? { ...generated, ...override } : generated;
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
        const lastActivity = skeleton.closedAt ?? skeleton.updatedAt;
        const reviews = this.reviews(random, index, skeleton.createdAt, lastActivity);
        const comments = this.comments(random, index, skeleton.createdAt, lastActivity);
        const reviewDecision = this.reviewDecision(random, skeleton.state);
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
          reviews,
          comments
        };
      }
      author(random) {
        const roll = random();
        const k = intBetween(random, 0, Math.max(20, Math.min(5e3, Math.floor(this.initialCount / 10))));
        if (roll < 0.02) return null;
        if (roll < 0.09) {
          const bot = pick2(random, BOTS);
          return {
            type: "Bot",
            login: bot.login,
            databaseId: bot.databaseId,
            nodeId: nodeId("BOT", bot.login),
            url: `https://github.com/apps/${bot.login}`
          };
        }
        if (roll < 0.095) return this.actor("Mannequin", `mannequin-${k}`, k, "MQ");
        if (roll < 0.1) return this.actor("Organization", `org-${k}`, k, "O");
        if (roll < 0.105) {
          return {
            type: "EnterpriseUserAccount",
            login: `enterprise-user-${k}`,
            databaseId: null,
            nodeId: nodeId("EUA", k),
            url: `https://github.com/enterprises/acme/people/enterprise-user-${k}`
          };
        }
        return this.actor(
          "User",
          `${pick2(random, ["octo", "dev", "ana", "li", "müller", "sam"])}-${k}`.replace("ü", "u"),
          k,
          "U"
        );
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
      reviews(random, index, from, to) {
        const count = random() < 0.01 ? intBetween(random, 100, 140) : random() < 0.4 ? 0 : intBetween(random, 1, 6);
        return Array.from({ length: count }, (_, r) => {
          const createdAt = from + Math.floor((to - from) * (r + 1) / (count + 1));
          const state = pick2(random, [
            "APPROVED",
            "CHANGES_REQUESTED",
            "COMMENTED",
            "COMMENTED",
            "DISMISSED"
          ]);
          const pending = random() < 0.01;
          return {
            author: this.author(random),
            state: pending ? "PENDING" : state,
            submittedAt: pending ? null : createdAt,
            createdAt,
            body: random() < 0.5 ? "" : commentBody(random),
            nodeId: nodeId("PRR", this.seed, this.salt, index, r)
          };
        });
      }
      comments(random, index, from, to) {
        const count = random() < 0.01 ? intBetween(random, 100, 150) : random() < 0.35 ? 0 : intBetween(random, 1, 10);
        return Array.from({ length: count }, (_, c) => ({
          author: this.author(random),
          createdAt: from + Math.floor((to - from) * (c + 1) / (count + 1)),
          body: commentBody(random),
          nodeId: nodeId("IC", this.seed, this.salt, index, c)
        }));
      }
      reviewDecision(random, state) {
        if (state === "MERGED") return random() < 0.7 ? "APPROVED" : null;
        if (state === "CLOSED") return random() < 0.2 ? "CHANGES_REQUESTED" : null;
        return pick2(random, [null, "REVIEW_REQUIRED", "APPROVED", "CHANGES_REQUESTED"]);
      }
      /** Pull requests in ascending `field` order, ties broken by index (= id), optionally only some states. */
      ordered(field, states = null) {
        const filter = states && states.length > 0 ? [...new Set(states)].sort() : null;
        if (field === "CREATED_AT" && !filter) {
          return {
            size: this.count,
            indexAt: (position) => position,
            keyAt: (position) => [this.createdAtOf(position), position]
          };
        }
        const cacheKey = `${this.version}|${field}|${filter?.join(",") ?? "*"}`;
        const cached2 = this.orderings.get(cacheKey);
        if (cached2) return cached2;
        const keys = new Float64Array(this.count);
        const selected = [];
        for (let index = 0; index < this.count; index++) {
          const skeleton = this.skeleton(index);
          keys[index] = field === "CREATED_AT" ? skeleton.createdAt : skeleton.updatedAt;
          if (!filter || filter.includes(skeleton.state)) selected.push(index);
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
        this.orderings.clear();
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
          const start = Math.floor(random() * this.count);
          for (let step = 0; step < this.count; step++) {
            const index = (start + step) % this.count;
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
function cut(size, start, end, args) {
  let from = Math.max(0, Math.min(start, size));
  let to = Math.max(from, Math.min(end, size));
  if (args.first != null) to = Math.min(to, from + args.first);
  if (args.last != null) from = Math.max(from, to - args.last);
  return { start: from, end: to, hasPreviousPage: from > 0, hasNextPage: to < size };
}
function sortedWindow(list, field, descending, args) {
  const size = list.size;
  let start = 0;
  let end = size;
  if (args.after != null) {
    const key = parseSortKeyCursor(args.after, field, "after");
    start = descending ? size - lowerBound(list, key) : upperBound(list, key);
  }
  if (args.before != null) {
    const key = parseSortKeyCursor(args.before, field, "before");
    end = descending ? size - upperBound(list, key) : lowerBound(list, key);
  }
  return cut(size, start, end, args);
}
function arrayWindow(size, args) {
  const start = args.after != null ? parseOffsetCursor(args.after, "after") + 1 : 0;
  const end = args.before != null ? parseOffsetCursor(args.before, "before") : size;
  return cut(size, start, end, args);
}
function connection(totalCount, window, nodeAt, cursorAt) {
  const positions = Array.from({ length: window.end - window.start }, (_, i) => window.start + i);
  let built;
  const nodes = () => {
    built ??= positions.map(nodeAt);
    return built;
  };
  const empty = positions.length === 0;
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
var PREFIX, FIELD_TAGS;
var init_connection = __esm({
  "src/simulator/connection.ts"() {
    "use strict";
    init_dataset();
    PREFIX = "cursor:v2:";
    FIELD_TAGS = { CREATED_AT: "c", UPDATED_AT: "u" };
  }
});

// src/simulator/resolvers.ts
import {
  GraphQLError as GraphQLError2,
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
  return new GraphQLError2(message, { extensions: { type, ...extensions } });
}
function int32(value, context) {
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
    databaseId: int32(pr.databaseId, context),
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
    totalCommentsCount: pr.comments.length,
    repository: () => repositoryObject(repository, context),
    labels: (args) => listConnection(pr.labels, args, (label) => ({
      __typename: "Label",
      id: `LA_${label.name}`,
      name: label.name,
      color: label.color
    })),
    reviews: (args) => {
      const states = args.states;
      const author = args.author;
      const reviews = pr.reviews.filter(
        (review) => (!states || states.includes(review.state)) && (!author || review.author?.login === author)
      );
      return listConnection(reviews, args, (review) => ({
        __typename: "PullRequestReview",
        id: review.nodeId,
        author: actorObject(review.author),
        state: review.state,
        submittedAt: review.submittedAt === null ? null : isoSeconds(review.submittedAt),
        createdAt: isoSeconds(review.createdAt),
        body: review.body,
        bodyText: review.body
      }));
    },
    comments: (args) => listConnection(pr.comments, args, (comment) => ({
      __typename: "IssueComment",
      id: comment.nodeId,
      author: actorObject(comment.author),
      createdAt: isoSeconds(comment.createdAt),
      body: comment.body,
      bodyText: comment.body
    }))
  };
}
function pullRequestConnection(repository, args, context, info) {
  if (!context.token.canReadPullRequests(repository.owner, repository.name)) {
    const by = context.token.kind === "integration" ? "integration" : "personal access token";
    throw githubError("FORBIDDEN", `Resource not accessible by ${by}`, { saml_failure: false });
  }
  const orderBy = args.orderBy;
  const field = orderBy?.field ?? "CREATED_AT";
  if (field !== "CREATED_AT" && field !== "UPDATED_AT") {
    throw new GraphQLError2(`The simulator does not model ordering pull requests by ${field}.`);
  }
  const descending = orderBy?.direction === "DESC";
  const states = args.states ?? null;
  const list = repository.ordered(field, states);
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
    pullRequests: (args, ctx, info) => pullRequestConnection(repository, args, ctx, info)
  };
}
function visibleRepository(context, owner, name) {
  const repository = context.dataset.repository(owner, name);
  return repository && context.token.canSee(repository.owner, repository.name) ? repository : void 0;
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
var INT32_MAX, EMPTY_PAGE_INFO, fieldResolver;
var init_resolvers = __esm({
  "src/simulator/resolvers.ts"() {
    "use strict";
    init_connection();
    INT32_MAX = 2 ** 31 - 1;
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
function authorColumns(author) {
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
    ...authorColumns(pr.author),
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    base_ref: pr.baseRefName,
    head_ref: pr.headRefName,
    url: pr.url,
    field_profile: profile
  };
  if (profile === "core") return record;
  record.labels = pr.labels.slice(0, LABELS_PER_PULL_REQUEST).map((label) => label.name);
  record.review_decision = pr.reviewDecision;
  record.review_count = pr.reviews.length;
  record.comment_count = pr.comments.length;
  if (profile === "standard") return record;
  record.reviews = pr.reviews.slice(0, FULL_PROFILE_ITEMS_PER_PULL_REQUEST).map((review) => ({
    author_login: review.author?.login ?? null,
    state: review.state,
    submitted_at: iso(review.submittedAt)
  }));
  record.comments = pr.comments.slice(0, FULL_PROFILE_ITEMS_PER_PULL_REQUEST).map((comment) => ({
    author_login: comment.author?.login ?? null,
    created_at: isoSeconds(comment.createdAt),
    body_length: comment.body.length
  }));
  return record;
}
function groundTruth(repository, profile) {
  const records = [];
  for (let index = 0; index < repository.pullRequestCount; index++) {
    const record = expectedRecord(repository.pullRequest(index), profile);
    if (record) records.push(record);
  }
  return records;
}
var init_ground_truth = __esm({
  "src/simulator/ground-truth.ts"() {
    "use strict";
    init_queries();
    init_resolvers();
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
  const base = toGitHubError2(error);
  const rewrite = (message, extensions) => ({
    ...base,
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
  return base;
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

// src/simulator/static-checks.ts
import {
  GraphQLError as GraphQLError3,
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
  const fail = (message, type) => new GraphQLError3(message, { nodes: [node], path, extensions: type ? { type } : {} });
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
      if (isConnection(type) && field.args.some((a) => a.name === "first")) {
        errors.push(...paginationErrors(field, selection, args, fieldPath, fragments));
      }
      if (selection.selectionSet) walk2(selection.selectionSet, type, fieldPath);
    }
  };
  const root = operation.operation === "query" ? schema.getQueryType() : schema.getMutationType();
  walk2(operation.selectionSet, root ?? void 0, []);
  return { errors, dryRun };
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
  GraphQLError as GraphQLError4,
  getOperationAST,
  getVariableValues,
  parse as parse2,
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
async function startSimulator(options) {
  const dataset = "repositories" in options.dataset && typeof options.dataset.repository === "function" ? options.dataset : createDataset(options.dataset);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const schema = githubSchema();
  const requests = [];
  const windows = /* @__PURE__ */ new Map();
  let faults = { ...options.faults, next: [...options.faults?.next ?? []] };
  let faultRandom = mulberry32(options.faults?.seed ?? 1);
  let requestCount = 0;
  const checkedDocuments = /* @__PURE__ */ new Map();
  const parseAndValidate = (query) => {
    let checked = checkedDocuments.get(query);
    if (!checked) {
      try {
        const document = parse2(query);
        checked = { document, validationErrors: validate(schema, document) };
      } catch (error) {
        checked = { syntaxError: error };
      }
      if (checkedDocuments.size >= 1e3) checkedDocuments.clear();
      checkedDocuments.set(query, checked);
    }
    return checked;
  };
  const limitOf = (token) => options.tokens[token]?.limit ?? 5e3;
  const windowOf = (token) => {
    const at = now();
    let window = windows.get(token);
    if (!window || at >= window.startedAt + HOUR_MS) {
      window = { startedAt: at, used: 0 };
      windows.set(token, window);
    }
    return window;
  };
  const budget = (token) => {
    const window = windows.get(token);
    const at = now();
    const current = window && at < window.startedAt + HOUR_MS ? window : void 0;
    const limit = limitOf(token);
    const used = Math.min(current?.used ?? 0, limit);
    const resetAtMs = (current?.startedAt ?? at) + HOUR_MS;
    return { limit, used, remaining: limit - used, resetAt: isoSecondsMs(resetAtMs), resetAtMs };
  };
  const tokenAccess = (token) => {
    const settings = options.tokens[token] ?? {};
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
    const settings = options.tokens[token];
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
    const rejected = (errors, validation = false) => ({
      response: errorsOnly(errors.map(validation ? toGitHubValidationError : toGitHubError2)),
      cost: 0,
      fault: faultKind
    });
    const checked = parseAndValidate(payload.query);
    if ("syntaxError" in checked) return rejected([checked.syntaxError]);
    if (checked.validationErrors.length > 0) return rejected(checked.validationErrors, true);
    const document = checked.document;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return rejected([
        new GraphQLError4(
          operationName ? `Unknown operation named "${operationName}".` : "An operation name is required"
        )
      ]);
    }
    log.operationName = operation.name?.value ?? null;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return rejected(coerced.errors);
    const checks = staticChecks(schema, document, operation, coerced.coerced);
    if (checks.errors.length > 0) return rejected(checks.errors);
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
        response: primaryRateLimited(user, window.used >= limit, options.primaryLimitStatus ?? 200),
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
      resetAt: isoSecondsMs(window.startedAt + HOUR_MS),
      nodeCount: predicted.nodeCount
    };
    const context = {
      dataset,
      token: tokenAccess(token),
      rateLimit,
      servedRepositories: /* @__PURE__ */ new Set(),
      int32Overflow: options.int32Overflow ?? "null"
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
    const latency = typeof options.latencyMs === "function" ? options.latencyMs({ index, cost: predicted.cost, nodeCount: predicted.nodeCount }) : options.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    const body = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) body.errors = result.errors.map(toGitHubError2);
    return { response: { status: 200, body }, cost: charge, fault: faultKind };
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
    const path = new URL(request.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    const token = tokenFrom(request.headers.authorization);
    const known = token !== null && token in options.tokens;
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
    requests.push(log);
    const requestId = { "x-github-request-id": requestIdFor(index) };
    const isGraphql = GRAPHQL_PATHS.has(path) && request.method === "POST";
    const isRateLimit = RATE_LIMIT_PATHS.has(path) && request.method === "GET";
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
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dataset,
    budget,
    setFaults(plan) {
      faults = { ...plan, next: [...plan?.next ?? []] };
      faultRandom = mulberry32(plan?.seed ?? 1);
    },
    groundTruth(owner, name, profile) {
      const repository = dataset.repository(owner, name);
      if (!repository) throw new Error(`no repository ${owner}/${name} in the dataset`);
      return groundTruth(repository, profile);
    },
    stop: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => error ? reject(error) : resolve());
    })
  };
}
var HOUR_MS, MAX_NODES, MAX_BODY_BYTES, GRAPHQL_PATHS, RATE_LIMIT_PATHS, realSleep;
var init_server = __esm({
  "src/simulator/server.ts"() {
    "use strict";
    init_cost();
    init_schema();
    init_dataset();
    init_ground_truth();
    init_random();
    init_resolvers();
    init_responses();
    init_static_checks();
    HOUR_MS = 36e5;
    MAX_NODES = 5e5;
    MAX_BODY_BYTES = 5 * 1024 * 1024;
    GRAPHQL_PATHS = /* @__PURE__ */ new Set(["/graphql", "/api/graphql"]);
    RATE_LIMIT_PATHS = /* @__PURE__ */ new Set(["/rate_limit", "/api/v3/rate_limit"]);
    realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  }
});

// src/domain/repository-spec.ts
var OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
var NAME = /^[A-Za-z0-9._-]{1,100}$/;
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
  if (!OWNER.test(owner)) {
    throw new InvalidRepositorySpecError(
      `"${raw}": "${owner}" is not a valid GitHub owner (letters, digits and single hyphens, at most 39 characters)`
    );
  }
  if (name === "*") return { owner, name: "*" };
  if (!NAME.test(name) || name === "." || name === "..") {
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
var ConfigError = class extends Error {
  constructor(setting, message) {
    super(`${setting}: ${message}`);
    this.setting = setting;
  }
  setting;
  name = "ConfigError";
};
var isInt = (n) => Number.isInteger(n);
function validateOptions(o) {
  if (!(o.completenessThreshold > 0 && o.completenessThreshold <= 1)) {
    throw new ConfigError(
      "completeness-threshold",
      `must be a number above 0 and at most 1, got ${o.completenessThreshold}`
    );
  }
  if (!isInt(o.minPrs) || o.minPrs < 0)
    throw new ConfigError("min-prs", `must be a whole number ≥ 0, got ${o.minPrs}`);
  if (o.chunkSize !== void 0 && (!isInt(o.chunkSize) || o.chunkSize < 1 || o.chunkSize > 100)) {
    throw new ConfigError(
      "chunk-size",
      `must be a whole number from 1 to 100 (GitHub's page limit), got ${o.chunkSize}`
    );
  }
  if (o.maxChunks !== void 0 && (!isInt(o.maxChunks) || o.maxChunks < 1)) {
    throw new ConfigError("max-chunks", `must be a whole number ≥ 1, got ${o.maxChunks}`);
  }
  if (o.reservePoints !== void 0 && (!isInt(o.reservePoints) || o.reservePoints < 0)) {
    throw new ConfigError("reserve-points", `must be a whole number ≥ 0, got ${o.reservePoints}`);
  }
  if (!(o.timeBudgetMs > 0) || !Number.isFinite(o.timeBudgetMs)) {
    throw new ConfigError("time-budget", `must be a positive duration, got ${o.timeBudgetMs} ms`);
  }
  if (o.concurrency !== void 0 && (!isInt(o.concurrency) || o.concurrency < 1 || o.concurrency > 32)) {
    throw new ConfigError("concurrency", `must be a whole number from 1 to 32, got ${o.concurrency}`);
  }
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

// src/entry/exit-codes.ts
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
    return summary2.outcome === "failed" ? ExitCode.Unexpected : ExitCode.Partial;
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
import { Command as Command7, CommanderError } from "commander";

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
    build: "node scripts/build.mjs",
    bundle: "node scripts/build.mjs",
    typecheck: "tsc --noEmit -p tsconfig.json",
    lint: "biome check .",
    format: "biome format --write .",
    test: "vitest run",
    demo: "node dist/cli.js demo",
    bench: "tsx scripts/bench/index.ts",
    chaos: "tsx scripts/chaos/index.ts"
  },
  dependencies: {
    "@actions/core": "^3.0.1",
    "@actions/github": "^9.1.1",
    "@electric-sql/pglite": "^0.5.16",
    "@octokit/core": "^7.0.8",
    "@octokit/graphql-schema": "^15.26.1",
    "@octokit/plugin-retry": "^8.1.1",
    "@octokit/plugin-throttling": "^11.0.5",
    "@octokit/request-error": "^7.1.2",
    "@supabase/supabase-js": "^2.109.0",
    bottleneck: "^2.19.5",
    "cli-progress": "^3.12.0",
    commander: "^14.0.3",
    graphql: "^16.15.0",
    "p-retry": "^7.1.1",
    pg: "^8.23.1",
    ws: "^8.23.0"
  },
  devDependencies: {
    "@action-validator/cli": "^0.6.0",
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
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join3 } from "node:path";
import { Command as Command2, Option as Option3 } from "commander";

// src/entry/format.ts
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
function progressRow(row) {
  const note = row.backfillStatus === "paused" ? `paused until ${row.pausedUntil ?? "?"}${row.pauseReason ? `: ${row.pauseReason}` : ""}` : row.lastError ?? "";
  return [
    row.fullName,
    row.backfillStatus,
    formatCount(row.storedPrCount),
    formatCount(row.prTotalCount),
    row.progressPct === null ? "–" : formatPercent(row.progressPct / 100),
    row.prsPerHour === null ? "–" : formatCount(row.prsPerHour),
    row.etaSeconds === null ? "–" : formatDuration(row.etaSeconds * 1e3),
    note.length > 80 ? `${note.slice(0, 77)}...` : note
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
function statusTable(rows) {
  if (rows.length === 0)
    return "No repositories are tracked yet: run `progressive-backfill track --repo owner/name`.";
  return textTable(PROGRESS_HEADERS, rows.map(progressRow));
}
function summaryLine(summary2) {
  const parts = [
    `${summary2.dryRun ? "dry run" : "run"} ${summary2.outcome}`,
    `${formatCount(summary2.prsWritten)} pull requests written`,
    `${formatCount(summary2.pointsSpent)} points`,
    formatDuration(summary2.durationMs)
  ];
  if (summary2.stopReason) parts.push(`stopped: ${summary2.stopReason}`);
  const critical = summary2.errors.critical.length;
  const warnings = summary2.errors.warnings.length;
  if (critical + warnings > 0) parts.push(`${critical} critical error(s), ${warnings} warning(s)`);
  return parts.join(" · ");
}

// src/cli/parsers.ts
import { InvalidArgumentError } from "commander";
var DIGITS = /^\d+$/;
var DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
function integerIn(min, max = Number.MAX_SAFE_INTEGER, why = "") {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (text) => {
    const trimmed = text.trim();
    const value = DIGITS.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number ${range}${why}.`);
    }
    return value;
  };
}
function ratio(text) {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const digits = percent ? trimmed.slice(0, -1) : trimmed;
  const value = DECIMAL.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new InvalidArgumentError("must be a number above 0 and at most 1 (e.g. 0.8 or 80%).");
  }
  return value;
}
function duration(text) {
  try {
    return parseDuration(text, "duration");
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new InvalidArgumentError("must be a duration such as 90s, 10m or 1h30m.");
    }
    throw error;
  }
}
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
function collectIntegers(parse3) {
  return (text, previous = []) => [...previous, parse3(text)];
}
function httpUrl(text) {
  let parsed;
  try {
    parsed = new URL(text.trim());
  } catch {
    throw new InvalidArgumentError("must be an http:// or https:// URL.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidArgumentError("must be an http:// or https:// URL.");
  }
  return text.trim().replace(/\/+$/, "");
}
function postgresUrl(text) {
  let parsed;
  try {
    parsed = new URL(text.trim());
  } catch {
    throw new InvalidArgumentError("must be a URL like postgres://USER@HOST:5432/DATABASE.");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    const hint = parsed.protocol === "https:" || parsed.protocol === "http:" ? " (a Supabase project URL goes with --supabase-url)" : "";
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
    case "run.planned": {
      const p = event.plan;
      return `plan: ${event.candidates} repositor${event.candidates === 1 ? "y" : "ies"} to work on, pages of ${p.pageSize}${p.windowsPerRequest === 2 ? "×2" : ""} PRs, up to ${formatCount(p.pagesPlanned)} pages (${p.pointsPerPage} points each, ${formatCount(p.remaining)} points left until ${p.resetAt}), ${p.concurrency} at once`;
    }
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
      if (event.type === "run.planned" || event.type === "error" || event.type === "health") {
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
  } else if (summary2.outcome === "completed") {
    ctx.out("Nothing to do: no tracked repository needs work (name one with --repo owner/name).");
  }
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
import { Option } from "commander";

// src/entry/open-store.ts
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
async function openBackend(backend) {
  switch (backend.kind) {
    case "postgres": {
      const { createPostgresStore: createPostgresStore2 } = await Promise.resolve().then(() => (init_postgres(), postgres_exports));
      return createPostgresStore2(backend.databaseUrl);
    }
    case "supabase": {
      const { createSupabaseStore: createSupabaseStore2 } = await Promise.resolve().then(() => (init_supabase(), supabase_exports));
      return createSupabaseStore2(backend.supabaseUrl, backend.serviceRoleKey);
    }
    case "pglite": {
      if (backend.dataDir !== null) {
        const { mkdir } = await import("node:fs/promises");
        await mkdir(backend.dataDir, { recursive: true });
      }
      const { createPgliteStore: createPgliteStore2 } = await Promise.resolve().then(() => (init_pglite(), pglite_exports));
      return createPgliteStore2(backend.dataDir);
    }
  }
}

// src/cli/shared-options.ts
init_client();
var DEFAULT_DATA_DIR = "./.progressive-backfill/db";
var DEFAULT_GITHUB_API_URL = "https://api.github.com";
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
      `GitHub REST API base: ${DEFAULT_GITHUB_API_URL}, or https://HOST/api/v3 for GitHub Enterprise Server; env GITHUB_API_URL`
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
function envValue(ctx, name, parse3, setting) {
  const raw = ctx.env[name];
  if (raw === void 0 || raw.trim() === "") return void 0;
  try {
    return parse3(raw);
  } catch (error) {
    throw new ConfigError(setting, `${name} ${error.message}`);
  }
}
function githubToken(ctx) {
  const token = ctx.env.GITHUB_TOKEN?.trim() || ctx.env.GH_TOKEN?.trim();
  if (!token) {
    throw new ConfigError(
      "GITHUB_TOKEN",
      'no GitHub token: export GITHUB_TOKEN (or GH_TOKEN) with a token that can read the repositories (a fine-grained token with "Pull requests: read", or `gh auth token`)'
    );
  }
  return token;
}
function githubApiUrl(flags, ctx) {
  return flags.githubApiUrl ?? envValue(ctx, "GITHUB_API_URL", httpUrl, "github-api-url") ?? DEFAULT_GITHUB_API_URL;
}
function githubClient(flags, ctx) {
  return createGitHubClient({ token: githubToken(ctx), apiUrl: githubApiUrl(flags, ctx) });
}

// src/cli/verify.ts
var OPTIONAL_COLUMNS = [
  "labels",
  "review_decision",
  "review_count",
  "comment_count",
  "reviews",
  "comments"
];
var TIMESTAMP_COLUMNS = /* @__PURE__ */ new Set(["created_at", "updated_at", "closed_at", "merged_at"]);
var MAX_REPORTED = 10;
async function readStoredPullRequests(db, owner, name) {
  const { rows } = await db.query(
    `select to_jsonb(p) - 'id' - 'repository_id' - 'captured_at'
              || jsonb_build_object('github_id', p.github_id::text, 'author_github_id', p.author_github_id::text) as pr
       from pull_requests p
       join repositories r on r.id = p.repository_id
      where lower(r.owner) = lower($1) and lower(r.name) = lower($2)
      order by p.number`,
    [owner, name]
  );
  return rows.map((row) => typeof row.pr === "string" ? JSON.parse(row.pr) : row.pr);
}
function sameValue(column, expected, actual) {
  if (TIMESTAMP_COLUMNS.has(column) && typeof expected === "string" && typeof actual === "string") {
    return Date.parse(expected) === Date.parse(actual);
  }
  return JSON.stringify(expected ?? null) === JSON.stringify(actual ?? null);
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

// src/cli/commands/run.ts
init_pull_request();
import { hostname } from "node:os";
import { Command, Option as Option2 } from "commander";

// src/engine/run.ts
init_types();

// src/engine/budget.ts
function defaultReserve(limit) {
  return Math.max(Math.ceil(limit * 0.1), 100);
}
function pageShapes(github, profile) {
  const shapes = [];
  for (const windows of [1, 2]) {
    for (let size = 1; size <= 100; size++) {
      const points = github.predictCost({
        owner: "o",
        name: "n",
        profile,
        forward: { first: size, after: null },
        ...windows === 2 ? { backward: { last: size, before: null } } : {}
      });
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
  const shape = input.chunkSize ? input.shapes.find((s) => s.windowSize === input.chunkSize && s.windows === 2) ?? bestShape(input.shapes) : bestShape(input.shapes);
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
function timeBudgetCheck(input) {
  return {
    name: "time-budget",
    async check() {
      const left = input.deadline - input.clock.now();
      const need = input.pageEstimateMs();
      if (left < need)
        return {
          status: "halt",
          reason: `time budget spent (${Math.max(0, left)} ms left, a page takes ~${need} ms)`
        };
      if (left < need * 3) return { status: "warn", reason: `time budget nearly spent (${left} ms left)` };
      return { status: "ok", reason: `${left} ms left` };
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

// src/engine/fetch-page.ts
init_types();
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
  const base = Math.min(3e4, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}
async function fetchWithRetry(ctx, size, build, send, onWait) {
  let lastError;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (ctx.signal.aborted) throw new StopRequested("stop requested");
    const request = build(size.current);
    const points = ctx.github.predictCost(request);
    await reservePoints(ctx, points, onWait);
    const started = ctx.clock.now();
    try {
      const page = await send(request);
      ctx.ledger.settle(points, page.rateLimit, page.rateLimit.cost);
      ctx.pageTimer.observe(ctx.clock.now() - started);
      size.succeeded();
      return { page, request };
    } catch (error) {
      ctx.ledger.cancel(points);
      lastError = error;
      if (!(error instanceof GitHubError)) throw error;
      if (error.kind === "primary_rate_limit") {
        ctx.ledger.markExhausted(error.details.resetAt);
        throw error;
      }
      let wait;
      if (error.kind === "transient") {
        size.shrink();
        wait = backoffMs(attempt);
      } else if (error.kind === "secondary_rate_limit") {
        wait = Math.max(error.details.retryAfterMs ?? 6e4, backoffMs(attempt));
      } else {
        throw error;
      }
      ctx.record({
        severity: "warning",
        repository: `${request.owner}/${request.name}`,
        kind: error.kind,
        message: `${error.message} (attempt ${attempt + 1}, retrying in ${wait} ms with pages of ${size.current})`
      });
      await ctx.clock.sleep(wait, ctx.signal);
      await onWait?.(wait);
    }
  }
  throw lastError;
}

// src/engine/page-size.ts
var AdaptivePageSize = class {
  constructor(max, floor = Math.min(5, max), growAfter = 3) {
    this.max = max;
    this.floor = floor;
    this.growAfter = growAfter;
    this.size = max;
  }
  max;
  floor;
  growAfter;
  size;
  streak = 0;
  get current() {
    return this.size;
  }
  shrink() {
    this.size = Math.max(this.floor, Math.floor(this.size / 2));
    this.streak = 0;
  }
  succeeded() {
    this.streak++;
    if (this.streak >= this.growAfter && this.size < this.max) {
      this.size = Math.min(this.max, this.size * 2);
      this.streak = 0;
    }
  }
};

// src/engine/refresh.ts
var CLOCK_SKEW_MS = 5 * 6e4;
async function refreshRepository(ctx, target, watermark, report2) {
  const since = new Date(Date.parse(watermark) - CLOCK_SKEW_MS).toISOString();
  const size = new AdaptivePageSize(100);
  let after = null;
  let newest = null;
  while (ctx.stopReason() === null) {
    const { page } = await fetchWithRetry(
      ctx,
      size,
      (first) => ({ owner: target.owner, name: target.name, profile: ctx.profile, first, after }),
      (request) => ctx.github.fetchUpdatedPullRequests(request)
    );
    const nodes = page.forward?.nodes ?? [];
    newest ??= nodes[0]?.updated_at ?? watermark;
    const fresh = nodes.filter((pr) => pr.updated_at >= since);
    const reachedWatermark = fresh.length < nodes.length || !page.forward?.hasMore;
    const result = await ctx.store.commitRefresh({
      repositoryId: target.repositoryId,
      runId: ctx.runId,
      prs: fresh,
      pointsSpent: page.rateLimit.cost,
      newWatermark: reachedWatermark ? newest : null
    });
    report2.prsWritten += result.inserted + result.updated;
    report2.pointsSpent += page.rateLimit.cost;
    report2.pages++;
    report2.storedAfter += result.inserted;
    if (reachedWatermark) {
      if (report2.outcome !== "completed") report2.outcome = "refreshed";
      return;
    }
    after = page.forward?.cursor ?? null;
  }
}

// src/engine/repository-worker.ts
init_types();
init_types2();

// src/engine/walk.ts
function parseWalkCursor(state) {
  if (state === null) return { v: 1, after: null, before: null, forwardEdge: null, backwardEdge: null };
  if (state.v !== 1)
    throw new Error(`unknown cursor state version ${String(state.v)}: upgrade progressive-backfill`);
  return state;
}
function walkRequest(cursor, repo, profile, windowSize, windows) {
  return {
    owner: repo.owner,
    name: repo.name,
    profile,
    forward: { first: windowSize, after: cursor.after },
    ...windows === 2 ? { backward: { last: windowSize, before: cursor.before } } : {}
  };
}
var edge = (pr) => ({ id: pr.node_id, createdAt: pr.created_at });
function advanceWalk(cursor, page) {
  const forward = page.forward?.nodes ?? [];
  const backward = page.backward?.nodes ?? [];
  const forwardEnded = page.forward ? !page.forward.hasMore : false;
  const backwardEnded = page.backward ? !page.backward.hasMore : false;
  const backwardEdge = backward[0] ? edge(backward[0]) : cursor.backwardEdge;
  const forwardLast = forward.at(-1);
  const forwardEdge = forwardLast ? edge(forwardLast) : cursor.forwardEdge;
  const met = crossed(forward, cursor.backwardEdge ?? (backward[0] ? edge(backward[0]) : null)) || crossed(backward, cursor.forwardEdge, true) || sharesNode(forward, backward);
  const fresh = [
    ...forward.filter((pr) => !crossed([pr], cursor.backwardEdge)),
    ...backward.filter((pr) => !crossed([pr], cursor.forwardEdge, true))
  ];
  const byId = /* @__PURE__ */ new Map();
  for (const pr of fresh) byId.set(pr.github_id, pr);
  return {
    prs: [...byId.values()],
    done: forwardEnded || backwardEnded || met,
    next: {
      v: 1,
      after: page.forward?.cursor ?? cursor.after,
      before: page.backward ? page.backward.cursor ?? cursor.before : cursor.before,
      forwardEdge,
      backwardEdge
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

// src/engine/repository-worker.ts
var HEALTH_TIMEOUT_MS = 5e3;
var WARN_DELAY_MS = 2e3;
async function backfillRepository(ctx, target, report2) {
  const size = new AdaptivePageSize(ctx.plan.pageSize);
  while (ctx.stopReason() === null) {
    const verdict = await runHealthChecks(ctx.healthChecks, HEALTH_TIMEOUT_MS);
    for (const r of verdict.results) {
      if (r.status !== "ok") ctx.emit({ type: "health", check: r.check, status: r.status, reason: r.reason });
    }
    if (verdict.status === "halt") {
      ctx.halt(verdict.results.find((r) => r.status === "halt").reason);
      break;
    }
    if (verdict.status === "warn") {
      size.shrink();
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
    const { end, retryAt } = await runChunk(ctx, target, lease, size, report2);
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
async function runChunk(ctx, target, lease, size, report2) {
  const token = lease.fencingToken;
  let expected = lease.cursor;
  let cursor = parseWalkCursor(lease.cursor);
  let pages = 0;
  let waited = 0;
  const heartbeat = async (waitedMs) => {
    waited += waitedMs;
    if (waited < 1e4) return;
    waited = 0;
    await ctx.store.heartbeat(lease.chunkId, token, ctx.leaseSeconds);
  };
  const fetchNext = (from) => fetchWithRetry(
    ctx,
    size,
    (windowSize) => walkRequest(from, target, lease.fieldProfile, windowSize, ctx.plan.windowsPerRequest),
    (request) => ctx.github.fetchPullRequests(request),
    heartbeat
  ).then(({ page }) => ({ page, cursor: from }));
  let inFlight = fetchNext(cursor);
  try {
    while (inFlight) {
      const started = ctx.clock.now();
      const { page } = await inFlight;
      inFlight = null;
      const step = advanceWalk(cursor, page);
      const commit = ctx.store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: token,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: step.next,
        prs: step.prs,
        pointsSpent: page.rateLimit.cost,
        skippedNodes: page.skippedNodes,
        githubTotalCount: page.totalCount,
        done: step.done,
        leaseSeconds: ctx.leaseSeconds
      });
      pages++;
      if (!step.done && pages < ctx.pagesPerChunk && ctx.stopReason() === null && !ctx.signal.aborted) {
        inFlight = fetchNext(step.next);
        inFlight.catch(() => {
        });
      }
      const result = await commit;
      expected = step.next;
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
        pageSize: size.current,
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
      if (step.done) return { end: "done" };
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
async function handleChunkError(ctx, target, lease, error) {
  const token = lease.fencingToken;
  const repository = target.fullName;
  const release = () => ctx.store.releaseChunk(lease.chunkId, token).catch(() => {
  });
  if (error instanceof StopRequested) {
    await release();
    return { end: "stopped" };
  }
  if (error instanceof BudgetExhausted) {
    await release();
    ctx.halt(error.message);
    return { end: "budget" };
  }
  if (error instanceof StoreError) {
    if (error.code === "stale_lease" || error.code === "cursor_conflict") {
      ctx.record({
        severity: "warning",
        repository,
        kind: "store",
        message: error.message,
        chunkId: lease.chunkId
      });
      return { end: "lost" };
    }
    await release();
    ctx.record({
      severity: "critical",
      repository,
      kind: "store",
      message: error.message,
      chunkId: lease.chunkId
    });
    return { end: "failed" };
  }
  if (error instanceof GitHubError) {
    if (error.kind === "primary_rate_limit") {
      const resumeAt = new Date(
        error.details.resetAt ? Date.parse(error.details.resetAt) : ctx.clock.now() + 36e5
      );
      await ctx.store.pauseRepository(target.repositoryId, "primary rate limit reached", resumeAt);
      ctx.record({
        severity: "warning",
        repository,
        kind: error.kind,
        message: error.message,
        chunkId: lease.chunkId
      });
      ctx.halt("primary rate limit reached");
      return { end: "paused" };
    }
    if (error.kind === "auth") {
      await release();
      ctx.record({ severity: "critical", repository: null, kind: error.kind, message: error.message });
      ctx.halt(error.message);
      return { end: "stopped" };
    }
    if (error.kind === "not_found" || error.kind === "permission") {
      await ctx.store.failBackfill(target.repositoryId, error.message);
      ctx.record({
        severity: "critical",
        repository,
        kind: error.kind,
        message: error.message,
        chunkId: lease.chunkId
      });
      return { end: "failed" };
    }
  }
  const kind = error instanceof GitHubError ? error.kind : "internal";
  const message = error instanceof Error ? error.message : String(error);
  const retryable = !(error instanceof GitHubError && error.kind === "invalid");
  const failed = await ctx.store.failChunk({
    chunkId: lease.chunkId,
    fencingToken: token,
    error: message,
    retryable,
    maxFailures: 5
  });
  if (failed.chunkStatus === "failed") {
    ctx.record({
      severity: "critical",
      repository,
      kind,
      message: `gave up after repeated failures: ${message}`,
      chunkId: lease.chunkId
    });
    return { end: "failed" };
  }
  if (failed.consecutiveErrors >= ctx.breakerThreshold) {
    const resumeAt = new Date(ctx.clock.now() + ctx.breakerCooldownMs);
    await ctx.store.pauseRepository(
      target.repositoryId,
      `circuit breaker: ${failed.consecutiveErrors} consecutive errors`,
      resumeAt
    );
    ctx.record({
      severity: "warning",
      repository,
      kind,
      message: `paused until ${resumeAt.toISOString()} after ${failed.consecutiveErrors} consecutive errors: ${message}`
    });
    return { end: "paused" };
  }
  ctx.record({
    severity: "warning",
    repository,
    kind,
    message: `chunk will be retried: ${message}`,
    chunkId: lease.chunkId
  });
  return { end: "retry", ...failed.retryAt ? { retryAt: Date.parse(failed.retryAt) } : {} };
}

// src/engine/select.ts
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
async function selectRepositories(store, github, options) {
  const { refs, emptyOwners } = await expandSpecs(github, options.repositories);
  const { found, missing } = await lookUp(github, refs);
  missing.push(...emptyOwners);
  if (refs.length === 0 && !options.dryRun) {
    const tracked = (await store.progress()).map((row) => {
      const [owner, name] = row.fullName.split("/");
      return { owner, name };
    });
    const current = await lookUp(github, tracked);
    for (const info of current.found) await track(store, info);
    missing.push(...current.missing);
  }
  const named = [];
  for (const info of found) {
    if (!options.dryRun) {
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
        backfillStatus: "idle"
      }
    );
  }
  const namedIds = named.filter((r) => r.id > 0).map((r) => r.id);
  const force = options.force === true && refs.length > 0;
  let candidates = await store.selectRepositories({
    threshold: force ? 1 : options.completenessThreshold,
    minPrs: options.minPrs,
    limit: 1e3,
    // Naming a repository asks for it now: a completed one is refreshed whatever its last refresh.
    ...force ? { repositoryIds: namedIds, refreshAfterSeconds: 0 } : {}
  });
  if (refs.length > 0) {
    const wanted = new Set(namedIds);
    candidates = candidates.filter((c) => wanted.has(c.repositoryId));
  }
  const chosen = new Set(candidates.map((c) => c.repositoryId));
  const skipped = [];
  for (const row of named) {
    if (chosen.has(row.id)) continue;
    if (row.id < 0) {
      const total = row.prTotalCount ?? 0;
      if (force || total >= options.minPrs) {
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
          watermark: null
        });
        continue;
      }
    }
    skipped.push({
      fullName: row.fullName,
      repositoryId: row.id > 0 ? row.id : null,
      reason: skipReason(row, options),
      row
    });
  }
  return { candidates, skipped, missing, named };
}
function skipReason(row, options) {
  const total = row.prTotalCount ?? 0;
  if (row.backfillStatus === "failed" || row.backfillStatus === "stalled" || row.backfillStatus === "cancelled") {
    return `backfill is ${row.backfillStatus}; name it with --repo (force) to restart it`;
  }
  if (row.backfillStatus === "paused") return "paused until its resume time";
  if (total < options.minPrs) return `${total} PRs on GitHub, under min-prs ${options.minPrs}`;
  const completeness = total > 0 ? row.storedPrCount / total : 1;
  if (completeness >= options.completenessThreshold) {
    return `${Math.round(completeness * 100)}% stored, at or over the ${Math.round(options.completenessThreshold * 100)}% threshold`;
  }
  return "being worked on by another worker";
}

// src/engine/run.ts
var INITIAL_PAGE_ESTIMATE_MS = 1500;
var PASSING_KINDS = /* @__PURE__ */ new Set(["primary_rate_limit", "secondary_rate_limit", "transient"]);
async function runBackfill(options, deps) {
  validateOptions(options);
  const clock = deps.clock ?? systemClock;
  const emit = deps.onEvent ?? (() => {
  });
  const { store, github } = deps;
  const started = clock.now();
  const deadline = started + options.timeBudgetMs;
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
  const runId = options.dryRun ? null : await store.startRun({
    trigger: options.trigger,
    triggerRef: options.triggerRef,
    workerId: options.workerId,
    dryRun: false
  });
  emit({ type: "run.started", runId, dryRun: options.dryRun, at: isoAt(clock) });
  const reports = /* @__PURE__ */ new Map();
  let plan = null;
  let runFailed = false;
  let queueLeft = 0;
  try {
    if (!options.dryRun) await store.recoverStuckChunks({ requeueLimit: 3, graceSeconds: 30 });
    const rateLimit = await github.rateLimit();
    const selection = await selectRepositories(store, github, options);
    for (const fullName of selection.missing) {
      record({
        severity: "critical",
        repository: fullName,
        kind: "not_found",
        message: `${fullName} does not exist or the token cannot see it`
      });
      reports.set(fullName, emptyReport(fullName, null, "failed", "not found on GitHub"));
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
    plan = planRun({
      rateLimit,
      shapes: pageShapes(github, options.fieldProfile),
      candidates: candidates.length,
      timeBudgetMs: options.timeBudgetMs,
      pageLatencyMs: INITIAL_PAGE_ESTIMATE_MS,
      now: clock.now(),
      ...pick(options, ["reservePoints", "chunkSize", "maxChunks", "concurrency"])
    });
    emit({ type: "run.planned", plan, candidates: candidates.length });
    if (options.dryRun) {
      describeDryRun(candidates, reports, plan);
    } else {
      const ledger = new BudgetLedger(rateLimit, plan.reserve, plan.pagesPlanned);
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
        workerId: options.workerId,
        profile: options.fieldProfile,
        leaseSeconds: options.leaseSeconds ?? 120,
        pagesPerChunk: options.pagesPerChunk ?? 25,
        breakerThreshold: options.breakerThreshold ?? 5,
        breakerCooldownMs: options.breakerCooldownMs ?? 15 * 6e4,
        deadline,
        pageTimer,
        healthChecks: [
          rateLimitFloorCheck({
            canAfford: () => !ledger.exhausted(plan.pointsPerPage),
            resetsAt: () => ledger.resetsAt(),
            deadline,
            clock
          }),
          timeBudgetCheck({ deadline, clock, pageEstimateMs: () => pageTimer.ms }),
          ...store.databaseLoad ? [databaseLoadCheck(() => store.databaseLoad())] : [],
          ...options.healthChecks ?? []
        ],
        stopReason,
        halt: (reason2) => {
          haltReason ??= reason2;
        },
        record
      };
      const queue = [...candidates];
      const worker = async () => {
        for (let c = queue.shift(); c && stopReason() === null; c = queue.shift()) {
          await processCandidate(ctx, c, reports.get(c.fullName), options);
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
  const unfinished = queueLeft > 0 || repositories.some((r) => r.outcome === "in_progress" || r.outcome === "paused");
  const reason = stopReason();
  const fatal = runFailed || errors.summary().critical.some((e) => e.kind === "auth");
  const outcome = fatal ? "failed" : unfinished && reason !== null ? "interrupted" : unfinished || errors.hasCritical() ? "partial" : "completed";
  const summary2 = {
    runId,
    outcome,
    dryRun: options.dryRun,
    plan,
    prsWritten: repositories.reduce((n, r) => n + r.prsWritten, 0),
    pointsSpent: repositories.reduce((n, r) => n + r.pointsSpent, 0),
    repositories,
    errors: errors.summary(),
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
    stopReason: unfinished ? reason : null
  };
  if (runId !== null) {
    await store.finishRun({ runId, outcome, errorSummary: summary2.errors });
  }
  emit({ type: "run.finished", summary: summary2 });
  return summary2;
}
async function processCandidate(ctx, c, report2, options) {
  const target = {
    repositoryId: c.repositoryId,
    owner: c.owner,
    name: c.name,
    fullName: c.fullName
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
    let watermark = c.watermark;
    if (c.needsStart) {
      watermark = new Date(ctx.clock.now()).toISOString();
      await ctx.store.startBackfill(c.repositoryId, options.fieldProfile);
    }
    if (c.needsStart || !c.needsRefresh) await backfillRepository(ctx, target, report2);
    const backfilled = report2.outcome === "completed" || c.needsRefresh && !c.needsStart;
    if (backfilled && watermark && ctx.stopReason() === null)
      await refreshRepository(ctx, target, watermark, report2);
  } catch (error) {
    const kind = error instanceof GitHubError ? error.kind : "internal";
    const message = error instanceof Error ? error.message : String(error);
    const budget = error instanceof Error && error.name === "BudgetExhausted";
    if (budget) ctx.halt(message);
    else
      ctx.record({
        severity: error instanceof GitHubError && error.fatal ? "critical" : "warning",
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
var DEFAULT_TIME_BUDGET = "6h";
function addBackfillOptions(command) {
  return command.addOption(
    new Option2(
      "--chunk-size <n>",
      "pull requests per page request, 1-100 (GitHub's limit); default: planned from the budget"
    ).argParser(integerIn(1, 100, " (GitHub's page limit)")).helpGroup("Backfill:")
  ).addOption(
    new Option2("--max-chunks <n>", "page requests this run at most; default: as many as the budget allows").argParser(integerIn(1)).helpGroup("Backfill:")
  ).addOption(
    new Option2(
      "--field-profile <profile>",
      "columns to fetch: core (cheapest), standard (+labels, review counts), full (+reviews, comments)"
    ).choices(FIELD_PROFILES).default("core").helpGroup("Backfill:")
  ).addOption(
    new Option2("--time-budget <duration>", "stop starting new pages after this long, e.g. 90s, 10m, 1h30m").argParser(duration).default(duration(DEFAULT_TIME_BUDGET), DEFAULT_TIME_BUDGET).helpGroup("Backfill:")
  ).addOption(
    new Option2("--concurrency <n>", "repositories worked on at once, 1-32; default: planned").argParser(integerIn(1, 32)).helpGroup("Backfill:")
  ).addOption(
    new Option2(
      "--reserve-points <n>",
      "GraphQL points left untouched for other tools; default: 10% of the limit, at least 100"
    ).argParser(integerIn(0)).helpGroup("Backfill:")
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
    ).argParser(ratio).default(0.8).helpGroup("Selection:")
  ).addOption(
    new Option2("--min-prs <n>", "without --repo: skip repositories with fewer pull requests than this").argParser(integerIn(0)).default(100).helpGroup("Selection:")
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
  const options = {
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
  validateOptions(options);
  return options;
}
async function run(flags, ctx) {
  const named = (flags.repo?.length ?? 0) + (flags.repositoryId?.length ?? 0) > 0;
  const options = backfillOptions(flags, flags.repo ?? [], named);
  const backend = storeBackend(flags, ctx);
  const github = githubClient(flags, ctx);
  const store = await openBackend(backend);
  try {
    for (const id of flags.repositoryId ?? []) {
      const row = await store.getRepository({ id });
      if (!row) throw new ConfigError("repository-id", `no tracked repository has id ${id} (see \`status\`)`);
      options.repositories.push({ owner: row.owner, name: row.name });
    }
    const mode = renderMode(flags.json, ctx);
    const summary2 = await executeRun(options, { store, github }, mode, ctx);
    printSummary(summary2, mode, ctx);
    return exitCodeFor(summary2);
  } finally {
    await store.close();
  }
}
async function executeRun(options, deps, mode, ctx) {
  const renderer = createRenderer(mode, ctx);
  let summary2;
  try {
    summary2 = await runBackfill(options, {
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
  const options = backfillOptions(
    { ...flags, completenessThreshold: 1, minPrs: 0, workerId: flags.workerId ?? "cli:demo" },
    [{ owner: DEMO_OWNER, name: "*" }],
    true
  );
  const mode = renderMode(flags.json, ctx);
  const [
    { startSimulator: startSimulator2 },
    { createGitHubClient: createGitHubClient2 },
    { PGlite: PGlite2 },
    { applyMigrations: applyMigrations2, pgliteExecutor: pgliteExecutor2 },
    { pgliteStore: pgliteStore2 }
  ] = await Promise.all([
    Promise.resolve().then(() => (init_server(), server_exports)),
    Promise.resolve().then(() => (init_client(), client_exports)),
    import("@electric-sql/pglite"),
    Promise.resolve().then(() => (init_migrate(), migrate_exports)),
    Promise.resolve().then(() => (init_pglite(), pglite_exports))
  ]);
  const repositories = demoRepositories(flags.prs);
  const sim = await startSimulator2({
    dataset: {
      seed: DEMO_SEED,
      repositories: repositories.map((r) => ({ ...r, ownerType: "Organization" }))
    },
    tokens: { [DEMO_TOKEN]: { limit: 5e3, login: "demo-user" } },
    latencyMs: flags.latency
  });
  const temporary = flags.dataDir === void 0 ? await mkdtemp(join3(tmpdir(), "progressive-backfill-demo-")) : null;
  const dataDir = flags.dataDir ?? join3(temporary, "db");
  try {
    if (mode !== "json") {
      ctx.err(
        `demo: simulated GitHub at ${sim.url} with ${repositories.map((r) => `${r.owner}/${r.name} (${formatCount(r.pullRequests)} PRs)`).join(", ")}`
      );
      ctx.err(`demo: embedded database in ${flags.dataDir ?? "a temporary folder"}`);
    }
    const db = await PGlite2.create(dataDir);
    await applyMigrations2(pgliteExecutor2(db)).catch(async (error) => {
      await db.close();
      throw error;
    });
    const store = pgliteStore2(db);
    try {
      const github = createGitHubClient2({ token: DEMO_TOKEN, apiUrl: sim.url });
      const summary2 = await executeRun(options, { store, github }, mode, ctx);
      const verification = await verify(
        db,
        repositories,
        options.fieldProfile,
        (owner, name) => sim.groundTruth(owner, name, options.fieldProfile)
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
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}
async function verify(db, repositories, profile, truth) {
  const out = [];
  for (const { owner, name } of repositories) {
    const stored = await readStoredPullRequests(db, owner, name);
    const comparison = compareWithGroundTruth(truth(owner, name), stored, profile);
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

// src/cli/commands/recover.ts
import { Command as Command4, Option as Option4 } from "commander";
function recoverCommand(ctx, done) {
  const command = new Command4("recover").description(
    "Recover stuck work: chunks whose lease expired go back to pending (or become stalled after --requeue-limit recoveries, visible in `status`), and runs whose worker stopped heart-beating are marked interrupted."
  ).addOption(
    new Option4("--requeue-limit <n>", "recoveries of one chunk before it is marked stalled").argParser(integerIn(0, 1e3)).default(3)
  ).addOption(
    new Option4("--grace-seconds <n>", "seconds past lease expiry before a chunk counts as stuck").argParser(integerIn(0, 86400)).default(60)
  );
  addDatabaseOptions(command);
  addJsonOption(command, "the counts");
  return command.action(async (flags) => {
    const store = await openBackend(storeBackend(flags, ctx));
    try {
      await store.assertSchema();
      const result = await store.recoverStuckChunks({
        requeueLimit: flags.requeueLimit,
        graceSeconds: flags.graceSeconds
      });
      ctx.out(
        flags.json ? JSON.stringify(result) : `requeued ${result.requeued} chunk(s), marked ${result.stalled} stalled, marked ${result.runsInterrupted} run(s) interrupted`
      );
    } finally {
      await store.close();
    }
    done(ExitCode.Ok);
  });
}

// src/cli/commands/status.ts
import { Command as Command5 } from "commander";
function statusCommand(ctx, done) {
  const command = new Command5("status").description(
    "Print backfill progress: stored and GitHub totals, progress, rate and ETA per tracked repository."
  );
  addDatabaseOptions(command);
  addJsonOption(command, "the progress rows");
  return command.action(async (flags) => {
    const store = await openBackend(storeBackend(flags, ctx));
    try {
      await store.assertSchema();
      const rows = await store.progress();
      ctx.out(flags.json ? JSON.stringify(rows, null, 2) : statusTable(rows));
    } finally {
      await store.close();
    }
    done(ExitCode.Ok);
  });
}

// src/cli/commands/track.ts
import { Command as Command6, Option as Option5 } from "commander";
function trackCommand(ctx, done) {
  const command = new Command6("track").description("Track repositories: look them up on GitHub and add them to the set `run` works through.").addOption(
    new Option5(
      "--repo <owner/name>",
      "repository to track, or owner/* for all of an owner; repeatable, comma lists allowed"
    ).argParser(collectRepositories).makeOptionMandatory()
  ).addOption(
    new Option5(
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
    const store = await openBackend(backend);
    const rows = [];
    try {
      await store.assertSchema();
      for (const info of found) rows.push(await track(store, info, flags.priority));
    } finally {
      await store.close();
    }
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

// src/domain/redact.ts
var REDACTED = "[REDACTED]";
var MIN_SECRET_LENGTH = 4;
var PATTERNS = [
  // GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens
  { regex: /\bgh[pousr]_[A-Za-z0-9]{16,}\b/g, replace: REDACTED },
  // fine-grained personal access tokens
  { regex: /\bgithub_pat_[A-Za-z0-9_]{16,}/g, replace: REDACTED },
  // JWTs: Supabase anon/service-role keys, GitHub App and Actions OIDC tokens. The payload may be cut short.
  { regex: /\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g, replace: REDACTED },
  // Supabase's newer opaque secret keys
  { regex: /\bsb_secret_[A-Za-z0-9_-]{8,}/g, replace: REDACTED },
  // the password of any scheme://user:password@host URL; greedy to the last `@` of the authority
  { regex: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#]*@/gi, replace: `$1${REDACTED}@` },
  // libpq key=value connection strings
  { regex: /(\b(?:password|passwd|pwd)\s*=\s*)[^\s&;'"]+/gi, replace: `$1${REDACTED}` },
  // Authorization header values of any scheme
  {
    regex: /(\bauthorization["']?\s*[:=]\s*["']?(?:bearer|token|basic)\s+)[^\s"',}]+/gi,
    replace: `$1${REDACTED}`
  },
  // bearer credentials anywhere; real ones are long, which spares prose such as "bearer authentication"
  { regex: /(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, replace: `$1${REDACTED}` }
];
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function secretForms(secrets) {
  const forms = /* @__PURE__ */ new Set();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
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
    result = result.replace(regex, replace);
  }
  return result;
}

// src/cli/context.ts
var SECRET_ENV = ["GITHUB_TOKEN", "GH_TOKEN", "SUPABASE_SERVICE_ROLE_KEY", "PB_DATABASE_URL"];
function urlPasswords(url) {
  if (!url) return [];
  try {
    const password = new URL(url).password;
    if (!password) return [];
    const decoded = (() => {
      try {
        return decodeURIComponent(password);
      } catch {
        return password;
      }
    })();
    return [password, decoded];
  } catch {
    return [];
  }
}
function createContext(io, argv) {
  const secrets = [];
  for (const name of SECRET_ENV) {
    const value = io.env[name];
    if (value) secrets.push(value, ...urlPasswords(value));
  }
  for (const arg of argv) secrets.push(...urlPasswords(arg.replace(/^--[\w-]+=/, "")));
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
  const program = new Command7(PROGRAM).description(
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
    migrateCommand(ctx, done)
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
