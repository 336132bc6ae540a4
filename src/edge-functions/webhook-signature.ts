/**
 * GitHub signs every delivery with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. The check uses
 * `crypto.subtle.verify`, which compares in constant time, so no hand-written comparison is needed and the same code
 * runs on Node, Deno and Supabase's Edge Runtime.
 */

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  );
}

export async function verifyWebhookSignature(
  secret: string,
  body: Uint8Array<ArrayBuffer>,
  signatureHeader: string | null,
): Promise<boolean> {
  // an empty secret would accept anything signed with an empty key: treat it as "nothing verifies"
  if (secret.length === 0 || !signatureHeader) return false;
  const match = SIGNATURE_PATTERN.exec(signatureHeader.trim());
  if (!match?.[1]) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), hexToBytes(match[1]), body);
}

/** The header value GitHub would send for this body; used by tests and local tooling that replay deliveries. */
export async function signWebhookBody(
  secret: string,
  body: string | Uint8Array<ArrayBuffer>,
): Promise<string> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytes));
  return `sha256=${Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
