import { describe, expect, test } from 'vitest';
import { ConfigError, parseBase, parseScope, parseSince, parseStates } from '../../src/engine/options.ts';

function refusal(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('scope settings', () => {
  test.each([
    ['2024-01-31', '2024-01-31T00:00:00Z'],
    [' 2024-01-31 ', '2024-01-31T00:00:00Z'],
    ['2024-01-31T12:30:00Z', '2024-01-31T12:30:00Z'],
    ['2024-01-31T12:30+02:00', '2024-01-31T10:30:00Z'],
    ['2024-01-31T12:30:00.250Z', '2024-01-31T12:30:00.250Z'],
  ])('since %j is read as the instant %s', (text, instant) => {
    expect(parseSince(text)).toBe(instant);
  });

  test.each(['yesterday', '2024-02-30', '2024-13-01', '31/01/2024', '2024-01-31T12:00', '1706659200', ''])(
    'since %j is refused, naming the setting and the accepted forms',
    (text) => {
      const error = refusal(() => parseSince(text));
      expect(error.setting).toBe('since');
      expect(error.message).toContain(`since: must be a date (2024-01-31)`);
      expect(error.message).toContain(`got "${text}"`);
    },
  );

  test.each([
    ['merged', ['MERGED']],
    ['open, CLOSED', ['OPEN', 'CLOSED']],
    ['merged,open,merged', ['OPEN', 'MERGED']],
    ['open,closed,merged', undefined],
  ])('states %j is the partitions %j (all three: no filter)', (text, states) => {
    expect(parseStates(text)).toEqual(states);
  });

  test.each(['draft', 'open;closed', 'open,', '', 'OPENED'])('states %j is refused', (text) => {
    const error = refusal(() => parseStates(text));
    expect(error.message).toBe(
      `states: must be a comma-separated list of OPEN, CLOSED, MERGED, got "${text}"`,
    );
  });

  test.each(['main', 'release/2.x', 'feature/a-b_c', 'dependabot/npm_and_yarn/x-1.2.3'])(
    'base %j is a branch',
    (text) => {
      expect(parseBase(text)).toBe(text);
    },
  );

  test.each(['', 'two words', 'a..b', 'ends/', '/starts', 'x.lock', 'a~1', 'a:b', 'what?', 'tab\there', '@'])(
    'base %j is refused',
    (text) => {
      expect(refusal(() => parseBase(text)).message).toMatch(/^base: must be a branch name such as main/);
    },
  );

  test('a scope keeps only the filters given, in canonical form', () => {
    // none given: no scope (each backfill's own); all three states given: the whole repository, asked for
    expect(parseScope({})).toBeUndefined();
    expect(parseScope({ since: '', states: ' ', base: '' })).toBeUndefined();
    expect(parseScope({ states: 'open, closed,MERGED' })).toEqual({});
    expect(parseScope({ since: '2024-01-31', states: 'merged,open', base: 'main' })).toEqual({
      since: '2024-01-31T00:00:00Z',
      states: ['OPEN', 'MERGED'],
      base: 'main',
    });
  });
});
