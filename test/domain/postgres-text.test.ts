import fc from 'fast-check';
import { expect, test } from 'vitest';
import { storableJson, storableStrings, storableText } from '../../src/domain/postgres-text.ts';

test('text Postgres can store passes through untouched, emoji and right-to-left included', () => {
  const text = 'fix 🔥 in שגיאה خطأ 👩‍👩‍👧';
  expect(storableText(text)).toBe(text);
});

test('NUL characters are dropped and lone surrogates become U+FFFD', () => {
  expect(storableText('a\u0000b')).toBe('ab');
  expect(storableText('cut emoji \uD83D')).toBe('cut emoji \uFFFD');
  expect(storableText('\uDC00 stray low')).toBe('\uFFFD stray low');
});

test('nested records are cleaned and unchanged ones are not copied', () => {
  const clean = { title: 'ok', labels: ['a'] };
  const dirty = { title: 'bad\u0000', labels: ['x\uD800'] };
  const out = storableStrings([clean, dirty]);
  expect(out[0]).toBe(clean);
  expect(out[1]).toEqual({ title: 'bad', labels: ['x\uFFFD'] });
});

test('page JSON is cleaned in the text: NUL dropped, lone surrogates replaced, escaped backslashes kept', () => {
  const value = { a: 'x\u0000y', b: ['\uD800', 'ok \uD83D\uDE80'], c: '\\u0000 is text', d: '\\\u0000' };
  expect(JSON.parse(storableJson(value))).toEqual({
    a: 'xy',
    b: ['\uFFFD', 'ok \uD83D\uDE80'],
    c: '\\u0000 is text',
    d: '\\',
  });
  expect(storableJson({ clean: 'nothing to fix' })).toBe('{"clean":"nothing to fix"}');
});

test('storableJson agrees with storableStrings on any JSON value', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary' }), (value, text) => {
      const both = [value, text, { key: [text] }];
      expect(JSON.parse(storableJson(both))).toEqual(JSON.parse(JSON.stringify(storableStrings(both))));
    }),
  );
});
