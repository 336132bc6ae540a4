import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createEmptyDatabase } from '../store/empty-database.ts';
import { runMain } from './cli-harness.ts';

describe('a database without the schema', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createEmptyDatabase(inject('adminDatabaseUrl'));
  });
  afterAll(() => database?.drop());

  test('run stops with exit 5 and says to run migrate, without calling GitHub', async () => {
    const { code, stderr } = await runMain(
      ['run', '--repo', 'acme/widgets', '--database-url', database.url],
      {
        GITHUB_TOKEN: 'ghp_unused00000000000000000000000000000000',
        // nothing listens here: a request to GitHub would fail differently
        GITHUB_API_URL: 'http://127.0.0.1:9',
      },
    );
    expect(code).toBe(5);
    expect(stderr).toContain('migrate');
  });

  test('status says the same', async () => {
    const { code, stderr } = await runMain(['status', '--database-url', database.url]);
    expect(code).toBe(5);
    expect(stderr).toContain('migrate');
  });

  test('an unreachable database is exit 5 too, with a hint', async () => {
    const { code, stderr } = await runMain([
      'status',
      '--database-url',
      'postgres://nobody:secret-pw@127.0.0.1:9/none',
    ]);
    expect(code).toBe(5);
    expect(stderr).toMatch(/cannot reach|reachable/);
    expect(stderr).not.toContain('secret-pw');
  });
});
