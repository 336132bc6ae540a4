/** Small web-standard helpers shared by the function handlers; they run unchanged under Node and Deno. */

/**
 * A request the handler cannot use: answered with its 4xx status (400 unless said otherwise) and the message, which
 * never contains secrets.
 */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 422 = 400,
  ) {
    super(message);
    this.name = 'PayloadError';
  }
}

/**
 * The body, never more than `limit` bytes of it: a declared Content-Length above the limit is refused before anything
 * is read, and a body that streams past it (chunked, or lying about its length) is cancelled at that point. Either
 * way the answer is a 413 PayloadError, and unbounded input is never buffered.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => new PayloadError(`the body is larger than ${limit} bytes`, 413);
  const declared = request.headers.get('content-length')?.trim();
  if (declared && /^[0-9]+$/.test(declared) && Number(declared) > limit) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new PayloadError('the body could not be read to its end');
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** An empty body is an empty object; anything else must be UTF-8 JSON. */
export function parseJsonBody(body: Uint8Array<ArrayBuffer>): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new PayloadError('the body is not valid UTF-8 JSON');
  }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

export function errorResponse(status: number, error: string): Response {
  return jsonResponse(status, { error });
}

const encoder = new TextEncoder();

/**
 * Compares a presented credential with the expected ones without leaking, through timing, how much of it matched.
 * WebCrypto has no timingSafeEqual, but `subtle.verify` compares MACs in constant time: sign the expected value
 * with a throwaway key and let verify check the presented one against it.
 */
export async function matchesAnySecret(presented: string, expected: readonly string[]): Promise<boolean> {
  const candidates = expected.filter((secret) => secret.length > 0);
  if (candidates.length === 0 || presented.length === 0) return false;
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const presentedBytes = encoder.encode(presented);
  let matched = false;
  // every candidate is checked, so the time spent does not say which one matched
  for (const secret of candidates) {
    const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(secret));
    if (await crypto.subtle.verify('HMAC', key, mac, presentedBytes)) matched = true;
  }
  return matched;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}
