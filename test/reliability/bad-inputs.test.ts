/**
 * Part of `npm run chaos` (R4) kept in the suite: bad inputs through the real CLI process, each with a clear message,
 * its documented exit code, no secret printed and no partial state.
 */
import { describe, expect, inject, test } from 'vitest';
import { BAD_INPUTS, runBadInputs } from '../../scripts/harness/bad-inputs.ts';
import { createTestDatabase } from '../support/database.ts';

describe('bad inputs through the CLI process', () => {
  test(`each of ${BAD_INPUTS.length} ends with a clear message, its documented exit code and no partial state`, async () => {
    const results = await runBadInputs({
      createDatabase: createTestDatabase,
      adminUrl: inject('adminDatabaseUrl'),
    });
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(15);
  }, 60_000);
});
