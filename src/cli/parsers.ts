/**
 * Strict value parsers for commander options. Each throws InvalidArgumentError, which commander reports with the
 * flag's name ("option '--chunk-size <n>' argument '25abc' is invalid. …"). Strict means the whole text must be the
 * value: `Number.parseInt('25abc')` is 25 and `Number('2.5e1')` is 25, so neither is used.
 */
import { InvalidArgumentError } from 'commander';
import {
  InvalidRepositorySpecError,
  type ParsedRepositorySpec,
  parseRepositoryList,
} from '../domain/repository-spec.ts';
import { ConfigError, parseDuration } from '../engine/options.ts';

const DIGITS = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A whole number in [min, max]; no sign, no decimals, no exponent, no trailing text. */
export function integerIn(min: number, max: number = Number.MAX_SAFE_INTEGER, why = '') {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (text: string): number => {
    const trimmed = text.trim();
    const value = DIGITS.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number ${range}${why}.`);
    }
    return value;
  };
}

/** A ratio in (0, 1]; `80%` is accepted as 0.8 because people write thresholds both ways. */
export function ratio(text: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const digits = percent ? trimmed.slice(0, -1) : trimmed;
  const value = DECIMAL.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new InvalidArgumentError('must be a number above 0 and at most 1 (e.g. 0.8 or 80%).');
  }
  return value;
}

export function duration(text: string): number {
  try {
    return parseDuration(text, 'duration');
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new InvalidArgumentError('must be a duration such as 90s, 10m or 1h30m.');
    }
    throw error;
  }
}

/** Repeatable `--repo`: each occurrence may hold one spec or a comma/space separated list. */
export function collectRepositories(
  text: string,
  previous: ParsedRepositorySpec[] = [],
): ParsedRepositorySpec[] {
  try {
    const specs = parseRepositoryList(text);
    if (specs.length === 0) throw new InvalidArgumentError('expected owner/name or owner/*.');
    return [...previous, ...specs];
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}

/** Repeatable numeric option (e.g. `--repository-id 3 --repository-id 7`). */
export function collectIntegers(parse: (text: string) => number) {
  return (text: string, previous: number[] = []): number[] => [...previous, parse(text)];
}

/** An http(s) URL, without echoing anything that might be a credential inside it. */
export function httpUrl(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text.trim());
  } catch {
    throw new InvalidArgumentError('must be an http:// or https:// URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError('must be an http:// or https:// URL.');
  }
  return text.trim().replace(/\/+$/, '');
}

/** A postgres:// URL. Checked here so that a typo never reaches the driver (which may echo the password). */
export function postgresUrl(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text.trim());
  } catch {
    throw new InvalidArgumentError('must be a URL like postgres://USER@HOST:5432/DATABASE.');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    const hint =
      parsed.protocol === 'https:' || parsed.protocol === 'http:'
        ? ' (a Supabase project URL goes with --supabase-url)'
        : '';
    throw new InvalidArgumentError(`must start with postgres:// or postgresql://${hint}.`);
  }
  return text.trim();
}

export function nonEmpty(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return text;
}
