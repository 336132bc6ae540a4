import { describe, expect, test } from 'vitest';
import { toStoreError } from '../../src/store/rpc.ts';
import { StoreError } from '../../src/store/types.ts';

function codeOf(error: unknown): string | undefined {
  const mapped = toStoreError('backfill_x', error);
  return mapped instanceof StoreError ? mapped.code : undefined;
}

describe('toStoreError', () => {
  test.each([
    ['PB001', 'stale_lease'],
    ['PB002', 'cursor_conflict'],
    ['PB003', 'invalid_transition'],
    ['PB004', 'invalid_input'],
    ['42883', 'schema_missing'],
    ['42P01', 'schema_missing'],
    ['PGRST202', 'schema_missing'],
    ['08006', 'connection'],
    ['28P01', 'connection'],
    ['3D000', 'connection'],
    ['57P01', 'connection'],
    ['ECONNREFUSED', 'connection'],
  ])('maps code %s to %s', (code, expected) => {
    expect(codeOf(Object.assign(new Error('boom'), { code }))).toBe(expected);
  });

  test('recognises connection failures reported by message, status or nested cause', () => {
    expect(codeOf(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(codeOf({ code: '', message: 'TypeError: fetch failed', status: 0 })).toBe('connection');
    expect(codeOf({ message: 'Bad gateway', status: 502 })).toBe('connection');
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(codeOf(new AggregateError([refused], ''))).toBe('connection');
    expect(codeOf(new TypeError('failed', { cause: refused }))).toBe('connection');
  });

  test('leaves other failures as plain errors naming the function', () => {
    const mapped = toStoreError(
      'backfill_x',
      Object.assign(new Error('new row violates check'), { code: '23514' }),
    );
    expect(mapped).not.toBeInstanceOf(StoreError);
    expect(mapped.message).toBe('backfill_x failed: new row violates check');
  });

  test('scrubs secrets from every message', () => {
    const leaky = Object.assign(new Error('auth failed for s3cret-token'), { code: '28000' });
    const mapped = toStoreError('backfill_x', leaky, ['s3cret-token']);
    expect(mapped.message).not.toContain('s3cret-token');
    expect(mapped.message).toContain('[REDACTED]');
  });

  test('tells the user how to migrate when the schema is missing', () => {
    const mapped = toStoreError(
      'backfill_x',
      Object.assign(new Error('function does not exist'), { code: '42883' }),
    );
    expect(mapped.message).toMatch(/npx progressive-backfill migrate --database-url .*supabase db push/);
  });
});
