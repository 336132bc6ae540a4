/**
 * GitHub App authentication as GitHub does it: the app signs a short JWT (RS256, `iss` = app id) with its private
 * key, lists its installations and trades the JWT for an installation token that expires an hour later. Every
 * installation has its own rate-limit budget, shared by all tokens issued for it.
 */
import { verify } from 'node:crypto';
import type { TokenOptions } from './server.ts';

export interface SimulatedInstallation {
  id: number;
  /** the user or organisation the app is installed on */
  account: string;
  accountType?: 'Organization' | 'User';
  /** what the installation's tokens may see, and their budget (default 5,000 points an hour) */
  access?: TokenOptions;
}

export interface SimulatedApp {
  /** PEM public key of the app's private key; every JWT is checked against it */
  publicKey: string;
  installations: SimulatedInstallation[];
  /** how long an installation token lives (GitHub: one hour) */
  tokenLifetimeMs?: number;
}

export interface IssuedToken {
  token: string;
  appId: string;
  installationId: number;
  issuedAt: number;
  expiresAt: number;
}

export type AppAnswer = { status: number; body: unknown };

const HOUR_MS = 3_600_000;
const JWT_MAX_LIFETIME_S = 600;

/** The app id a JWT proves, or the reason GitHub would refuse it. */
export function verifyAppJwt(
  jwt: string,
  apps: Record<string, SimulatedApp>,
): { appId: string } | { refused: string } {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { refused: 'A JSON web token could not be decoded' };
  const [header, payload, signature] = parts as [string, string, string];
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  let alg: unknown;
  try {
    alg = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { refused: 'A JSON web token could not be decoded' };
  }
  const appId = String(claims.iss ?? '');
  const app = apps[appId];
  if (alg !== 'RS256' || !app) return { refused: "'Issuer' claim ('iss') must be an Integer" };
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    app.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return { refused: 'A JSON web token could not be decoded' };
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= iat || exp - iat > JWT_MAX_LIFETIME_S + 60) {
    return { refused: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { appId };
}

/** The REST side of GitHub Apps: installations and installation tokens. */
export function createAppEndpoints(apps: Record<string, SimulatedApp>, now: () => number) {
  const issued = new Map<string, IssuedToken>();
  let counter = 0;

  const installationOf = (appId: string, id: number) =>
    apps[appId]?.installations.find((installation) => installation.id === id);

  function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    jwt: string | null,
  ): AppAnswer | null {
    const listing = method === 'GET' && path === '/app/installations';
    const minting = method === 'POST' ? /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path) : null;
    if (!listing && !minting) return null;
    const proof = jwt ? verifyAppJwt(jwt, apps) : { refused: 'A JSON web token could not be decoded' };
    if ('refused' in proof) return { status: 401, body: { message: proof.refused, status: '401' } };
    const app = apps[proof.appId]!;
    if (listing) {
      const perPage = Math.min(100, Number(query.get('per_page') ?? 30) || 30);
      const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
      const slice = app.installations.slice((page - 1) * perPage, page * perPage);
      return {
        status: 200,
        body: slice.map((installation) => ({
          id: installation.id,
          app_id: Number(proof.appId),
          target_type: installation.accountType ?? 'Organization',
          account: { login: installation.account, type: installation.accountType ?? 'Organization' },
          repository_selection: 'all',
        })),
      };
    }
    const installation = installationOf(proof.appId, Number(minting![1]));
    if (!installation) return { status: 404, body: { message: 'Not Found', status: '404' } };
    counter += 1;
    const issuedAt = now();
    const entry: IssuedToken = {
      token: `ghs_sim${String(counter).padStart(5, '0')}${'x'.repeat(28)}`,
      appId: proof.appId,
      installationId: installation.id,
      issuedAt,
      expiresAt: issuedAt + (app.tokenLifetimeMs ?? HOUR_MS),
    };
    issued.set(entry.token, entry);
    return {
      status: 201,
      body: {
        token: entry.token,
        expires_at: new Date(entry.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { metadata: 'read', pull_requests: 'read' },
        repository_selection: 'all',
      },
    };
  }

  /** An installation token's access and budget key; expired tokens are unknown, as GitHub treats them. */
  function access(token: string): { budgetKey: string; options: TokenOptions } | 'expired' | null {
    const entry = issued.get(token);
    if (!entry) return null;
    if (now() >= entry.expiresAt) return 'expired';
    const installation = installationOf(entry.appId, entry.installationId)!;
    return {
      budgetKey: `installation:${entry.installationId}`,
      options: { kind: 'integration', login: `app-${entry.appId}[bot]`, ...installation.access },
    };
  }

  return { handle, access, issued: () => [...issued.values()] };
}
