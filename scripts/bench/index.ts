/**
 * `npm run bench`: every performance figure of the README, measured against the GitHub simulator and a real local
 * Postgres, side by side with a replay of the seed system's strategy. Writes scripts/bench/results/benchmarks.md
 * and a chart (benchmarks-quick.* with --quick).
 *
 *   npm run bench                      full run (P3 at 1 s per page on 100,000 PRs: about 10 minutes)
 *   npm run bench -- --quick           small sizes, 20 ms latency: about 2 minutes
 *   npm run bench -- --only P1,P4      some figures
 *   npm run bench -- --latency 500 --latency-model per-100-prs --prs 50000
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchPostgres } from './environment.ts';
import { pointsPerThousand } from './figures/p1-points.ts';
import { prsPerHour } from './figures/p2-hourly.ts';
import { wallTime } from './figures/p3-wall-time.ts';
import { commitThroughput } from './figures/p4-commit.ts';
import { peakMemory } from './figures/p5-memory.ts';
import { bundleAndStartup } from './figures/p6-startup.ts';
import { embeddedMemory } from './figures/p7-embedded.ts';
import { chartSvg, describeMachine, markdownReport, writeChart } from './report.ts';
import type { BenchConfig, FigureResult, LatencyModel } from './types.ts';

const FIGURES = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'] as const;
type FigureId = (typeof FIGURES)[number];

function usage(message: string): never {
  console.error(`error: ${message}`);
  console.error(
    'usage: npm run bench -- [--quick] [--only P1,P2,…] [--latency MS] [--latency-model per-request|per-100-prs] [--prs N] [--out DIR]',
  );
  process.exit(2);
}

function positive(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) usage(`${flag} must be a whole number above 0`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      latency: { type: 'string' },
      'latency-model': { type: 'string' },
      prs: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const only = (values.only?.toUpperCase().split(',') ?? [...FIGURES]).map((f) => f.trim());
  for (const f of only) if (!FIGURES.includes(f as FigureId)) usage(`--only: unknown figure ${f}`);
  const model = values['latency-model'];
  if (model !== undefined && model !== 'per-request' && model !== 'per-100-prs')
    usage('--latency-model must be per-request or per-100-prs');
  const latencyMs = positive(values.latency, '--latency') ?? (quick ? 20 : 1000);
  const wallTimePrs = positive(values.prs, '--prs') ?? (quick ? 20_000 : 100_000);
  const out = values.out ?? fileURLToPath(new URL('./results', import.meta.url));
  const command = [
    'npm run bench',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');

  const postgres = await startBenchPostgres();
  const startedAt = new Date();
  const figures: FigureResult[] = [];
  try {
    const base: BenchConfig = {
      quick,
      adminUrl: postgres.adminUrl,
      latencyMs,
      latencyModel: (model as LatencyModel | undefined) ?? 'per-request',
      wallTimePrs,
    };
    const runs: Record<FigureId, () => Promise<FigureResult[]>> = {
      P1: async () => [await pointsPerThousand(base)],
      P2: async () => [await prsPerHour(base)],
      // Without an explicit model, both: the issue's "1 s per page", and latency that grows with the PRs asked
      // for (at a tenth of the latency, so the full run stays within minutes; the ratio does not depend on it).
      P3: async () =>
        model
          ? [await wallTime(base)]
          : [
              await wallTime(base),
              await wallTime({
                ...base,
                latencyModel: 'per-100-prs',
                latencyMs: Math.max(1, Math.round(latencyMs / (quick ? 1 : 10))),
              }),
            ],
      P4: async () => [await commitThroughput(base)],
      P5: async () => [await peakMemory(base)],
      P6: async () => [await bundleAndStartup(base)],
      P7: async () => [await embeddedMemory(base)],
    };
    const machine = await describeMachine(postgres.adminUrl);
    const name = quick ? 'benchmarks-quick' : 'benchmarks';
    await mkdir(out, { recursive: true });
    const write = async (pending: string[]): Promise<string> => {
      const seconds = (Date.now() - startedAt.getTime()) / 1000;
      const chart = await writeChart(
        out,
        name,
        chartSvg(figures, `${command} · ${machine.cpu}, ${machine.cores} cores · ${startedAt.toISOString()}`),
      );
      const markdown = markdownReport({ figures, machine, command, startedAt, seconds, chart, pending });
      await writeFile(join(out, `${name}.md`), markdown);
      return markdown;
    };
    const selected = FIGURES.filter((id) => only.includes(id));
    for (const [k, id] of selected.entries()) {
      const began = performance.now();
      console.error(`${id}: running…`);
      figures.push(...(await runs[id]()));
      console.error(`${id}: done in ${((performance.now() - began) / 1000).toFixed(0)} s`);
      // a full run takes over an hour: what finished is on disk even if the run is stopped
      if (k < selected.length - 1) await write(selected.slice(k + 1));
    }
    console.log(await write([]));
    console.error(`written: ${join(out, `${name}.md`)}`);
  } finally {
    postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
