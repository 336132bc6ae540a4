/**
 * Strict value parsers for commander options. Each throws InvalidArgumentError, which commander reports with the
 * flag's name ("option '--chunk-size <n>' argument '25abc' is invalid. …"). The engine's settings are parsed by
 * the engine's own rules (engine/options.ts), so a flag accepts exactly what the action input and the tick accept.
 */
import { InvalidArgumentError } from 'commander';
import {
  InvalidRepositorySpecError,
  type ParsedRepositorySpec,
  parseRepositoryList,
  parseRepositorySpec,
} from '../domain/repository-spec.ts';
import { PULL_REQUEST_STATES } from '../domain/scope.ts';
import {
  ConfigError,
  parseBase,
  parseDuration,
  parseSince,
  parseStates,
  parseThreshold,
  parseWholeNumber,
  parseWholeSetting,
  type RANGES,
} from '../engine/options.ts';

/** A parser of the engine's options as commander wants it: commander names the flag, the reason follows. */
function refusing<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof ConfigError) throw new InvalidArgumentError(`${error.reason}.`);
      throw error;
    }
  };
}

/** A whole number in [min, max]; no sign, no decimals, no exponent, no trailing text. */
export const integerIn = (min: number, max?: number) =>
  refusing((text) => parseWholeNumber(text, 'value', min, max));

/** One of the engine's whole-number settings, in the engine's range for it. */
export const wholeSetting = (key: keyof typeof RANGES) => refusing((text) => parseWholeSetting(key, text));

/** A ratio in (0, 1], as `0.8` or `80%`. */
export const ratio = refusing((text) => parseThreshold(text));

export const duration = refusing((text) => parseDuration(text, 'duration'));

/** The scope's settings: a date or time, a list of states, a branch name. */
export const since = refusing((text) => parseSince(text));
/** All three is kept as given (not as no filter): it asks for the whole repository, which no flag at all does not. */
export const states = refusing((text) => parseStates(text) ?? [...PULL_REQUEST_STATES]);
export const base = refusing((text) => parseBase(text));

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

/** One repository, `owner/name` (not `owner/*`), for the commands that act on or look at one. */
export function oneRepository(text: string): { owner: string; name: string } {
  try {
    const spec = parseRepositorySpec(text);
    if (spec.name === '*') throw new InvalidArgumentError('name one repository (owner/name), not owner/*.');
    return spec;
  } catch (error) {
    if (error instanceof InvalidRepositorySpecError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}

/** Repeatable numeric option (e.g. `--repository-id 3 --repository-id 7`). */
export function collectIntegers(parse: (text: string) => number) {
  return (text: string, previous: number[] = []): number[] => [...previous, parse(text)];
}

/** The text as a URL, or commander's error with this hint; never echoes the text, which may hold a credential. */
function urlOf(text: string, hint: string): URL {
  try {
    return new URL(text.trim());
  } catch {
    throw new InvalidArgumentError(hint);
  }
}

/** An http(s) URL, without echoing anything that might be a credential inside it. */
export function httpUrl(text: string): string {
  const hint = 'must be an http:// or https:// URL.';
  const { protocol } = urlOf(text, hint);
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidArgumentError(hint);
  return text.trim().replace(/\/+$/, '');
}

/** A postgres:// URL. Checked here so that a typo never reaches the driver (which may echo the password). */
export function postgresUrl(text: string): string {
  const { protocol } = urlOf(text, 'must be a URL like postgres://USER@HOST:5432/DATABASE.');
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    const hint =
      protocol === 'https:' || protocol === 'http:'
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
