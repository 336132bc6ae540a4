import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../../src/domain/redact.ts';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  it('removes every occurrence of a configured secret, as given and URL-encoded', () => {
    const secret = 'p@ss word/with:chars';
    const text = `a ${secret} b ${secret} c ${encodeURIComponent(secret)}`;

    expect(redactSecrets(text, [secret])).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED}`);
  });

  it('removes a secret that contains another configured secret whole', () => {
    expect(redactSecrets('key=abcd1234efgh', ['abcd', 'abcd1234efgh'])).toBe(`key=${REDACTED}`);
  });

  it.each([
    ['classic personal access token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['OAuth token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['Actions installation token', 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'],
    ['JWT such as a Supabase service-role key', JWT],
    ['Supabase secret key', 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz'],
  ])('removes an unconfigured %s', (_name, token) => {
    const redacted = redactSecrets(`request failed with ${token}: 401`);

    expect(redacted).toBe(`request failed with ${REDACTED}: 401`);
  });

  it('keeps a connection URL readable but removes its password', () => {
    const text =
      'connect postgres://backfill:s3cr3t%40pw@db.example.com:5432/postgres?sslmode=require failed';

    expect(redactSecrets(text)).toBe(
      `connect postgres://backfill:${REDACTED}@db.example.com:5432/postgres?sslmode=require failed`,
    );
  });

  it('removes passwords of key=value connection strings', () => {
    expect(redactSecrets('host=db user=app password=hunter22 dbname=x')).toBe(
      `host=db user=app password=${REDACTED} dbname=x`,
    );
  });

  it('removes bearer credentials and authorization header values', () => {
    expect(redactSecrets('Bearer abcdefghijklmnopqrstuvwxyz0123')).toBe(`Bearer ${REDACTED}`);
    expect(redactSecrets('{"authorization":"token 0123456789abcdef"}')).toBe(
      `{"authorization":"token ${REDACTED}"}`,
    );
  });

  it('leaves ordinary text alone', () => {
    const prose =
      'bearer authentication failed: the token expired after 3600 s; retry ghp_ later at https://api.github.com/graphql';

    expect(redactSecrets(prose, ['', 'ab'])).toBe(prose);
  });

  it('never lets a configured secret through, wherever it sits in the text', () => {
    // secrets drawn from characters absent from the placeholder, so the placeholder itself cannot spell one
    const char = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.!@#%^&*()/:'.split(''));
    const secret = fc.string({ unit: char, minLength: 4, maxLength: 40 });
    const filler = fc.string({ maxLength: 30 });
    fc.assert(
      fc.property(secret, fc.array(filler, { minLength: 1, maxLength: 5 }), (value, parts) => {
        const text = parts.join(value);
        const withSecretTwice = `${text}${value}${parts[0]}${value}`;
        expect(redactSecrets(withSecretTwice, [value])).not.toContain(value);
      }),
      { seed: 20240501, numRuns: 300 },
    );
  });
});
