import type { BackfillOptions } from './types.ts';

/** A setting that cannot work; entry points turn it into a clear message and a bad-input exit code. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

const isInt = (n: number) => Number.isInteger(n);

export function validateOptions(o: BackfillOptions): void {
  if (!(o.completenessThreshold > 0 && o.completenessThreshold <= 1)) {
    throw new ConfigError(
      'completeness-threshold',
      `must be a number above 0 and at most 1, got ${o.completenessThreshold}`,
    );
  }
  if (!isInt(o.minPrs) || o.minPrs < 0)
    throw new ConfigError('min-prs', `must be a whole number ≥ 0, got ${o.minPrs}`);
  if (o.chunkSize !== undefined && (!isInt(o.chunkSize) || o.chunkSize < 1 || o.chunkSize > 100)) {
    throw new ConfigError(
      'chunk-size',
      `must be a whole number from 1 to 100 (GitHub's page limit), got ${o.chunkSize}`,
    );
  }
  if (o.maxChunks !== undefined && (!isInt(o.maxChunks) || o.maxChunks < 1)) {
    throw new ConfigError('max-chunks', `must be a whole number ≥ 1, got ${o.maxChunks}`);
  }
  if (o.reservePoints !== undefined && (!isInt(o.reservePoints) || o.reservePoints < 0)) {
    throw new ConfigError('reserve-points', `must be a whole number ≥ 0, got ${o.reservePoints}`);
  }
  if (!(o.timeBudgetMs > 0) || !Number.isFinite(o.timeBudgetMs)) {
    throw new ConfigError('time-budget', `must be a positive duration, got ${o.timeBudgetMs} ms`);
  }
  if (o.concurrency !== undefined && (!isInt(o.concurrency) || o.concurrency < 1 || o.concurrency > 32)) {
    throw new ConfigError('concurrency', `must be a whole number from 1 to 32, got ${o.concurrency}`);
  }
}

/** `90s`, `10m`, `1h30m`, or plain milliseconds. */
export function parseDuration(text: string, setting: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    const value = Number(match[1]);
    total += value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length || consumed === 0 || total <= 0) {
    throw new ConfigError(setting, `"${text}" is not a duration: use e.g. 90s, 10m or 1h30m`);
  }
  return Math.round(total);
}
