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
