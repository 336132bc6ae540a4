import { describe, expect, it } from 'vitest';
import { TextKeyedCache } from '../../src/domain/text-keyed-cache.ts';

describe('TextKeyedCache', () => {
  it('keeps entries while their keys fit the bound, then drops the least recently used', () => {
    const cache = new TextKeyedCache<number>(10);
    cache.set('aaaa', 1);
    cache.set('bbbb', 2);
    expect(cache.get('aaaa')).toBe(1); // 'bbbb' is now the least recently used
    cache.set('cccc', 3);
    expect(cache.get('bbbb')).toBeUndefined();
    expect(cache.get('aaaa')).toBe(1);
    expect(cache.get('cccc')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('never holds a key longer than the whole bound, and replacing a key does not count it twice', () => {
    const cache = new TextKeyedCache<string>(8);
    cache.set('x'.repeat(9), 'too big');
    expect(cache.size).toBe(0);
    cache.set('abcd', 'one');
    cache.set('abcd', 'two');
    cache.set('efgh', 'three');
    expect(cache.get('abcd')).toBe('two');
    expect(cache.get('efgh')).toBe('three');
  });
});
