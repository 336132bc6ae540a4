/**
 * `npm run chaos`: the reliability harness. Every scenario ends by comparing the database with the simulator's
 * ground truth; the table shows trials, PRs lost, PRs duplicated and rows that differ, and any of them — or any
 * other failure (a zombie commit accepted, a reserve spent, a bad input mishandled) — makes the exit code 1.
 *
 *   npm run chaos                 R1 30 SIGKILL trials, R2 3 fault storms, R3 3 worker races, R4 every bad input
 *   npm run chaos -- --quick      R1 5, R2 1 (smaller), R3 1, R4 every bad input
 *   npm run chaos -- --only R1,R3 --trials 50
 */
import { parseArgs } from 'node:util';
import { startBenchPostgres } from '../bench/environment.ts';
import { BAD_INPUTS, runBadInputs } from '../harness/bad-inputs.ts';
import { runCrashTrial } from '../harness/crash-trial.ts';
import { createDatabaseOn } from '../harness/database.ts';
import { runFaultStorm } from '../harness/fault-storm.ts';
import type { GroundTruthDiff } from '../harness/ground-truth-diff.ts';
import { seeded } from '../harness/spawn-engine.ts';
import { RACE_WORKERS, runWorkerRace } from '../harness/worker-race.ts';

const SCENARIOS = ['R1', 'R2', 'R3', 'R4'] as const;
type ScenarioId = (typeof SCENARIOS)[number];

interface ScenarioResult extends GroundTruthDiff {
  id: ScenarioId;
  title: string;
  trials: number;
  /** failures that are not about rows: exit codes, a zombie let through, the reserve spent, a bad message */
  failures: string[];
}

const sum = (diffs: GroundTruthDiff[]) => ({
  lost: diffs.reduce((n, d) => n + d.lost, 0),
  duplicated: diffs.reduce((n, d) => n + d.duplicated, 0),
  differing: diffs.reduce((n, d) => n + d.differing, 0),
});

function usage(message: string): never {
  console.error(`error: ${message}`);
  console.error('usage: npm run chaos -- [--quick] [--only R1,R2,R3,R4] [--trials N]');
  process.exit(2);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      trials: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const only = (values.only?.toUpperCase().split(',') ?? [...SCENARIOS]).map((s) => s.trim());
  for (const s of only) if (!SCENARIOS.includes(s as ScenarioId)) usage(`--only: unknown scenario ${s}`);
  const trials = values.trials === undefined ? (quick ? 5 : 30) : Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1) usage('--trials must be a whole number above 0');

  const postgres = await startBenchPostgres();
  const createDatabase = () => createDatabaseOn(postgres.adminUrl);
  const results: ScenarioResult[] = [];
  const log = (text: string) => console.error(text);
  try {
    if (only.includes('R1')) {
      const random = seeded(20261122);
      const runs = [];
      for (let trial = 0; trial < trials; trial++) {
        const killAfterPages = Math.floor(random() * 12);
        const r = await runCrashTrial({ trial, killAfterPages, createDatabase });
        log(
          `R1 trial ${trial + 1}/${trials}: killed after ${killAfterPages} pages; lost ${r.lost}, duplicated ${r.duplicated}, differing ${r.differing}`,
        );
        runs.push(r);
      }
      results.push({
        id: 'R1',
        title: 'SIGKILL at a random moment, then a rerun to the end',
        trials: runs.length,
        ...sum(runs),
        failures: runs
          .filter((r) => r.rerunExit !== 0)
          .map((r) => `trial ${r.trial}: rerun exited ${r.rerunExit}`),
      });
    }
    if (only.includes('R2')) {
      const storms = [];
      const failures: string[] = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        const reserve = 100;
        const storm = await runFaultStorm({
          pullRequests: quick ? 30_000 : 50_000,
          seed: 99 + i,
          limit: 120,
          reserve,
          adminUrl: postgres.adminUrl,
        });
        log(
          `R2 storm ${i + 1}: ${storm.faults} faults in ${storm.requests} GraphQL requests, ` +
            `${(storm.simulatedMs / 3_600_000).toFixed(1)} simulated h, ${storm.runs} run(s), outcome ` +
            `${storm.summary.repositories[0]?.outcome}; ` +
            `lost ${storm.lost}, duplicated ${storm.duplicated}, differing ${storm.differing}`,
        );
        for (const short of storm.shortRuns)
          log(`R2 storm ${i + 1}: a run fell short (${short}); the next run went on`);
        if (storm.summary.repositories[0]?.outcome !== 'completed')
          failures.push(`storm ${i + 1} ended ${storm.summary.repositories[0]?.outcome}`);
        if (storm.lowestRemaining < reserve)
          failures.push(
            `storm ${i + 1} left ${storm.lowestRemaining} points, below the reserve of ${reserve}`,
          );
        if (storm.faults < 5) failures.push(`storm ${i + 1}: only ${storm.faults} faults: not a storm`);
        storms.push(storm);
      }
      results.push({
        id: 'R2',
        title: 'fault storm: 20% of requests 502/504/secondary limit/reset',
        trials: storms.length,
        ...sum(storms),
        failures,
      });
    }
    if (only.includes('R3')) {
      const races = [];
      const failures: string[] = [];
      for (let trial = 0; trial < (quick ? 1 : 3); trial++) {
        const race = await runWorkerRace({ trial, createDatabase });
        log(
          `R3 race ${trial + 1}: zombie commit → ${race.zombieCommit}; ${race.workersThatCommitted} of ${RACE_WORKERS} ` +
            `workers committed; exits ${race.workerExits.join(',')}; lost ${race.lost}, duplicated ${race.duplicated}, differing ${race.differing}`,
        );
        if (race.zombieCommit !== 'stale_lease')
          failures.push(`race ${trial}: zombie commit ${race.zombieCommit}`);
        if (race.leasesRecovered !== 1)
          failures.push(`race ${trial}: ${race.leasesRecovered} leases recovered`);
        if (race.workerExits.some((code) => code !== 0))
          failures.push(`race ${trial}: worker exits ${race.workerExits.join(',')}`);
        races.push(race);
      }
      results.push({
        id: 'R3',
        title: `${RACE_WORKERS} concurrent workers + a zombie after lease recovery`,
        trials: races.length,
        ...sum(races),
        failures,
      });
    }
    if (only.includes('R4')) {
      const cases = await runBadInputs({ createDatabase, adminUrl: postgres.adminUrl });
      for (const c of cases) {
        log(
          `R4 ${c.problems.length === 0 ? 'ok  ' : 'FAIL'} exit ${c.exit} (expected ${c.expectedExit}) ${c.name}: ${c.said}${c.problems.length ? ` — ${c.problems.join('; ')}` : ''}`,
        );
      }
      results.push({
        id: 'R4',
        title: 'bad inputs → clear message, documented exit code, no partial state',
        trials: cases.length,
        lost: 0,
        duplicated: 0,
        differing: 0,
        failures: cases
          .filter((c) => c.problems.length > 0)
          .map((c) => `${c.name}: ${c.problems.join('; ')}`),
      });
      if (cases.length < BAD_INPUTS.length) throw new Error('R4: some bad-input cases did not run');
    }
  } finally {
    postgres.stop();
  }

  const header = '| Scenario | Trials | PRs lost | PRs duplicated | Rows differing | Other failures |';
  console.log(`\n${header}\n| --- | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of results) {
    console.log(
      `| ${r.id} ${r.title} | ${r.trials} | ${r.lost} | ${r.duplicated} | ${r.differing} | ${r.failures.length} |`,
    );
  }
  const bad = results.filter((r) => r.lost + r.duplicated + r.differing + r.failures.length > 0);
  for (const r of bad) for (const f of r.failures) console.log(`${r.id}: ${f}`);
  console.log(bad.length === 0 ? '\nchaos: every trial ended exactly equal to GitHub' : '\nchaos: FAILED');
  return bad.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  },
);
