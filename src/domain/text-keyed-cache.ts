/**
 * A cache keyed by document text, bounded by the total length of its keys rather than by a count: what it holds
 * (a parsed GraphQL document, a price) grows with the text, and one of the product's follow-up documents is 90 KB
 * where a pull-request page's is 3 KB, so a count bound either wastes memory or caches nothing useful. The least
 * recently used entries go first. Hand-written (a few lines) so the runtime-neutral core needs no dependency in
 * Deno's import maps.
 */
export class TextKeyedCache<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // re-inserting moves the key to the end of the Map's order: the most recently used
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (this.entries.delete(key)) this.chars -= key.length;
    if (key.length > this.maxChars) return;
    this.entries.set(key, value);
    this.chars += key.length;
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}
