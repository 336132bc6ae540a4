import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  ConfigError,
  DEFAULTS,
  parseBoolean,
  parseDuration,
  parseFieldProfile,
  parseThreshold,
  parseWholeSetting,
  validateOptions,
} from '../../src/engine/options.ts';
import type { BackfillOptions } from '../../src/engine/types.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const actionInputs = (parse(read('action.yml')) as { inputs: Record<string, { default?: unknown }> }).inputs;

/** `| \`name\` | \`default\` | …` rows of the README's tables, by name */
const readmeDefaults = new Map(
  [...read('README.md').matchAll(/^\| `([^`]+)` \| `?([^|`]*)`? \|/gm)].map((m) => [m[1]!, m[2]!.trim()]),
);

/** Each setting with a default, as the action, the README's input table and the CLI's flag table spell it. */
const DOCUMENTED: [input: string, flag: string | null, value: string][] = [
  ['completeness-threshold', '--completeness-threshold <ratio>', String(DEFAULTS.completenessThreshold)],
  ['min-prs', '--min-prs <n>', String(DEFAULTS.minPrs)],
  ['field-profile', '--field-profile <core\\|standard\\|full>', DEFAULTS.fieldProfile],
  ['dry-run', null, String(DEFAULTS.dryRun)],
  ['report-issues', null, String(DEFAULTS.reportIssues)],
  ['issue-labels', null, DEFAULTS.issueLabels],
  ['time-budget', null, DEFAULTS.timeBudget.action],
];

describe('the documented defaults are the options module’s', () => {
  test.each(DOCUMENTED)('%s', (input, flag, value) => {
    expect(String(actionInputs[input]?.default), 'action.yml').toBe(value);
    expect(readmeDefaults.get(input), 'README input table').toBe(value);
    if (flag) expect(readmeDefaults.get(flag), 'README flag table').toBe(value);
  });

  test('the CLI’s time budget, documented in the flag table', () => {
    expect(readmeDefaults.get('--time-budget <duration>')).toBe(DEFAULTS.timeBudget.cli);
  });
});

/** [parser, text, value or the start of the refusal] */
const PARSED: [string, (text: string) => unknown, string, unknown][] = [
  ['threshold', parseThreshold, '0.8', 0.8],
  ['threshold', parseThreshold, '.5', 0.5],
  ['threshold', parseThreshold, '80%', 0.8],
  ['threshold', parseThreshold, ' 100% ', 1],
  ['threshold', parseThreshold, '0', 'completeness-threshold: must be a number above 0 and at most 1'],
  ['threshold', parseThreshold, '180%', 'completeness-threshold: must be a number above 0 and at most 1'],
  ['threshold', parseThreshold, '8e-1', 'completeness-threshold: must be a number above 0 and at most 1'],
  ['chunk size', (t) => parseWholeSetting('chunkSize', t), '100', 100],
  [
    'chunk size',
    (t) => parseWholeSetting('chunkSize', t),
    '101',
    'chunk-size: must be a whole number from 1 to 100',
  ],
  [
    'chunk size',
    (t) => parseWholeSetting('chunkSize', t),
    '2e1',
    'chunk-size: must be a whole number from 1 to 100',
  ],
  ['min prs', (t) => parseWholeSetting('minPrs', t), '0', 0],
  ['min prs', (t) => parseWholeSetting('minPrs', t), '-3', 'min-prs: must be a whole number of at least 0'],
  ['duration', (t) => parseDuration(t, 'time-budget'), '1h30m', 90 * 60_000],
  ['duration', (t) => parseDuration(t, 'time-budget'), '1500', 1500],
  [
    'duration',
    (t) => parseDuration(t, 'time-budget'),
    '10 minutes',
    'time-budget: "10 minutes" is not a duration',
  ],
  ['profile', (t) => parseFieldProfile(t), 'full', 'full'],
  ['profile', (t) => parseFieldProfile(t), 'all', 'field-profile: must be one of core, standard, full'],
  ['boolean', (t) => parseBoolean(t, 'dry-run'), 'True', true],
  ['boolean', (t) => parseBoolean(t, 'dry-run'), 'yes', 'dry-run: must be true or false'],
];

describe('one parser per kind of value, for every entry point', () => {
  test.each(PARSED)('%s %j', (_kind, parseText, text, expected) => {
    if (typeof expected === 'string' && expected.includes(': ')) {
      expect(() => parseText(text)).toThrow(ConfigError);
      expect(() => parseText(text)).toThrow(expected);
    } else {
      expect(parseText(text)).toEqual(expected);
    }
  });
});

describe('validateOptions', () => {
  const valid: BackfillOptions = {
    repositories: [],
    completenessThreshold: DEFAULTS.completenessThreshold,
    minPrs: DEFAULTS.minPrs,
    fieldProfile: DEFAULTS.fieldProfile,
    timeBudgetMs: 60_000,
    dryRun: false,
    workerId: 'test',
    trigger: 'test',
    triggerRef: null,
  };

  test.each([
    [{}, null],
    [{ chunkSize: 100, concurrency: 32, maxChunks: 1, reservePoints: 0 }, null],
    [{ completenessThreshold: 1.5 }, 'completeness-threshold'],
    [{ minPrs: -1 }, 'min-prs'],
    [{ chunkSize: 101 }, 'chunk-size'],
    [{ chunkSize: 2.5 }, 'chunk-size'],
    [{ maxChunks: 0 }, 'max-chunks'],
    [{ reservePoints: -1 }, 'reserve-points'],
    [{ concurrency: 33 }, 'concurrency'],
    [{ timeBudgetMs: 0 }, 'time-budget'],
  ] as [Partial<BackfillOptions>, string | null][])('%j → %s', (change, setting) => {
    const check = () => validateOptions({ ...valid, ...change });
    if (setting === null) expect(check).not.toThrow();
    else expect(check).toThrow(new RegExp(`^${setting}: `));
  });
});
