import { describe, expect, it } from 'vitest';
import { connectionUrlSecrets, REDACTED, redactJson, redactSecrets } from '../../src/domain/redact.ts';

const R = REDACTED;
const TOKEN_BODY = '16C7e42F292c6912E7710c838347Ae178B4a';
const PAT = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ';
const HEX = '0123456789abcdef0123456789abcdef01234567';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ';

describe('credential shapes nobody configured', () => {
  it.each([
    // GitHub tokens after the separators that used to hide them from a word boundary
    ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].flatMap((prefix) => [
      [`${prefix} after a newline`, `failed:\n${prefix}${TOKEN_BODY}`, `failed:\n${R}`],
      [`${prefix} after an escaped newline`, `"failed:\\n${prefix}${TOKEN_BODY}"`, `"failed:\\n${R}"`],
      [`${prefix} after %20`, `?q=x%20${prefix}${TOKEN_BODY}&y`, `?q=x%20${R}&y`],
      [`${prefix} after _`, `TOKEN_${prefix}${TOKEN_BODY}`, `TOKEN_${R}`],
    ]),
    ['a token followed by _', `ghp_${TOKEN_BODY}_suffix done`, `${R} done`],
    ['a token in quotes', `token="ghs_${TOKEN_BODY}"`, `token="${R}"`],
    ['a token after =', `GITHUB_TOKEN=ghs_${TOKEN_BODY}`, `GITHUB_TOKEN=${R}`],
    ['a token after :', `x-access-token:gho_${TOKEN_BODY}@github.com`, `x-access-token:${R}@github.com`],
    ['a fine-grained token after _', `my_${PAT} used`, `my_${R} used`],
    ['a fine-grained token after %20', `a%20${PAT}`, `a%20${R}`],
    ['a 40-hex classic token', `token ${HEX} rejected`, `token ${R} rejected`],
    [
      'a 40-hex classic token after %20 (taking the escape along) and _',
      `x%20${HEX} y_${HEX}`,
      `x%${R} y_${R}`,
    ],
    ['a JWT service key after _', `KEY_${JWT}`, `KEY_${R}`],
    ['a JWT service key after %20 and a quote', `apikey%20${JWT} '${JWT}'`, `apikey%20${R} '${R}'`],
    ['a JWT after an escaped newline', `\\n${JWT}`, `\\n${R}`],
    // passwords
    ['password=', 'host=db password=hunter22 dbname=x', `host=db password=${R} dbname=x`],
    ['PGPASSWORD=', 'PGPASSWORD=hunter22 psql', `PGPASSWORD=${R} psql`],
    ['sslpassword=', 'sslkey=k.pem sslpassword=hunter22', `sslkey=k.pem sslpassword=${R}`],
    ['a single-quoted password with a space', "password='hunter 22' host=db", `password='${R}' host=db`],
    ['a single-quoted password with an escaped quote', "password='it\\'s 22' x", `password='${R}' x`],
    ['a double-quoted password', 'password="hunter 22" host=db', `password="${R}" host=db`],
    ['a JSON password', '{"user":"app","password":"hunter 22"}', `{"user":"app","password":"${R}"}`],
    ['a JSON password with spaces', '{"password" : "hunter 22"}', `{"password" : "${R}"}`],
    [
      'a JSON password in escaped JSON',
      '"{\\"password\\":\\"hunter 22\\"}"',
      `"{\\"password\\":\\"${R}\\"}"`,
    ],
    [
      'a password query parameter',
      'postgres://db/x?password=hunter22&sslmode=require',
      `postgres://db/x?password=${R}&sslmode=require`,
    ],
    [
      'an sslpassword query parameter',
      'postgres://u@db/x?sslmode=verify-full&sslpassword=p%20w',
      `postgres://u@db/x?sslmode=verify-full&sslpassword=${R}`,
    ],
    ['a userinfo password', 'postgres://app:s3cr3t%40pw@db:5432/x', `postgres://app:${R}@db:5432/x`],
    [
      'a userinfo password after _',
      'DATABASE_URL_postgres://app:pw1234@db/x',
      `DATABASE_URL_postgres://app:${R}@db/x`,
    ],
    [
      'a userinfo password after %20',
      'url%20postgresql://app:pw1234@db/x',
      `url%20postgresql://app:${R}@db/x`,
    ],
    ['a YAML-style password', 'password: hunter22', `password: ${R}`],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('keeps the messages people need to act on readable', () => {
    const messages = [
      'password authentication failed for user "backfill"',
      'could not resolve to a Repository with the name octo/missing',
      'the token expired after 3600 s; bearer authentication failed; retry ghp_ later',
      'postgres://backfill@db.example.com:5432/postgres?sslmode=require',
      'commit 0123456789abcdef is short enough to keep',
    ];
    for (const message of messages) expect(redactSecrets(message)).toBe(message);
  });
});

describe('configured secret values', () => {
  it.each([
    ['as given', 'p@ss word+/x', (s: string) => `failed: ${s}.`],
    ['URL-encoded', 'p@ss word+/x', (s: string) => `failed: ${encodeURIComponent(s)}.`],
    ['form-encoded', 'p@ss word+/x', (s: string) => `failed: ${encodeURIComponent(s).replace(/%20/g, '+')}.`],
    ['JSON-escaped', 'pa"ss\\word', (s: string) => `failed: ${JSON.stringify(s).slice(1, -1)}.`],
  ])('are removed %s', (_form, secret, embed) => {
    expect(redactSecrets(embed(secret), [secret])).toBe(`failed: ${R}.`);
  });
});

describe('redactJson', () => {
  it('redacts every string of a nested value and keeps everything else', () => {
    const summary = {
      totalErrors: 2,
      critical: [{ kind: 'auth', message: `rejected ghp_${TOKEN_BODY}`, repository: null }],
      nested: [['password=hunter22'], { ok: true, n: 1.5 }],
    };
    expect(redactJson(summary, ['hunter22'])).toEqual({
      totalErrors: 2,
      critical: [{ kind: 'auth', message: `rejected ${R}`, repository: null }],
      nested: [[`password=${R}`], { ok: true, n: 1.5 }],
    });
  });
});

describe('connectionUrlSecrets', () => {
  it.each([
    ['no password', 'postgres://app@db/x', []],
    ['a userinfo password, raw and decoded', 'postgres://app:p%40ss@db/x', ['p%40ss', 'p@ss']],
    ['a password query parameter', 'postgres://app@db/x?password=p%20w&sslmode=require', ['p%20w', 'p w']],
    [
      'an sslpassword query parameter',
      'postgres://db/x?sslmode=require&sslpassword=key+pass',
      ['key+pass', 'key pass'],
    ],
    ['both', 'postgres://app:one1@db/x?password=two2', ['one1', 'two2']],
    ['not a URL', 'not a url', []],
  ])('%s', (_name, url, expected) => {
    expect(connectionUrlSecrets(url)).toEqual(expected);
  });
});
