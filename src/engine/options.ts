/**
 * The engine's options, in one place: every default, and the parsing and validation of every value, for all the
 * entry points (the action's inputs, the CLI's flags, the tick's JSON body). A value is accepted in the same forms
 * wherever it is given (a threshold as `0.8` or `80%`, a duration as `90s` or `1h30m`), and refused with the same
 * words, naming the setting as the user spelled it.
 *
 * No schema-validation library: the values arrive as text in three different containers, the accepted forms are
 * our own (percentages, durations), and a dependency here would have to be mapped for Deno and bundled twice for a
 * dozen lines of rules.
 */
import { FIELD_PROFILES, type FieldProfile, type PullRequestState } from '../domain/pull-request.ts';
import { type BackfillScope, PULL_REQUEST_STATES } from '../domain/scope.ts';
import type { BackfillOptions } from './types.ts';

/** Every default of the engine and its entry points; action.yml and the README document these (a test checks). */
export const DEFAULTS = {
  completenessThreshold: 0.8,
  minPrs: 100,
  fieldProfile: 'core' as FieldProfile,
  dryRun: false,
  /** how long a chunk lease lasts before another worker may recover it */
  leaseSeconds: 120,
  /** pages one chunk lease covers before it is handed back */
  pagesPerChunk: 25,
  /** consecutive errors before a repository is paused, and for how long */
  breakerThreshold: 5,
  breakerCooldownMs: 15 * 60_000,
  /** failures of one chunk before the contract gives up on it */
  chunkMaxFailures: 5,
  /** the recovery every run starts with: recoveries of one chunk before it is stalled, seconds past its lease */
  runRecovery: { requeueLimit: 3, graceSeconds: 30 },
  /** the `recover` command's, more patient since a person runs it while workers may still be finishing */
  recoverCommand: { requeueLimit: 3, graceSeconds: 60 },
  /**
   * The time budget of each entry point: a workflow job (well under its timeout), a terminal session, and one
   * edge-function tick (under Supabase's 150 s wall clock, with room to release the lease).
   */
  timeBudget: { action: '20m', cli: '6h', tick: '60s' },
  githubApiUrl: 'https://api.github.com',
  reportIssues: true,
  issueLabels: 'progressive-backfill,bug',
} as const;

/** A setting that cannot work; entry points turn it into a clear message and a bad-input exit code. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly setting: string,
    /** what is wrong, without the setting's name: the CLI prints it after commander's own naming of the flag */
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A whole number in [min, max]: no sign, no decimals, no exponent, no trailing text (`25abc`, `2e1`, `2.5`). */
export function parseWholeNumber(text: string, setting: string, min: number, max?: number): number {
  const trimmed = text.trim();
  const value = WHOLE.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new ConfigError(setting, `must be a whole number ${describeRange({ min, max })}, got "${text}"`);
  }
  return value;
}

/** A share in (0, 1], written `0.8` or `80%`, since people write thresholds both ways. */
export function parseThreshold(text: string, setting = 'completeness-threshold'): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const digits = percent ? trimmed.slice(0, -1) : trimmed;
  const value = DECIMAL.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new ConfigError(setting, `must be a number above 0 and at most 1 (e.g. 0.8 or 80%), got "${text}"`);
  }
  return value;
}

export function parseFieldProfile(text: string, setting = 'field-profile'): FieldProfile {
  const trimmed = text.trim();
  if (!(FIELD_PROFILES as readonly string[]).includes(trimmed)) {
    throw new ConfigError(setting, `must be one of ${FIELD_PROFILES.join(', ')}, got "${text}"`);
  }
  return trimmed as FieldProfile;
}

/** YAML 1.2 core schema booleans, as GitHub Actions writes them. */
export function parseBoolean(text: string, setting: string): boolean {
  const trimmed = text.trim();
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true;
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false;
  throw new ConfigError(setting, `must be true or false, got "${text}"`);
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

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `2024-01-01` (midnight UTC) or an ISO 8601 time with its zone; read as a UTC instant. */
export function parseSince(text: string, setting = 'since'): string {
  const trimmed = text.trim();
  const form = DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : DATE_TIME.test(trimmed) ? trimmed : null;
  const ms = form === null ? Number.NaN : Date.parse(form);
  // Date.parse rolls 2024-02-30 over to March: a date that does not round-trip is not a date
  const valid =
    Number.isFinite(ms) && (!DATE_ONLY.test(trimmed) || new Date(ms).toISOString().startsWith(trimmed));
  if (!valid) {
    throw new ConfigError(
      setting,
      `must be a date (2024-01-31) or a time with its zone (2024-01-31T12:00:00Z), got "${text}"`,
    );
  }
  // GitHub's search reads whole seconds; a fraction is kept only where it was given
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A comma-separated subset of OPEN, CLOSED, MERGED (any case); all three is the same as none. */
export function parseStates(text: string, setting = 'states'): PullRequestState[] | undefined {
  const words = text.split(',').map((word) => word.trim().toUpperCase());
  const unknown = words.filter((word) => !(PULL_REQUEST_STATES as readonly string[]).includes(word));
  if (unknown.length > 0) {
    throw new ConfigError(
      setting,
      `must be a comma-separated list of ${PULL_REQUEST_STATES.join(', ')}, got "${text}"`,
    );
  }
  const states = PULL_REQUEST_STATES.filter((state) => words.includes(state));
  return states.length === PULL_REQUEST_STATES.length ? undefined : states;
}

// git check-ref-format's rules, as far as a branch name typed by a person can break them
const BAD_BRANCH = /[\s~^:?*[\\\p{Cc}]|\.\.|@\{|^[/.]|[/.]$|\/\/|\.lock$|^@$/u;

/** A branch name as git allows it (`main`, `release/2.x`). */
export function parseBase(text: string, setting = 'base'): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 255 || BAD_BRANCH.test(trimmed)) {
    throw new ConfigError(setting, `must be a branch name such as main or release/2.x, got "${text}"`);
  }
  return trimmed;
}

/**
 * The scope from its three optional settings, as text. None given (all empty or absent): no scope, so the run works
 * each backfill in the scope stored with it. Any given: that scope, and `states: open,closed,merged` with nothing
 * else asks for the whole repository.
 */
export function parseScope(text: {
  since?: string;
  states?: string;
  base?: string;
}): BackfillScope | undefined {
  return givenScope({
    ...(text.since?.trim() ? { since: parseSince(text.since) } : {}),
    ...(text.states?.trim() ? { states: parseStates(text.states) ?? [...PULL_REQUEST_STATES] } : {}),
    ...(text.base?.trim() ? { base: parseBase(text.base) } : {}),
  });
}

/** Parsed scope settings as given (`states` may list all three) → the canonical scope, or undefined if none. */
export function givenScope(parts: BackfillScope): BackfillScope | undefined {
  if (parts.since === undefined && parts.states === undefined && parts.base === undefined) return undefined;
  const states = parts.states && PULL_REQUEST_STATES.filter((state) => parts.states!.includes(state));
  return {
    ...(parts.since !== undefined ? { since: parts.since } : {}),
    ...(states && states.length < PULL_REQUEST_STATES.length ? { states } : {}),
    ...(parts.base !== undefined ? { base: parts.base } : {}),
  };
}

interface Range {
  min: number;
  max?: number;
}

/** The whole-number settings and their ranges; the parsers and validateOptions both read them. */
export const RANGES = {
  minPrs: { min: 0 },
  /** GitHub's page limit */
  chunkSize: { min: 1, max: 100 },
  maxChunks: { min: 1 },
  reservePoints: { min: 0 },
  concurrency: { min: 1, max: 32 },
} as const satisfies Record<string, Range>;

const SETTING_NAMES: Record<keyof typeof RANGES, string> = {
  minPrs: 'min-prs',
  chunkSize: 'chunk-size',
  maxChunks: 'max-chunks',
  reservePoints: 'reserve-points',
  concurrency: 'concurrency',
};

const describeRange = ({ min, max }: Range) =>
  max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;

/** A whole-number setting read from text, in its range: `parseSetting('chunkSize', '25')`. */
export function parseWholeSetting(key: keyof typeof RANGES, text: string): number {
  const range: Range = RANGES[key];
  return parseWholeNumber(text, SETTING_NAMES[key], range.min, range.max);
}

/** The ranges every entry point's options must be in, whichever way they were read. */
export function validateOptions(o: BackfillOptions): void {
  if (!(o.completenessThreshold > 0 && o.completenessThreshold <= 1)) {
    throw new ConfigError(
      'completeness-threshold',
      `must be a number above 0 and at most 1, got ${o.completenessThreshold}`,
    );
  }
  for (const key of Object.keys(RANGES) as (keyof typeof RANGES)[]) {
    const value = o[key];
    const range: Range = RANGES[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < range.min || (range.max !== undefined && value > range.max)) {
      throw new ConfigError(
        SETTING_NAMES[key],
        `must be a whole number ${describeRange(range)}, got ${value}`,
      );
    }
  }
  if (!(o.timeBudgetMs > 0) || !Number.isFinite(o.timeBudgetMs)) {
    throw new ConfigError('time-budget', `must be a positive duration, got ${o.timeBudgetMs} ms`);
  }
}
