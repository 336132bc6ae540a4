/**
 * The redaction property: a secret embedded anywhere in arbitrary text, after any separator and before any other,
 * never survives. Each kind of secret is drawn at random in its real shape, together with the text around it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/domain/redact.ts';

const SEED = 20261202;
const RUNS = 400;

const chars = (alphabet: string, minLength: number, maxLength = minLength) =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength, maxLength });

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}-_`;

const githubToken = fc
  .tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), chars(BASE62, 36))
  .map(([prefix, body]) => prefix + body);
const fineGrainedToken = fc
  .tuple(chars(BASE62, 22), chars(BASE62, 59))
  .map(([id, secret]) => `github_pat_${id}_${secret}`);
const classicHexToken = chars('0123456789abcdef', 40);
const jwt = fc
  .tuple(chars(BASE64URL, 17, 40), chars(BASE64URL, 20, 120), chars(BASE64URL, 43))
  .map(([header, payload, signature]) => `eyJ${header}.eyJ${payload}.${signature}`);

/** Separators that once hid a secret from a word boundary, and the usual punctuation around values. */
const separator = fc.constantFrom(
  ...['', ' ', '\n', '\\n', '\r\n', '\t', '%20', '_', '"', "'", '`', '=', ':', ',', ';', '/', '?', '&', '#'],
  ...['@', '(', ')', '[', ']', '{', '}', '<', '>', '+', '-', '.', '|', '\\', '\\"', '%0A'],
);
const text = fc.string({ maxLength: 40 });

/** What a secret is embedded as; `secret` is the part that must not survive. */
interface Embedded {
  written: string;
  secret: string;
}

const PASSWORD_CHARS = `${BASE62}!#$%()*+,-./:;<>?@[]^_{|}~`;
const unquotedPassword = chars(PASSWORD_CHARS, 8, 30);
const quotedPassword = chars(`${PASSWORD_CHARS} =&`, 8, 30).filter((value) => value.trim().length >= 8);

const password: fc.Arbitrary<Embedded> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('password=', 'PGPASSWORD=', 'sslpassword=', 'Password = ', 'passwd='),
      unquotedPassword,
    )
    .map(([key, secret]) => ({ written: `${key}${secret}`, secret })),
  fc
    .tuple(fc.constantFrom('?password=', '&password=', '?sslpassword=', '&sslpassword='), unquotedPassword)
    .map(([key, secret]) => ({ written: `postgres://db/x${key}${encodeURIComponent(secret)}`, secret })),
  fc
    .tuple(fc.constantFrom("password='", 'password="', 'password = "'), quotedPassword)
    .map(([key, secret]) => ({ written: `${key}${secret}${key.at(-1)}`, secret })),
  quotedPassword.map((secret) => ({ written: JSON.stringify({ user: 'app', password: secret }), secret })),
  quotedPassword.map((secret) => ({
    written: JSON.stringify(JSON.stringify({ password: secret })),
    secret,
  })),
  fc.tuple(fc.constantFrom('postgres', 'postgresql', 'https'), quotedPassword).map(([scheme, secret]) => ({
    written: `${scheme}://app:${encodeURIComponent(secret)}@db.example.com:5432/x`,
    secret: encodeURIComponent(secret),
  })),
);

const token = (arbitrary: fc.Arbitrary<string>) =>
  arbitrary.map((secret): Embedded => ({ written: secret, secret }));

describe.each([
  ['GitHub tokens', token(githubToken)],
  ['fine-grained personal access tokens', token(fineGrainedToken)],
  ['40-hex classic tokens', token(classicHexToken)],
  ['JWTs (Supabase service keys)', token(jwt)],
  ['passwords in connection strings, URLs and JSON', password],
])('%s', (_kind, embedded) => {
  it('never survive, wherever they sit and whatever surrounds them', () => {
    fc.assert(
      fc.property(
        text,
        separator,
        embedded,
        separator,
        text,
        (before, open, { written, secret }, close, after) => {
          fc.pre(!`${before}${after}`.includes(secret));
          const redacted = redactSecrets(`${before}${open}${written}${close}${after}`);
          expect(redacted).not.toContain(secret);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
