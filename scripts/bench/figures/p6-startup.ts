/**
 * P6 — the action bundle's size, and the time from spawning `node index.js` the way a runner does (INPUT_*
 * variables, GITHUB_* files) to the simulator receiving its first GraphQL request. Both clocks are this machine's
 * wall clock; the median of several starts is reported.
 */
import { stat } from 'node:fs/promises';
import { startSimulator } from '../../../src/simulator/server.ts';
import { runActionBundle } from '../../harness/action-runner.ts';
import { createDatabaseOn } from '../../harness/database.ts';
import { buildBundles } from '../bundles.ts';
import { type BenchConfig, type FigureResult, median, thousands, verdict } from '../types.ts';

const SIZE_GOAL = 2 * 1024 * 1024;
const START_GOAL_MS = 500;
const TOKEN = 'ghp_startupbenchtoken000000000000000000000';

export async function bundleAndStartup(config: BenchConfig): Promise<FigureResult> {
  const { action } = await buildBundles();
  const bytes = (await stat(action)).size;
  const repo = { owner: 'bench', name: 'startup', pullRequests: 40 };
  const sim = await startSimulator({ dataset: { seed: 61, repositories: [repo] }, tokens: { [TOKEN]: {} } });
  const starts: number[] = [];
  const firstAny: number[] = [];
  try {
    for (let i = 0; i < (config.quick ? 3 : 7); i++) {
      const db = await createDatabaseOn(config.adminUrl);
      try {
        const seen = sim.requests.length;
        const spawnedAt = Date.now();
        const run = await runActionBundle({
          bundle: action,
          eventName: 'schedule',
          inputs: {
            'github-token': TOKEN,
            'github-api-url': sim.url,
            'database-url': db.url,
            repositories: `${repo.owner}/${repo.name}`,
            'completeness-threshold': '0.8',
            'min-prs': '0',
            'field-profile': 'core',
            'time-budget': '2m',
            'dry-run': 'false',
            'report-issues': 'false',
            'issue-labels': 'progressive-backfill',
          },
        });
        if (run.exitCode !== 0)
          throw new Error(`P6: the action exited ${run.exitCode}:\n${run.stdout}${run.stderr}`);
        const mine = sim.requests.slice(seen);
        const graphql = mine.find((r) => r.path.endsWith('graphql'));
        if (!graphql) throw new Error('P6: the action sent no GraphQL request');
        starts.push(graphql.at - spawnedAt);
        firstAny.push(mine[0]!.at - spawnedAt);
      } finally {
        await db.drop();
      }
    }
  } finally {
    await sim.stop();
  }
  const startMs = median(starts);
  return {
    id: 'P6',
    rows: [
      {
        figure: 'P6',
        measure: 'action bundle dist/index.js (scripts/build.mjs, as `npm run bundle`)',
        product: `${(bytes / 1024 / 1024).toFixed(2)} MB (${thousands(bytes)} bytes)`,
        seed: '—',
        goal: '≤ 2 MB',
        verdict: verdict(bytes <= SIZE_GOAL),
      },
      {
        figure: 'P6',
        measure: `process spawn → first GraphQL request, median of ${starts.length}`,
        product: `${startMs} ms`,
        seed: '—',
        goal: `≤ ${START_GOAL_MS} ms`,
        verdict: verdict(startMs <= START_GOAL_MS),
      },
    ],
    notes: [
      `P6: each start in ms: ${starts.join(', ')} (first request of any kind: ${firstAny.join(', ')}). Before its ` +
        'first GraphQL request the action parses its inputs, connects to Postgres, checks the schema, records the ' +
        'run, recovers stuck chunks and reads the rate limit (REST).',
    ],
    panels: [],
  };
}
