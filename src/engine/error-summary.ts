import type { ErrorEntry, ErrorSummary } from './types.ts';

export class ErrorCollector {
  private readonly entries: ErrorEntry[] = [];

  add(entry: ErrorEntry): void {
    this.entries.push(entry);
  }

  hasCritical(repository?: string): boolean {
    return this.entries.some(
      (e) => e.severity === 'critical' && (repository === undefined || e.repository === repository),
    );
  }

  summary(): ErrorSummary {
    const byRepository: ErrorSummary['byRepository'] = {};
    for (const e of this.entries) {
      const key = e.repository ?? '(run)';
      byRepository[key] ??= { critical: 0, warnings: 0 };
      if (e.severity === 'critical') byRepository[key].critical++;
      else byRepository[key].warnings++;
    }
    return {
      totalErrors: this.entries.length,
      critical: this.entries.filter((e) => e.severity === 'critical'),
      warnings: this.entries.filter((e) => e.severity === 'warning'),
      byRepository,
    };
  }
}
