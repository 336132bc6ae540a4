/**
 * Removes credentials from text before it reaches a log, an error message, the database or a GitHub issue.
 *
 * Two layers: the exact secret values the caller knows (inputs, environment), and shapes that are credentials
 * whoever they belong to (GitHub tokens, JWTs such as Supabase keys, passwords inside connection strings, bearer
 * headers). The second layer catches secrets the caller never configured, e.g. a token echoed back in an upstream
 * error message.
 */

export const REDACTED = '[REDACTED]';

/** Shorter values are not meaningful secrets, and replacing them would shred ordinary text (numbers, words). */
const MIN_SECRET_LENGTH = 4;

interface Pattern {
  regex: RegExp;
  /** keeps the non-secret prefix (e.g. `Bearer `, `postgres://user:`) so the text stays readable */
  replace: string;
}

const PATTERNS: Pattern[] = [
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
    replace: `$1${REDACTED}`,
  },
  // bearer credentials anywhere; real ones are long, which spares prose such as "bearer authentication"
  { regex: /(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, replace: `$1${REDACTED}` },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every form a secret value can take in text: as given and URL-encoded (as it appears inside a connection URL). */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // longest first, so a secret that contains another is removed whole
  return [...forms].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  const forms = secretForms(secrets);
  if (forms.length > 0) {
    result = result.replace(new RegExp(forms.map(escapeRegExp).join('|'), 'g'), REDACTED);
  }
  for (const { regex, replace } of PATTERNS) {
    result = result.replace(regex, replace);
  }
  return result;
}
