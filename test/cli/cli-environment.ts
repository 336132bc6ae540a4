/** The GitHub simulator on loopback and a fresh migrated Postgres database, for driving the CLI against both. */
import type { DatasetOptions } from '../../src/simulator/dataset.ts';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

export const TOKEN = 'ghp_clitesttoken000000000000000000000000';

export interface CliEnvironment {
  sim: Simulator;
  db: TestDatabase;
  /** flags pointing the CLI at the simulator and the database */
  flags: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startCliEnvironment(
  dataset: DatasetOptions,
  options: { latencyMs?: () => number } = {},
): Promise<CliEnvironment> {
  const sim = await startSimulator({
    dataset,
    tokens: { [TOKEN]: {} },
    ...(options.latencyMs ? { latencyMs: () => options.latencyMs!() } : {}),
  });
  const db = await createTestDatabase();
  return {
    sim,
    db,
    flags: ['--database-url', db.url, '--github-api-url', sim.url],
    env: { GITHUB_TOKEN: TOKEN },
    async close() {
      await db.drop();
      await sim.stop();
    },
  };
}
