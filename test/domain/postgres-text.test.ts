import { expect, test } from 'vitest';
import { storableStrings, storableText } from '../../src/domain/postgres-text.ts';

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
