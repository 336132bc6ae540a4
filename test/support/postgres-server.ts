/**
 * Vitest global setup: starts a real, throwaway PostgreSQL server for the whole test run (Debian's server binaries,
 * installed by .ci/run), unless DATABASE_URL points at one already. Tests get the admin URL through
 * `inject('adminDatabaseUrl')` and create their own databases from it.
 */
import type { TestProject } from 'vitest/node';
import { startTempPostgres } from '../../scripts/harness/temp-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    pgCronAvailable: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    project.provide('pgCronAvailable', process.env.PG_CRON_AVAILABLE === '1');
    return () => {};
  }
  const server = await startTempPostgres();
  project.provide('adminDatabaseUrl', server.adminUrl);
  project.provide('pgCronAvailable', server.pgCronAvailable);
  return () => server.stop();
}
