/**
 * Postgres text cannot hold U+0000 and jsonb rejects a lone UTF-16 surrogate: one such character in one pull request
 * would fail its whole page forever. Strip the first and replace the second with U+FFFD, so the page lands.
 */
const NUL = String.fromCharCode(0);

export function storableText(text: string): string {
  const clean = text.includes(NUL) ? text.replaceAll(NUL, '') : text;
  return clean.isWellFormed() ? clean : clean.toWellFormed();
}

/** Applies storableText to every string of a JSON-like value, copying only what changes. */
export function storableStrings<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    const cleaned = value.map((item) => storableStrings(item));
    return (cleaned.some((item, i) => item !== value[i]) ? cleaned : value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const cleaned = entries.map(([key, item]) => [key, storableStrings(item)] as const);
    return (
      cleaned.some(([, item], i) => item !== entries[i]![1]) ? Object.fromEntries(cleaned) : value
    ) as T;
  }
  return value;
}

/**
 * JSON.stringify(value) with every string made storable, in one pass over the text instead of a copy of the value:
 * JSON.stringify writes U+0000 as the escape `\u0000` and a lone surrogate as `\udXXX` (a valid pair stays raw), so
 * those escapes are the only places to fix. Each match starts at an escape's backslash, so `\\u0000` (an escaped
 * backslash, then text) is left alone.
 */
const FIXABLE_ESCAPE = /\\(?:(u0000)|(ud[89a-f][0-9a-f]{2})|[^u]|u[0-9a-f]{4})/g;

export function storableJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined || !text.includes('\\u')) return text;
  return text.replace(FIXABLE_ESCAPE, (sequence, nul?: string, surrogate?: string) =>
    nul ? '' : surrogate ? '\\ufffd' : sequence,
  );
}
