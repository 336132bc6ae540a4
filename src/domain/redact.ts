/**
 * The one place that removes credentials from text before it reaches a log line, an error message, the database
 * or a GitHub issue. Everything that writes error text calls it: the store before every write that carries error
 * text, the GitHub client on its errors, the action and the CLI on every line they print.
 *
 * Two layers: the exact secret values the caller knows (inputs, environment), in every form they take in text, and
 * shapes that are credentials whoever they belong to (GitHub tokens, JWTs such as Supabase keys, passwords inside
 * connection strings, bearer headers). The second layer catches secrets nobody configured, e.g. a token echoed in
 * an upstream error message.
 *
 * The shapes deliberately have no leading word boundary: a secret glued to the text before it (`PGPASSWORD=`,
 * `x_ghp_…`, `%20ghp_…`, a literal `\n` in escaped JSON) must still be found. Redacting a little too much is the
 * price; a leak is not.
 */

export const REDACTED = '[REDACTED]';

/** Shorter values are not meaningful secrets, and replacing them would shred ordinary text (numbers, words). */
const MIN_SECRET_LENGTH = 4;

type Replacer = (match: string, ...groups: string[]) => string;

interface Pattern {
  regex: RegExp;
  /** keeps the non-secret prefix (e.g. `Bearer `, `postgres://user:`) so the text stays readable */
  replace: string | Replacer;
}

/** A quoted value keeps its quotes, so `"password":"…"` still reads as JSON once redacted. */
const keepQuotes: Replacer = (_match, key, value) => {
  const quote = /^\\?["']/.exec(value ?? '')?.[0] ?? '';
  return `${key}${quote}${REDACTED}${quote}`;
};

const PATTERNS: Pattern[] = [
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
    regex:
      /((?:password|passwd|pwd)(?:\\?["'])?\s*[=:]\s*)(\\"(?:[^"\\]|\\[^"])*\\"|\\?"(?:[^"\\]|\\.)*"?|\\?'(?:[^'\\]|\\.)*'?|[^\s&'"]+)/gi,
    replace: keepQuotes,
  },
  // Authorization header values of any scheme
  {
    regex: /(authorization["']?\s*[:=]\s*["']?(?:bearer|token|basic)\s+)[^\s"',}]+/gi,
    replace: `$1${REDACTED}`,
  },
  // bearer credentials anywhere; real ones are long, which spares prose such as "bearer authentication"
  { regex: /(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, replace: `$1${REDACTED}` },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every form a secret value takes in text: as given, URL-encoded (inside a connection URL), form-encoded (a query
 * string with `+` for spaces) and JSON-escaped (inside a serialized error).
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    const encoded = encodeURIComponent(secret);
    forms.add(secret);
    forms.add(encoded);
    forms.add(encoded.replace(/%20/g, '+'));
    forms.add(JSON.stringify(secret).slice(1, -1));
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
    result = typeof replace === 'string' ? result.replace(regex, replace) : result.replace(regex, replace);
  }
  return result;
}

/** Every string inside a JSON-like value redacted (a run's error summary before it is stored or published). */
export function redactJson<T>(value: T, secrets: readonly string[] = []): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactSecrets(node, secrets);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, walk(inner)]));
    }
    return node;
  };
  return walk(value) as T;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // a malformed escape: the raw form is the one to look for
  }
}

/**
 * The secrets inside a connection URL, as written and decoded: the userinfo password and any password given as a
 * query parameter (`?password=…`, `&sslpassword=…`, which libpq and node-postgres both accept). An unparseable
 * text has none; a caller that knows it holds a URL masks it whole instead.
 */
export function connectionUrlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found: string[] = [];
  if (parsed.password) found.push(parsed.password, decoded(parsed.password));
  for (const pair of parsed.search.slice(1).split('&')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const value = pair.slice(at + 1);
    if (/pass(?:word|wd)$/i.test(decoded(pair.slice(0, at))) && value !== '')
      found.push(value, decoded(value));
  }
  return [...new Set(found)];
}
