/**
 * A tiny loopback HTTP server that answers like GitHub with canned responses, so the real client (octokit, its
 * plugins, fetch) is exercised over real sockets. Each request is recorded with the time it arrived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** parsed JSON body (GraphQL: { query, variables }) */
  body: { query?: string; variables?: Record<string, unknown> } & Record<string, unknown>;
  /** performance.now() when the request arrived */
  receivedAt: number;
}

export type StubReply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** destroy the socket without answering: the client sees a connection reset */
  | { reset: true }
  /** never answer (until the stub closes): the client's timeout has to fire */
  | { hang: true };

export type StubHandler = (request: StubRequest, stub: GitHubStub) => StubReply | Promise<StubReply>;

export interface GitHubStub {
  url: string;
  requests: StubRequest[];
  inFlight: number;
  maxInFlight: number;
  /** replace the handler; replies may also be queued with `enqueue` */
  handle(handler: StubHandler): void;
  /** answer the next requests with these replies, in order, before falling back to the handler */
  enqueue(...replies: StubReply[]): void;
  close(): Promise<void>;
}

/** Headers GitHub sends with every GraphQL answer, with the budget given. */
export function githubHeaders(
  budget: { limit?: number; remaining?: number; reset?: number; used?: number } = {},
) {
  const limit = budget.limit ?? 5000;
  const remaining = budget.remaining ?? 4990;
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v4; format=json',
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(budget.reset ?? 1_767_225_600),
    'x-ratelimit-used': String(budget.used ?? limit - remaining),
    'x-ratelimit-resource': 'graphql',
    'x-github-request-id': 'C0DE:1A2B:3C4D5E:6F7A8B:6790ABCD',
  };
}

export async function startGitHubStub(handler?: StubHandler): Promise<GitHubStub> {
  let current: StubHandler = handler ?? (() => ({ status: 404, body: { message: 'Not Found' } }));
  const queue: StubReply[] = [];
  const hanging = new Set<ServerResponse>();

  const stub: GitHubStub = {
    url: '',
    requests: [],
    inFlight: 0,
    maxInFlight: 0,
    handle(next) {
      current = next;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: StubRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text ? JSON.parse(text) : {},
      receivedAt: performance.now(),
    };
    stub.requests.push(request);
    stub.inFlight++;
    stub.maxInFlight = Math.max(stub.maxInFlight, stub.inFlight);
    try {
      const reply = queue.shift() ?? (await current(request, stub));
      if ('reset' in reply) {
        req.socket.destroy();
        return;
      }
      if ('hang' in reply) {
        hanging.add(res);
        return;
      }
      const body =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(body);
    } finally {
      stub.inFlight--;
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}
