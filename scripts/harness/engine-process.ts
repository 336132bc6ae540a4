/**
 * The engine as a separate OS process, for crash and concurrency tests: `node --import tsx engine-process.ts` with
 * its settings in ENGINE_* variables. Prints one line per committed page so a parent can pick its moment to kill.
 */
import { runBackfill } from '../../src/engine/run.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { createPostgresStore } from '../../src/store/postgres.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const store = createPostgresStore(env('ENGINE_DATABASE_URL'));
const github = createGitHubClient({
  token: env('ENGINE_TOKEN'),
  apiUrl: env('ENGINE_API_URL'),
  retry: { retries: 0 },
  secondaryLimit: { maxRetries: 0, scaleWaitMs: () => 0 },
});
const [owner, name] = env('ENGINE_REPOSITORY').split('/') as [string, string];
const untilComplete = process.env.ENGINE_UNTIL_COMPLETE === '1';
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());

let outcome = 'none';
for (let round = 0; round < 200; round++) {
  const summary = await runBackfill(
    {
      repositories: [{ owner, name }],
      completenessThreshold: 0.8,
      minPrs: 0,
      fieldProfile: process.env.ENGINE_PROFILE === 'full' ? 'full' : 'core',
      timeBudgetMs: 600_000,
      dryRun: false,
      workerId: `${process.env.ENGINE_WORKER ?? 'worker'}-${process.pid}`,
      trigger: 'test',
      triggerRef: null,
      force: true,
      pagesPerChunk: Number(process.env.ENGINE_PAGES_PER_CHUNK ?? 25),
      ...(process.env.ENGINE_CHUNK_SIZE ? { chunkSize: Number(process.env.ENGINE_CHUNK_SIZE) } : {}),
      // a few pages per run, so concurrent processes hand the repository back and forth between runs
      ...(process.env.ENGINE_MAX_CHUNKS ? { maxChunks: Number(process.env.ENGINE_MAX_CHUNKS) } : {}),
    },
    {
      store,
      github,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'page.committed') process.stdout.write(`page ${event.prs}\n`);
        if (event.type === 'follow-ups.committed') process.stdout.write(`page follow-ups ${event.pages}\n`);
      },
    },
  );
  outcome = summary.outcome;
  if (!untilComplete || controller.signal.aborted) break;
  const row = await store.getRepository({ owner, name });
  if (row?.backfillStatus === 'completed') break;
  // Another process holds the lease: poll again shortly, as a scheduled worker would on its next tick.
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`outcome ${outcome}\n`);
await store.close();
