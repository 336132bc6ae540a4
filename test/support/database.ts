/** Fresh migrated databases on the test run's own PostgreSQL server (started by postgres-server.ts). */
import { inject } from 'vitest';
import { createDatabaseOn, type TestDatabase } from '../../scripts/harness/database.ts';

export { createDatabaseOn, type TestDatabase };

export function createTestDatabase(): Promise<TestDatabase> {
  return createDatabaseOn(inject('adminDatabaseUrl'));
}
