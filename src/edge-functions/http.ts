/** Small web-standard helpers shared by the function handlers; they run unchanged under Node and Deno. */

/** A request whose body the handler cannot use: answered with 400 and the message (never contains secrets). */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
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
