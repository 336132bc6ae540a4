/**
 * The results as a committed record: a markdown table (with the machine and the command), and a chart drawn as SVG
 * by hand — a few bars need no charting library — converted to PNG with rsvg-convert when it is installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, type as osType, release, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ChartPanel, FigureResult } from './types.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
}

export async function describeMachine(adminUrl: string): Promise<Machine> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>(
      "select current_setting('server_version') as version",
    );
    return {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      os: `${osType()} ${release()}`,
      node: process.version,
      postgres: `PostgreSQL ${rows[0]!.version} (throwaway server, fsync off)`,
    };
  } finally {
    await client.end();
  }
}

export function markdownReport(input: {
  figures: FigureResult[];
  machine: Machine;
  command: string;
  startedAt: Date;
  seconds: number;
  chart: string | null;
  /** figures still running: the file is rewritten as each one finishes, so a stopped run keeps what it measured */
  pending?: string[];
}): string {
  const rows = input.figures.flatMap((f) => f.rows);
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const unmet = rows.filter((r) => r.verdict === 'NOT MET');
  return [
    '# Benchmarks',
    '',
    `Produced by \`${input.command}\` on ${input.startedAt.toISOString()} in ${input.seconds.toFixed(0)} s.`,
    '',
    ...(input.pending?.length
      ? [`**Incomplete:** ${input.pending.join(', ')} had not finished when this file was written.`, '']
      : []),
    `Machine: ${input.machine.cpu}, ${input.machine.cores} cores, ${input.machine.memoryGb} GB, ${input.machine.os}; ` +
      `Node ${input.machine.node}; ${input.machine.postgres}. GitHub is the project's simulator on loopback.`,
    '',
    '"Seed replay" is scripts/bench/seed-strategy.ts: the seed system\'s strategy (25-PR pages, 10 chunks per ' +
      'run, a run every 15 minutes, one repository at a time, a rate-limit query per chunk, progress written ' +
      'apart from the PRs) replayed against the same simulator and Postgres — a benchmark loop, not product code.',
    '',
    '| Figure | Measure | Product | Seed replay | Goal | Verdict |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${cell(r.measure)} | ${cell(r.product)} | ${cell(r.seed)} | ${cell(r.goal)} | ${r.verdict} |`,
    ),
    '',
    unmet.length === 0
      ? 'Every goal measured here is met.'
      : `Goals not met: ${unmet.map((r) => `${r.figure} (${r.measure})`).join('; ')}.`,
    '',
    '## Notes',
    '',
    ...input.figures.flatMap((f) => f.notes.map((n) => `- ${n}`)),
    '',
    ...(input.chart ? [`![Benchmarks chart](${input.chart})`, ''] : []),
  ].join('\n');
}

const COLORS = { product: '#2f6fde', seed: '#d9822b', reference: '#8a8f98' } as const;
const WIDTH = 860;
const BAR = 22;
const GAP = 8;
const LABEL = 190;
const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function formatValue(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function panelSvg(panel: ChartPanel, top: number): { svg: string; height: number } {
  const plot = WIDTH - LABEL - 120;
  const values = [...panel.bars.map((b) => b.value), ...(panel.goal ? [panel.goal.value] : [])];
  const max = Math.max(...values) * 1.05 || 1;
  // A log axis starts a decade under the smallest value so that bar still shows.
  const min = Math.min(...values.filter((v) => v > 0)) / 10;
  const x = (value: number) =>
    panel.logScale
      ? LABEL + (Math.log10(Math.max(value, min) / min) / Math.log10(max / min)) * plot
      : LABEL + (value / max) * plot;
  const parts = [
    `<text x="16" y="${top + 18}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  const barsBottom = top + 32 + panel.bars.length * (BAR + GAP);
  // The goal line goes under the bars and their labels; labels get a white halo so the line never hides them.
  if (panel.goal) {
    const gx = x(panel.goal.value).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top + 28}" x2="${gx}" y2="${barsBottom}" stroke="#c0392b" stroke-width="2" stroke-dasharray="5,4"/>`,
      `<text x="${gx}" y="${barsBottom + 14}" font-size="12" fill="#c0392b" text-anchor="middle">${escapeXml(panel.goal.label)}</text>`,
    );
  }
  let y = top + 32;
  for (const bar of panel.bars) {
    const width = Math.max(1, x(bar.value) - LABEL);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + BAR - 7}" font-size="13" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${COLORS[bar.kind]}"/>`,
      `<text x="${(LABEL + width + 6).toFixed(1)}" y="${y + BAR - 7}" font-size="12" stroke="white" stroke-width="4" paint-order="stroke">${escapeXml(`${formatValue(bar.value)} ${panel.unit}`)}</text>`,
    );
    y += BAR + GAP;
  }
  if (panel.goal) y += 16;
  return { svg: parts.join('\n'), height: y - top + 18 };
}

export function chartSvg(figures: FigureResult[], subtitle: string): string {
  const panels = figures.flatMap((f) => f.panels);
  const body: string[] = [];
  let top = 48;
  for (const panel of panels) {
    const drawn = panelSvg(panel, top);
    body.push(drawn.svg);
    top += drawn.height;
  }
  const legend = (['product', 'seed', 'reference'] as const).map(
    (kind, i) =>
      `<rect x="${16 + i * 170}" y="${top}" width="14" height="14" fill="${COLORS[kind]}"/>` +
      `<text x="${36 + i * 170}" y="${top + 12}" font-size="13">${{ product: 'progressive-backfill', seed: 'seed strategy replay', reference: 'latency floor' }[kind]}</text>`,
  );
  const height = top + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    '<text x="16" y="26" font-size="18" font-weight="bold">progressive-backfill benchmarks</text>',
    `<text x="16" y="42" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`,
    ...body,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** Writes the SVG and, when rsvg-convert is installed, the PNG next to it; returns the name to show. */
export async function writeChart(dir: string, base: string, svg: string): Promise<string> {
  await writeFile(join(dir, `${base}.svg`), svg);
  const converted = spawnSync('rsvg-convert', [
    '-f',
    'png',
    '-o',
    join(dir, `${base}.png`),
    join(dir, `${base}.svg`),
  ]);
  if (converted.error || converted.status !== 0) {
    console.warn(
      `note: rsvg-convert is not installed (Debian: librsvg2-bin), so only ${base}.svg was written, no PNG`,
    );
    return `${base}.svg`;
  }
  return `${base}.png`;
}
