/**
 * A loopback stand-in for Supabase's PostgREST, just enough of it to serve `POST /rest/v1/rpc/<fn>` the way the
 * real one does: key check, schema by profile header (Content-Profile for a POST; the first exposed schema when
 * absent; PGRST106 for one not exposed), function lookup in that schema by name and argument names (PGRST202 when
 * none fits), arguments
 * decoded with json_to_record (so JSON null is SQL NULL and "123" fills a bigint), the call run as service_role in
 * its own transaction, the result as JSON (204 for void) and errors as {code, message, details, hint} with
 * PostgREST's status codes. It lets the Supabase adapter's real requests run against a real database.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface PostgrestShim {
  /** base URL to hand to createClient, e.g. http://127.0.0.1:54321 */
  url: string;
  /** requests served, by function name */
  calls: string[];
  close(): Promise<void>;
}

interface FunctionSignature {
  argNames: string[];
  argTypes: string[];
  required: number;
  returnsVoid: boolean;
}

/** PostgREST's SQLSTATE → HTTP status table (the parts a backfill can hit). */
export function httpStatusFor(code: string): number {
  if (code === '42883' || code === '42P01') return 404;
  if (code === '42501') return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === 'P0001') return 400;
  const prefix = code.slice(0, 2);
  if (prefix === '08' || prefix === '53') return 503;
  if (prefix === '28' || prefix === '0L' || prefix === '0P') return 403;
  if (prefix === '54') return 413;
  if (['09', '25', '2D', '38', '39', '3B', '40', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].includes(prefix)) {
    return 500;
  }
  return 400;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text);
}

function sendError(
  response: ServerResponse,
  status: number,
  error: { code: string; message: string; details?: string | null; hint?: string | null },
): void {
  send(response, status, {
    code: error.code,
    message: error.message,
    details: error.details ?? null,
    hint: error.hint ?? null,
  });
}

/** supabase/config.toml's `[api] schemas`: the first is the default when a request names no profile. */
export const EXPOSED_SCHEMAS = ['public', 'graphql_public', 'progressive_backfill'];

export async function startPostgrestShim(options: {
  databaseUrl: string;
  serviceRoleKey: string;
  /** the exposed schemas, default EXPOSED_SCHEMAS */
  schemas?: string[];
}): Promise<PostgrestShim> {
  const exposed = options.schemas ?? EXPOSED_SCHEMAS;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8 });
  pool.on('error', () => {});
  const calls: string[] = [];

  async function signatures(schema: string, fn: string): Promise<FunctionSignature[]> {
    const { rows } = await pool.query<{
      arg_names: string[] | null;
      arg_types: string[];
      defaults: number;
      returns_void: boolean;
    }>(
      `select p.proargnames as arg_names,
              array(select format_type(t, null) from unnest(p.proargtypes) as t) as arg_types,
              p.pronargdefaults as defaults,
              p.prorettype = 'void'::regtype as returns_void
         from pg_proc p
        where p.pronamespace = to_regnamespace($1) and p.proname = $2`,
      [schema, fn],
    );
    return rows.map((row) => ({
      argNames: (row.arg_names ?? []).slice(0, row.arg_types.length),
      argTypes: row.arg_types,
      required: row.arg_types.length - row.defaults,
      returnsVoid: row.returns_void,
    }));
  }

  async function callFunction(
    schema: string,
    fn: string,
    signature: FunctionSignature,
    body: Record<string, unknown>,
  ): Promise<string | null> {
    const given = signature.argNames
      .map((name, index) => ({ name, type: signature.argTypes[index]! }))
      .filter(({ name }) => name in body);
    const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const call = `${quote(schema)}.${quote(fn)}(${given.map(({ name }) => `${quote(name)} := _.${quote(name)}`).join(', ')})`;
    const from = given.length
      ? ` from json_to_record($1::json) as _(${given.map(({ name, type }) => `${quote(name)} ${type}`).join(', ')})`
      : '';
    const select = signature.returnsVoid
      ? `select ${call}${from}`
      : `select to_json(${call})::text as body${from}`;
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('set local role service_role');
      const result = await client.query<{ body: string | null }>(
        select,
        given.length ? [JSON.stringify(body)] : [],
      );
      await client.query('commit');
      return signature.returnsVoid ? null : (result.rows[0]?.body ?? 'null');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://shim').pathname;
    const match = /^\/rest\/v1\/rpc\/([A-Za-z0-9_]+)$/.exec(path);
    const key = options.serviceRoleKey;
    if (request.headers.apikey !== key || request.headers.authorization !== `Bearer ${key}`) {
      sendError(response, 401, {
        code: '',
        message: 'Invalid API key',
        hint: 'Double check your Supabase key.',
      });
      return;
    }
    if (!match || request.method !== 'POST') {
      sendError(response, 404, { code: 'PGRST125', message: `Invalid path specified in request URL` });
      return;
    }
    const fn = match[1]!;
    const profile = request.headers['content-profile'];
    const schema = typeof profile === 'string' ? profile : exposed[0]!;
    if (!exposed.includes(schema)) {
      sendError(response, 406, {
        code: 'PGRST106',
        message: `The schema must be one of the following: ${exposed.join(', ')}`,
      });
      return;
    }
    calls.push(fn);
    const text = await readBody(request);
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      sendError(response, 400, { code: 'PGRST102', message: 'Empty or invalid json' });
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(response, 400, { code: 'PGRST102', message: 'Empty or invalid json' });
      return;
    }
    const record = body as Record<string, unknown>;
    const keys = Object.keys(record);
    const signature = (await signatures(schema, fn)).find(
      (candidate) =>
        keys.every((name) => candidate.argNames.includes(name)) &&
        candidate.argNames.slice(0, candidate.required).every((name) => keys.includes(name)),
    );
    if (!signature) {
      sendError(response, 404, {
        code: 'PGRST202',
        message: `Could not find the function ${schema}.${fn}(${keys.sort().join(', ')}) in the schema cache`,
        details: `Searched for the function ${schema}.${fn} with parameters ${keys.join(', ')}, but no matches were found in the schema cache.`,
      });
      return;
    }
    try {
      const result = await callFunction(schema, fn, signature, record);
      if (result === null) send(response, 204);
      else send(response, 200, result);
    } catch (error) {
      const failure = error as { code?: string; message?: string; detail?: string; hint?: string };
      const code = failure.code ?? 'XX000';
      sendError(response, httpStatusFor(code), {
        code,
        message: failure.message ?? String(error),
        details: failure.detail ?? null,
        hint: failure.hint ?? null,
      });
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, { code: 'XX000', message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
