// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are GitHub workflow expressions, not JS templates
import { describe, expect, test } from 'vitest';
import { readInputs, secretValues } from '../../src/action/inputs.ts';

const base: Record<string, string> = {
  'github-token': 'ghp_inputsTestToken00000000000000000000',
  'database-url': 'postgres://app:p%40ss-word@db.example:5432/app',
  repositories: 'acme/widgets',
};

const getter = (values: Record<string, string>) => (name: string) => values[name] ?? '';
const read = (overrides: Record<string, string> = {}) => readInputs(getter({ ...base, ...overrides }));

describe('action inputs', () => {
  test('defaults fill every optional input', () => {
    expect(read()).toEqual({
      command: 'run',
      operatorArgs: {},
      chunkIds: [],
      githubToken: base['github-token'],
      githubApiUrl: 'https://api.github.com',
      store: { kind: 'postgres', databaseUrl: base['database-url'] },
      repositories: [{ owner: 'acme', name: 'widgets' }],
      repositoryIds: [],
      completenessThreshold: 0.8,
      minPrs: 100,
      fieldProfile: 'core',
      scope: undefined,
      timeBudgetMs: 20 * 60_000,
      dryRun: false,
      reportIssues: true,
      issueLabels: ['progressive-backfill', 'bug'],
    });
  });

  test('given values are parsed into their types', () => {
    const inputs = read({
      repositories: 'acme/widgets\nacme/*, other/thing',
      'completeness-threshold': '95%',
      'min-prs': '0',
      'field-profile': 'full',
      'chunk-size': '100',
      'max-chunks': '12',
      'reserve-points': '0',
      'time-budget': '1h30m',
      'dry-run': 'True',
      'report-issues': 'false',
      'issue-labels': ' backfill , ops,backfill ',
      'github-api-url': 'https://ghe.example/api/v3/',
      since: '2024-01-31',
      states: 'open,merged',
      base: 'release/2.x',
    });
    expect(inputs).toMatchObject({
      scope: { since: '2024-01-31T00:00:00Z', states: ['OPEN', 'MERGED'], base: 'release/2.x' },
      repositories: [
        { owner: 'acme', name: 'widgets' },
        { owner: 'acme', name: '*' },
        { owner: 'other', name: 'thing' },
      ],
      completenessThreshold: 0.95,
      minPrs: 0,
      fieldProfile: 'full',
      chunkSize: 100,
      maxChunks: 12,
      reservePoints: 0,
      timeBudgetMs: 90 * 60_000,
      dryRun: true,
      reportIssues: false,
      issueLabels: ['backfill', 'ops'],
      githubApiUrl: 'https://ghe.example/api/v3',
    });
  });

  test.each([
    ['chunk-size', '25abc', 'chunk-size: must be a whole number from 1 to 100, got "25abc"'],
    ['chunk-size', '101', 'chunk-size: must be a whole number from 1 to 100, got "101"'],
    ['max-chunks', '0', 'max-chunks: must be a whole number of at least 1, got "0"'],
    ['min-prs', '-3', 'min-prs: must be a whole number of at least 0, got "-3"'],
    ['reserve-points', '1e3', 'reserve-points: must be a whole number of at least 0, got "1e3"'],
    ['completeness-threshold', '180%', 'completeness-threshold: must be a number above 0 and at most 1'],
    ['completeness-threshold', '0', 'completeness-threshold: must be a number above 0 and at most 1'],
    ['field-profile', 'everything', 'field-profile: must be one of core, standard, full, got "everything"'],
    ['time-budget', '10 minutes', 'time-budget: "10 minutes" is not a duration'],
    ['dry-run', 'yes', 'dry-run: must be true or false, got "yes"'],
    ['repositories', 'acme', 'repositories: "acme" is not a repository'],
    ['repositories', ' , ', 'repositories: no repository given'],
    ['github-api-url', 'api.github.com', 'github-api-url: must be an http(s) URL'],
    ['github-token', '', 'github-token: is empty'],
    ['since', 'last week', 'since: must be a date (2024-01-31) or a time with its zone'],
    [
      'states',
      'open,draft',
      'states: must be a comma-separated list of OPEN, CLOSED, MERGED, got "open,draft"',
    ],
    ['base', 'a..b', 'base: must be a branch name such as main or release/2.x, got "a..b"'],
  ])('%s = %j is rejected naming the input', (name, value, message) => {
    expect(() => read({ [name]: value })).toThrow(message);
  });

  test('the database is either a Postgres URL or a Supabase project with its key, and one is required', () => {
    expect(() => read({ 'database-url': '' })).toThrow(/^database-url: no database given/);
    expect(() => read({ 'database-url': 'mysql://u:secretpw@h/db' })).toThrow(
      'database-url: must be a postgres:// or postgresql:// connection URL',
    );
    expect(() => read({ 'database-url': 'mysql://u:secretpw@h/db' })).not.toThrow(/secretpw/);
    expect(() => read({ 'database-url': '', 'supabase-url': 'https://p.supabase.co' })).toThrow(
      /^supabase-service-role-key: /,
    );
    expect(() => read({ 'supabase-url': 'https://p.supabase.co', 'supabase-service-role-key': 'k' })).toThrow(
      /not both/,
    );
    expect(
      read({
        'database-url': '',
        'supabase-url': 'https://p.supabase.co/',
        'supabase-service-role-key': 'key',
      }).store,
    ).toEqual({ kind: 'supabase', supabaseUrl: 'https://p.supabase.co', serviceRoleKey: 'key' });
  });

  test('an empty repositories stands for the tracked set; repository-id lists tracked ids', () => {
    expect(read({ repositories: '' }).repositories).toEqual([]);
    expect(read({ 'repository-id': '12, 7\n40' }).repositoryIds).toEqual([12, 7, 40]);
    expect(() => read({ 'repository-id': '12, seven' })).toThrow(
      'repository-id: must be a whole number of at least 1, got "seven"',
    );
  });

  test('unexpanded ${{ }} defaults (local runs) fall back to the environment', () => {
    const inputs = readInputs(
      getter({
        ...base,
        'github-token': '${{ github.token }}',
        repositories: '${{ github.repository }}',
        'github-api-url': '${{ github.api_url }}',
      }),
      {
        token: 'ghp_fromEnvironment0000000000000000000000',
        repository: 'acme/ops',
        apiUrl: 'http://127.0.0.1:9',
      },
    );
    expect(inputs).toMatchObject({
      githubToken: 'ghp_fromEnvironment0000000000000000000000',
      repositories: [{ owner: 'acme', name: 'ops' }],
      githubApiUrl: 'http://127.0.0.1:9',
    });
  });

  test('secrets to mask: the token, the service-role key and the database password in both spellings', () => {
    expect(secretValues(getter({ ...base, 'supabase-service-role-key': 'eyJservice.role.key' }))).toEqual([
      base['github-token'],
      'eyJservice.role.key',
      'p%40ss-word',
      'p@ss-word',
    ]);
    expect(secretValues(getter({ 'database-url': 'not a url with secret' }))).toEqual([
      'not a url with secret',
    ]);
  });

  test('secrets to mask: passwords given as query parameters of the database URL', () => {
    const databaseUrl =
      'postgres://app@db:5432/x?sslmode=verify-full&password=q%20pw1&sslpassword=ssl-key-pw';
    expect(secretValues(getter({ 'database-url': databaseUrl }))).toEqual(['q%20pw1', 'q pw1', 'ssl-key-pw']);
  });

  test('an operator command takes its reason and, for pause, its end', () => {
    const now = Date.now();
    const paused = read({ command: 'pause', reason: 'maintenance', until: '2h' });
    expect(paused).toMatchObject({ command: 'pause', operatorArgs: { reason: 'maintenance' } });
    const until = paused.operatorArgs.until!.getTime();
    expect(until).toBeGreaterThanOrEqual(now + 7_200_000);
    expect(until).toBeLessThan(now + 7_260_000);
    expect(read({ command: 'pause', reason: 'x', until: '2099-01-01T00:00:00Z' }).operatorArgs.until).toEqual(
      new Date('2099-01-01T00:00:00Z'),
    );
    expect(read({ command: 'retry', repositories: '', 'repository-id': '4' })).toMatchObject({
      command: 'retry',
      repositories: [],
      repositoryIds: [4],
      operatorArgs: {},
    });
    expect(read({ command: 'cancel', reason: 'wrong one' }).operatorArgs).toEqual({ reason: 'wrong one' });
    // retry by chunk: the chunks alone, whatever repositories says (it defaults to this repository)
    expect(read({ command: 'retry', repositories: '', 'chunk-id': '12, 13' })).toMatchObject({
      command: 'retry',
      chunkIds: [12, 13],
      operatorArgs: {},
    });
  });

  test.each([
    [{ command: 'delete' }, 'command: must be run, pause, resume, cancel, retry, untrack, got "delete"'],
    [{ command: 'pause' }, 'reason: a pause needs a reason'],
    [{ command: 'pause', reason: 'x', until: 'later' }, 'until: expected an ISO 8601 time'],
    [
      { command: 'pause', reason: 'x', until: '2020-01-01T00:00:00Z' },
      'until: 2020-01-01T00:00:00.000Z is not in the future',
    ],
    [{ command: 'resume', until: '2h' }, 'until: only pause takes an end time, not resume'],
    [{ command: 'cancel', 'chunk-id': '3' }, 'chunk-id: only retry acts on chunks, not cancel'],
    [{ 'chunk-id': '3' }, 'chunk-id: only retry acts on chunks, not run'],
    [
      { command: 'retry', 'chunk-id': '3', 'repository-id': '4' },
      'chunk-id: retry chunks or repositories (repository-id), not both at once',
    ],
    [{ command: 'retry', 'chunk-id': '3,x' }, 'chunk-id: must be a whole number of at least 1, got "x"'],
    [
      { command: 'untrack', repositories: 'acme/*' },
      'repositories: untrack acts on owner/name repositories, not owner/*',
    ],
    [
      { command: 'retry', repositories: '' },
      'repositories: retry needs repositories or repository-id to act on',
    ],
  ])('%j is refused: %s', (overrides, message) => {
    expect(() => read(overrides)).toThrow(message);
  });
});
