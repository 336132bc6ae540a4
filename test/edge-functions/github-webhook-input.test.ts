/**
 * The webhook's answers to whatever arrives: a body too large is refused without being read, and no input — signed
 * or not, well-formed or not — gets a 5xx, which GitHub would redeliver forever; 5xx is kept for our own failures.
 * Against a real Postgres database through the real store.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleGitHubWebhook, MAX_WEBHOOK_BODY_BYTES } from '../../src/edge-functions/github-webhook.ts';
import { signWebhookBody } from '../../src/edge-functions/webhook-signature.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SECRET = 'vitest-webhook-secret';
const URL = 'http://localhost/functions/v1/github-webhook';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresStore(database.url);
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

function pullRequestEvent(): Record<string, unknown> {
  return {
    action: 'opened',
    number: 5,
    pull_request: {
      id: 2_000_000_005,
      node_id: 'PR_kwDOinput5',
      number: 5,
      html_url: 'https://github.com/acme/input/pull/5',
      state: 'open',
      title: 'Input',
      body: null,
      draft: false,
      created_at: '2024-05-01T10:00:00Z',
      updated_at: '2024-05-01T10:00:00Z',
      closed_at: null,
      merged_at: null,
      user: { login: 'octocat', id: 583231, type: 'User' },
      labels: [{ id: 1, name: 'bug' }],
      base: { ref: 'main' },
      head: { ref: 'input' },
      additions: 1,
      deletions: 1,
      changed_files: 1,
    },
    repository: { id: 9_100_005, node_id: 'R_kgDOinput', name: 'input', owner: { login: 'acme' } },
  };
}

async function signed(body: string, event = 'pull_request'): Promise<Request> {
  return new Request(URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': await signWebhookBody(SECRET, body),
    },
    body,
  });
}

/** A body of endless 64 KiB chunks that counts what was pulled and whether it was cancelled. */
function endlessBody() {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const seen = { pulledBytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulledBytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe('the body cap (GitHub delivers at most 25 MB)', () => {
  test('a declared Content-Length above it is answered 413 before a byte is read', async () => {
    const { stream, seen } = endlessBody();
    const request = new Request(URL, {
      method: 'POST',
      headers: { 'content-length': String(MAX_WEBHOOK_BODY_BYTES + 1), 'x-github-event': 'pull_request' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const response = await handleGitHubWebhook(request, { store, secret: SECRET });
    expect(response.status).toBe(413);
    // a ReadableStream pulls once on its own to fill its queue; the handler never asked for more
    expect(seen.pulledBytes).toBeLessThanOrEqual(64 * 1024);
  });

  test('a streamed body is cancelled as soon as it passes the cap, never buffered whole', async () => {
    const { stream, seen } = endlessBody();
    const request = new Request(URL, {
      method: 'POST',
      headers: { 'x-github-event': 'pull_request' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const response = await handleGitHubWebhook(request, { store, secret: SECRET });
    expect(response.status).toBe(413);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulledBytes).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES);
    expect(seen.pulledBytes).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 3 * 64 * 1024);
  });

  test('a body at the cap is read and judged on its signature', async () => {
    const body = `{"zen":"${' '.repeat(MAX_WEBHOOK_BODY_BYTES - 10)}"}`;
    expect(new TextEncoder().encode(body).byteLength).toBe(MAX_WEBHOOK_BODY_BYTES);
    const response = await handleGitHubWebhook(await signed(body, 'ping'), { store, secret: SECRET });
    expect(response.status).toBe(200);
  });
});

describe('invalid input is answered 4xx, never 5xx', () => {
  test.each<[string, string | Uint8Array<ArrayBuffer>]>([
    ['malformed JSON', '{"action": "opened",'],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a JSON array', '[]'],
    ['a JSON string', '"pull_request"'],
  ])('%s is 400', async (_name, body) => {
    const request = new Request(URL, {
      method: 'POST',
      headers: {
        'x-github-event': 'pull_request',
        'x-hub-signature-256': await signWebhookBody(SECRET, body),
      },
      body,
    });
    const response = await handleGitHubWebhook(request, { store, secret: SECRET });
    expect(response.status).toBe(400);
  });

  test('a delivery without X-GitHub-Event is 400', async () => {
    const body = JSON.stringify(pullRequestEvent());
    const request = await signed(body);
    request.headers.delete('x-github-event');
    const response = await handleGitHubWebhook(request, { store, secret: SECRET });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/X-GitHub-Event/);
  });

  const PATHS = [
    [],
    ['action'],
    ['pull_request'],
    ...['id', 'node_id', 'number', 'html_url', 'state', 'title', 'body', 'draft', 'created_at', 'updated_at']
      .concat(['closed_at', 'merged_at', 'user', 'labels', 'base', 'head', 'additions', 'changed_files'])
      .map((key) => ['pull_request', key]),
    ['pull_request', 'user', 'login'],
    ['pull_request', 'user', 'id'],
    ['pull_request', 'labels', '0'],
    ['pull_request', 'base', 'ref'],
    ['repository'],
    ['repository', 'id'],
    ['repository', 'node_id'],
    ['repository', 'name'],
    ['repository', 'owner'],
    ['repository', 'owner', 'login'],
  ];
  const NUL = String.fromCharCode(0);
  const nasty = fc.constantFrom<unknown>(
    undefined,
    null,
    NUL,
    `acme${NUL}`,
    '\ud800',
    '',
    '9'.repeat(30),
    '-1',
    -1,
    0,
    2 ** 31,
    2 ** 63,
    1e308,
    1.5,
    '2024-13-45T99:00:00Z',
    'not a date',
    'x'.repeat(10_000),
    'OPEN',
    'merged',
    [],
    {},
    true,
  );
  const value = fc.oneof(nasty, fc.jsonValue({ maxDepth: 2 }));

  function mutated(path: string[], replacement: unknown): unknown {
    if (path.length === 0) return replacement;
    const payload = pullRequestEvent();
    let node = payload as Record<string, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = path.at(-1)!;
    if (replacement === undefined) delete node[last];
    else node[last] = replacement;
    return payload;
  }

  test('a signed delivery with any field replaced by anything is answered 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        value,
        fc.constantFrom('pull_request', 'ping', 'issues', 'push', 'pull_request_review', 'issue_comment'),
        async (path, replacement, event) => {
          const body = JSON.stringify(mutated(path, replacement)) ?? 'undefined';
          const response = await handleGitHubWebhook(await signed(body, event), { store, secret: SECRET });
          const answer = await response.text();
          expect(
            response.status,
            `${path.join('.')} = ${JSON.stringify(replacement)}: ${answer}`,
          ).toBeLessThan(500);
        },
      ),
      { seed: 20261202, numRuns: 250 },
    );
  });
});
