/** What every figure hands to the report: table rows, notes, and the bars it contributes to the chart. */

export interface BenchConfig {
  quick: boolean;
  /** Postgres admin URL: each figure creates its own scratch databases on it */
  adminUrl: string;
  /** simulated GitHub latency for one 100-PR page (P3's wall-time run uses it for real) */
  latencyMs: number;
  /** how latency grows with a request: fixed per request, or proportional to the pull requests it asks for */
  latencyModel: LatencyModel;
  /** pull requests in P3's repository */
  wallTimePrs: number;
}

export type LatencyModel = 'per-request' | 'per-100-prs';

export type Verdict = 'met' | 'NOT MET' | '—';

export interface FigureRow {
  figure: string;
  measure: string;
  product: string;
  seed: string;
  goal: string;
  verdict: Verdict;
}

export interface ChartBar {
  label: string;
  value: number;
  kind: 'product' | 'seed' | 'reference';
}

export interface ChartPanel {
  title: string;
  unit: string;
  bars: ChartBar[];
  goal?: { value: number; label: string };
  /** for values that differ by orders of magnitude */
  logScale?: boolean;
}

export interface FigureResult {
  id: string;
  rows: FigureRow[];
  notes: string[];
  panels: ChartPanel[];
}

/** The middle value (the upper one of an even count). */
export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Runs each configuration `times` times, taking them in turn so a drift in the machine's speed reaches every one, and
 * keeps every run and the one whose `by` is the median (the upper one of an even count).
 */
export async function medianRuns<K extends string, R>(
  times: number,
  configurations: Record<K, () => Promise<R>>,
  by: (run: R) => number,
): Promise<Record<K, { median: R; all: R[] }>> {
  const entries = Object.entries(configurations) as [K, () => Promise<R>][];
  const all = new Map<K, R[]>(entries.map(([key]) => [key, []]));
  for (let i = 0; i < times; i++) {
    for (const [key, run] of entries) all.get(key)!.push(await run());
  }
  const middle = (runs: R[]) => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)]!;
  return Object.fromEntries(
    entries.map(([key]) => [key, { median: middle(all.get(key)!), all: all.get(key)! }]),
  ) as Record<K, { median: R; all: R[] }>;
}

export const verdict = (met: boolean): Verdict => (met ? 'met' : 'NOT MET');

export const thousands = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
