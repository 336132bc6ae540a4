import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIssueReporter, type IssueReporterOptions } from '../../src/action/issue-reporter.ts';
import type { ErrorEntry, RepositoryReport, RunSummary } from '../../src/engine/types.ts';
import { FakeIssuesApi } from './fake-issues-api.ts';

const API_URL = 'https://github.example/api/v3';
const HOME = { owner: 'acme', repo: 'ops' };
const TOKEN = 'ghs_reporterToken0123456789abcdefABCDEF';
const LABELS = ['progressive-backfill', 'bug'];
const RUN_URL = 'https://github.com/acme/ops/actions/runs/42';

const api = new FakeIssuesApi(API_URL, `${HOME.owner}/${HOME.repo}`);
const server = setupServer(...api.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  server.resetHandlers();
  api.reset();
});
afterAll(() => server.close());

function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

function reporter(overrides: Partial<IssueReporterOptions> = {}) {
  return createIssueReporter({
    token: TOKEN,
    apiUrl: API_URL,
    repository: HOME,
    labels: LABELS,
    runUrl: RUN_URL,
    clock: fakeClock(),
    ...overrides,
  });
}

function critical(
  repository: string | null,
  kind: ErrorEntry['kind'],
  extra: Partial<ErrorEntry> = {},
): ErrorEntry {
  return {
    severity: 'critical',
    repository,
    kind,
    message: `${kind} failure for ${repository ?? 'the run'}`,
    at: '2024-05-01T10:00:00.000Z',
    ...extra,
  };
}

function repositoryReport(fullName: string, extra: Partial<RepositoryReport> = {}): RepositoryReport {
  return {
    repositoryId: 1,
    fullName,
    completenessBefore: 0.1,
    completenessAfter: 0.1,
    storedBefore: 10,
    storedAfter: 10,
    prTotalCount: 100,
    prsWritten: 0,
    pointsSpent: 0,
    pages: 0,
    outcome: 'failed',
    ...extra,
  };
}

function summary(critical: ErrorEntry[], repositories: RepositoryReport[] = []): RunSummary {
  return {
    runId: 7,
    outcome: critical.length > 0 ? 'partial' : 'completed',
    dryRun: false,
    plan: null,
    prsWritten: repositories.reduce((sum, report) => sum + report.prsWritten, 0),
    pointsSpent: 0,
    repositories,
    errors: { totalErrors: critical.length, critical, warnings: [], byRepository: {} },
    startedAt: '2024-05-01T09:59:00.000Z',
    durationMs: 60_000,
    stopReason: null,
  };
}

describe('issue reporter', () => {
  it('files one labelled issue per repository and error kind, with the details a maintainer needs', async () => {
    const outcome = await reporter().report(
      summary([
        critical('octo/widgets', 'permission', {
          chunkId: 314,
          message: 'Resource not accessible by integration',
        }),
        critical('octo/gadgets', 'not_found'),
      ]),
    );

    expect(outcome.failures).toEqual([]);
    expect(outcome.created).toHaveLength(2);
    const [widgets, gadgets] = api.issues;
    expect(widgets?.title).toBe('Backfill failing for octo/widgets: permission');
    expect(gadgets?.title).toBe('Backfill failing for octo/gadgets: not_found');
    expect(widgets?.labels).toEqual(LABELS);
    expect(widgets?.body).toContain('<!-- progressive-backfill:fingerprint=octo/widgets:permission -->');
    expect(widgets?.body).toContain('| Chunk | 314 |');
    expect(widgets?.body).toContain('Resource not accessible by integration');
    expect(widgets?.body).toContain(RUN_URL);
    expect(widgets?.body).toContain('| First seen | 2024-05-01T10:00:00.000Z |');
    expect(widgets?.body).toContain('| Occurrences | 1 |');
    expect(widgets?.body).toMatch(/\*\*What to do:\*\* The token cannot read this repository/);
  });

  it('comments on the open issue when a later run hits the same fingerprint, and counts the occurrence', async () => {
    await reporter().report(summary([critical('octo/widgets', 'auth')]));
    const second = await reporter().report(
      summary([
        critical('Octo/Widgets', 'auth', { at: '2024-05-01T10:30:00.000Z', message: 'Bad credentials' }),
      ]),
    );

    expect(second.created).toEqual([]);
    expect(second.commented).toEqual([1]);
    expect(api.issues).toHaveLength(1);
    const issue = api.issues[0]!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toContain('Bad credentials');
    expect(issue.comments[0]).toContain('2 occurrences in all');
    expect(issue.body).toContain('| Occurrences | 2 |');
    expect(issue.body).toContain('| Last seen | 2024-05-01T10:30:00.000Z |');
    expect(issue.body).toContain('| First seen | 2024-05-01T10:00:00.000Z |');
  });

  it('files a single issue for repeated errors of one fingerprint within a run', async () => {
    const outcome = await reporter().report(
      summary([
        critical('octo/widgets', 'transient', { at: '2024-05-01T10:05:00.000Z', message: 'second timeout' }),
        critical('octo/widgets', 'transient', { at: '2024-05-01T10:01:00.000Z', message: 'first timeout' }),
      ]),
    );

    expect(outcome.created).toEqual([1]);
    expect(api.issues).toHaveLength(1);
    const body = api.issues[0]!.body;
    expect(body).toContain('| Occurrences | 2 |');
    expect(body).toContain('| First seen | 2024-05-01T10:01:00.000Z |');
    expect(body).toContain('first timeout');
    expect(body).toContain('second timeout');
  });

  it('finds its issue past the first page of open labelled issues', async () => {
    for (let index = 0; index < 120; index++) {
      api.seed({ body: `unrelated ${index}`, labels: LABELS });
    }
    api.seed({ body: 'a pull request', labels: LABELS, pull_request: { url: 'x' } });
    const ours = api.seed({
      body: '<!-- progressive-backfill:fingerprint=octo/widgets:auth -->\n| Occurrences | 4 |',
      labels: LABELS,
    });

    const outcome = await reporter().report(summary([critical('octo/widgets', 'auth')]));

    expect(outcome.created).toEqual([]);
    expect(outcome.commented).toEqual([ours.number]);
    expect(ours.body).toContain('| Occurrences | 5 |');
    expect(api.requests.filter((request) => request.method === 'GET').length).toBeGreaterThan(1);
  });

  it('opens a new issue when the earlier one was closed or lacks the configured labels', async () => {
    const marker = '<!-- progressive-backfill:fingerprint=octo/widgets:auth -->';
    api.seed({ body: marker, labels: LABELS, state: 'closed' });
    api.seed({ body: marker, labels: ['progressive-backfill'] });

    const outcome = await reporter().report(summary([critical('octo/widgets', 'auth')]));

    expect(outcome.created).toEqual([3]);
    expect(api.issues[2]?.labels).toEqual(LABELS);
  });

  it('closes the issues of a repository that committed pages again, leaving failing ones open', async () => {
    await reporter().report(
      summary([
        critical('octo/widgets', 'permission'),
        critical('octo/gadgets', 'not_found'),
        critical('octo/gizmos', 'transient'),
        critical('octo/done', 'partial'),
      ]),
    );

    const outcome = await reporter().report(
      summary(
        [critical('octo/gizmos', 'transient')],
        [
          repositoryReport('octo/widgets', { prsWritten: 200, pages: 2, outcome: 'in_progress' }),
          repositoryReport('octo/gadgets', { outcome: 'failed' }),
          repositoryReport('octo/gizmos', { prsWritten: 100, pages: 1, outcome: 'in_progress' }),
          repositoryReport('Octo/Done', { outcome: 'completed' }),
        ],
      ),
    );

    expect(outcome.closed).toEqual([1, 4]);
    expect(outcome.commented).toEqual([3]);
    const [widgets, gadgets, gizmos] = api.issues;
    expect(widgets?.state).toBe('closed');
    expect(widgets?.state_reason).toBe('completed');
    expect(widgets?.comments[0]).toMatch(/committed pages again/);
    expect(gadgets?.state).toBe('open');
    expect(gizmos?.state).toBe('open');
  });

  it('closes a run-wide issue once any repository commits pages', async () => {
    await reporter().report(summary([critical(null, 'auth')]));
    expect(api.issues[0]?.title).toBe('Backfill failing: auth');

    const outcome = await reporter().report(
      summary([], [repositoryReport('octo/widgets', { prsWritten: 50, outcome: 'completed' })]),
    );

    expect(outcome.closed).toEqual([1]);
    expect(api.issues[0]?.state).toBe('closed');
  });

  it('sends no request when nothing failed and nothing recovered', async () => {
    const outcome = await reporter().report(
      summary([], [repositoryReport('octo/widgets', { outcome: 'paused' })]),
    );

    expect(outcome).toEqual({ created: [], commented: [], closed: [], failures: [] });
    expect(api.requests).toEqual([]);
  });

  it('never sends a token, key or database password in any request', async () => {
    const serviceRoleKey =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.c2lnbmF0dXJlMTIz';
    const databasePassword = 'hunter2-Pa55word';
    const databaseUrl = `postgres://backfill:${databasePassword}@db.example.com:5432/postgres`;
    const strayToken = 'ghp_strayTokenNobodyConfigured0123456789';
    const leaky = (label: string) =>
      `${label}: token=${TOKEN} key=${serviceRoleKey} db=${databaseUrl} header="Authorization: Bearer ${TOKEN}" ${strayToken}`;

    await reporter({ secrets: [serviceRoleKey, databaseUrl] }).report(
      summary([critical('octo/widgets', 'store', { message: leaky('first') })]),
    );
    await reporter({ secrets: [serviceRoleKey, databaseUrl] }).report(
      summary([critical('octo/widgets', 'store', { message: leaky('again') })]),
    );

    const sent = api.requests.map((request) => `${request.url}\n${request.body}`).join('\n');
    expect(api.writes().length).toBe(3);
    for (const secret of [TOKEN, serviceRoleKey, databasePassword, strayToken]) {
      expect(sent).not.toContain(secret);
    }
    expect(sent).toContain('[REDACTED]');
    expect(api.issues[0]?.comments[0]).toContain('again');
  });

  it('spaces content-creating requests by minIntervalMs on the injected clock', async () => {
    const clock = fakeClock();
    api.clock = clock;
    await reporter({ clock, minIntervalMs: 1500 }).report(
      summary([critical('octo/a', 'auth'), critical('octo/b', 'auth'), critical('octo/c', 'auth')]),
    );
    await reporter({ clock, minIntervalMs: 1500 }).report(summary([critical('octo/a', 'auth')]));

    const writeTimes = api.writes().map((request) => request.at!);
    expect(writeTimes).toHaveLength(5); // 3 creations, then a comment and a count update
    for (let index = 1; index < writeTimes.length; index++) {
      // the second reporter knows nothing of the first one's writes, so its first write is not spaced
      if (index === 3) continue;
      expect(writeTimes[index]! - writeTimes[index - 1]!).toBeGreaterThanOrEqual(1500);
    }
    expect(clock.sleeps).toEqual([1500, 1500, 1500]);
  });

  it('sleeps only for what is left of the interval after time already passed', async () => {
    const tickingClock = (tick: number) => {
      let time = 0;
      const sleeps: number[] = [];
      return {
        sleeps,
        now: () => (time += tick),
        sleep: async (ms: number) => {
          sleeps.push(ms);
          time += ms;
        },
      };
    };
    const request = async (route: string) => ({
      status: 200,
      data: route.startsWith('GET') ? [] : { number: 1 },
    });
    const twoFailures = summary([critical('octo/a', 'auth'), critical('octo/b', 'auth')]);

    const busy = tickingClock(300);
    await reporter({ clock: busy, minIntervalMs: 1000, request }).report(twoFailures);
    expect(busy.sleeps).toEqual([700]);

    const slow = tickingClock(1200);
    await reporter({ clock: slow, minIntervalMs: 1000, request }).report(twoFailures);
    expect(slow.sleeps).toEqual([]);
  });

  it('records a GitHub 500 as a failure, resolves, and still reports the other fingerprints', async () => {
    let failed = false;
    server.use(
      http.post(`${API_URL}/repos/acme/ops/issues`, () => {
        if (failed) return undefined; // fall through to the store
        failed = true;
        return HttpResponse.json({ message: 'Server Error' }, { status: 500 });
      }),
    );

    const outcome = await reporter().report(
      summary([critical('octo/widgets', 'auth'), critical('octo/gadgets', 'not_found')]),
    );

    expect(outcome.failures).toEqual([
      expect.objectContaining({ action: 'create', fingerprint: 'octo/widgets:auth', status: 500 }),
    ]);
    expect(outcome.created).toHaveLength(1);
    expect(api.issues.map((issue) => issue.title)).toEqual(['Backfill failing for octo/gadgets: not_found']);
  });

  it('files nothing when the open issues cannot be listed, rather than risk duplicates', async () => {
    server.use(
      http.get(`${API_URL}/repos/acme/ops/issues`, () =>
        HttpResponse.json({ message: 'boom' }, { status: 502 }),
      ),
    );

    const outcome = await reporter().report(summary([critical('octo/widgets', 'auth')]));

    expect(outcome.failures).toEqual([expect.objectContaining({ action: 'list', status: 502 })]);
    expect(outcome.created).toEqual([]);
    expect(api.issues).toEqual([]);
  });
});
