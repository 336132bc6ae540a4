import { describe, expect, test } from 'vitest';
import { actionOutputs, annotations, jobSummaryMarkdown, redactSummary } from '../../src/action/report.ts';
import type { ErrorEntry, RepositoryReport, RunSummary } from '../../src/engine/types.ts';

function report(i: number, overrides: Partial<RepositoryReport> = {}): RepositoryReport {
  return {
    repositoryId: i + 1,
    fullName: `org/repo-${String(i).padStart(4, '0')}`,
    completenessBefore: 0.1,
    completenessAfter: 0.5,
    storedBefore: 10,
    storedAfter: 50,
    prTotalCount: 100,
    prsWritten: 40,
    pointsSpent: 1,
    pages: 1,
    outcome: 'in_progress',
    ...overrides,
  };
}

function error(i: number, severity: ErrorEntry['severity']): ErrorEntry {
  return {
    severity,
    repository: `org/repo-${i}`,
    kind: 'not_found',
    message: `failure ${i} | <b>${'x'.repeat(2000)}</b>`,
    at: '2026-01-01T00:00:00.000Z',
  };
}

function summary(
  repositories: RepositoryReport[],
  critical: ErrorEntry[] = [],
  warnings: ErrorEntry[] = [],
): RunSummary {
  return {
    runId: 1,
    outcome: critical.length > 0 ? 'partial' : 'completed',
    dryRun: false,
    plan: null,
    prsWritten: repositories.reduce((n, r) => n + r.prsWritten, 0),
    pointsSpent: repositories.reduce((n, r) => n + r.pointsSpent, 0),
    repositories,
    errors: { totalErrors: critical.length + warnings.length, critical, warnings, byRepository: {} },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    stopReason: null,
  };
}

describe('what a run leaves in the workflow', () => {
  test('a huge run still gives a job summary far below the 1 MiB limit, with capped tables and chart', () => {
    const many = Array.from({ length: 5000 }, (_, i) => report(i));
    const errs = Array.from({ length: 3000 }, (_, i) => error(i, 'critical'));
    const markdown = jobSummaryMarkdown(summary(many, errs, errs), { runUrl: null, eventName: 'schedule' });
    expect(markdown.length).toBeLessThan(256 * 1024);
    expect(markdown).toContain('…and 4900 more repositories');
    expect(markdown.match(/^\| org\/repo-/gm)).toHaveLength(100);
    expect(markdown).toContain('…and 2975 more');
    expect(markdown).not.toContain('<b>'); // messages are escaped, not rendered
    const xAxis = /x-axis \[(.*)\]/.exec(markdown)![1]!;
    expect(xAxis.split(', ')).toHaveLength(30);
  });

  test('the chart lists the least complete repositories first, before and after', () => {
    const markdown = jobSummaryMarkdown(
      summary([
        report(1, { completenessBefore: 0.5, completenessAfter: 1, outcome: 'completed' }),
        report(2, { completenessBefore: 0, completenessAfter: 0.25 }),
        report(3, { completenessBefore: null, completenessAfter: null, outcome: 'skipped' }),
      ]),
      { runUrl: 'https://github.com/acme/ops/actions/runs/1', eventName: 'workflow_dispatch' },
    );
    expect(markdown).toContain('x-axis ["org/repo-0002", "org/repo-0001"]');
    expect(markdown).toContain('bar [25.0, 100.0]');
    expect(markdown).toContain('line [0.0, 50.0]');
    expect(markdown).toContain('| org/repo-0003 | – → – | 50 / 100 | 40 | 1 | ⏭️ skipped |');
    expect(markdown).toContain('[this run](https://github.com/acme/ops/actions/runs/1)');
  });

  test('annotations are capped at GitHub’s ten per kind, the tenth saying how many more there are', () => {
    const errs = Array.from({ length: 14 }, (_, i) => error(i, 'critical'));
    const notes = annotations(summary([], errs, [error(99, 'warning')]));
    const errors = notes.filter((n) => n.level === 'error');
    expect(errors).toHaveLength(10);
    expect(errors[9]!.message).toMatch(/^5 more critical errors/);
    expect(notes.filter((n) => n.level === 'warning')).toHaveLength(1);
  });

  test('outputs are strings; error-summary is JSON with at most 50 entries per severity', () => {
    const errs = Array.from({ length: 70 }, (_, i) => error(i, 'critical'));
    const outputs = actionOutputs(summary([report(0), report(1, { outcome: 'skipped' })], errs));
    expect(outputs).toMatchObject({
      'prs-processed': '80',
      'repositories-processed': '1',
      'points-spent': '2',
      'error-count': '70',
      'has-critical-errors': 'true',
    });
    const parsed = JSON.parse(outputs['error-summary']);
    expect(parsed.critical).toHaveLength(50);
    expect(parsed).toMatchObject({ totalErrors: 70, truncated: true });
  });

  test('redaction scrubs secrets from every free-text field', () => {
    const secret = 'hunter2-database-password';
    const redacted = redactSummary(
      {
        ...summary(
          [report(0, { detail: `connect to postgres://u:${secret}@h failed` })],
          [{ ...error(0, 'critical'), message: `token ghp_abcdefghijklmnopqrstuvwx rejected, ${secret}` }],
        ),
        stopReason: `stopped ${secret}`,
      },
      [secret],
    );
    expect(JSON.stringify(redacted)).not.toContain(secret);
    expect(JSON.stringify(redacted)).not.toContain('ghp_abcdefghijklmnopqrstuvwx');
  });

  test('a run that left locked repositories says who holds them, not that something failed', () => {
    const locked = report(1, {
      outcome: 'locked',
      detail: 'locked by cli:host:7 until 2026-12-02T18:00:00.000Z (chunk 2; its worker is alive)',
    });
    const markdown = jobSummaryMarkdown(
      { ...summary([report(0), locked]), outcome: 'partial' },
      { runUrl: null, eventName: 'schedule' },
    );
    expect(markdown).toContain(
      "> One repository is held by another worker's lease, so this run left it alone: org/repo-0001 locked by cli:host:7 until 2026-12-02T18:00:00.000Z (chunk 2; its worker is alive).",
    );
    expect(markdown).toContain('🔒 locked');
    expect(markdown).not.toContain('critical errors');
  });
});
