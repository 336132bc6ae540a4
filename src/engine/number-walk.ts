/**
 * The number walk: an exact partition of a repository by number. Issues and pull requests share one sequence of
 * numbers, 1 to the newest; every pull request that exists when the walk starts has a number no greater than the
 * newest's then, so looking every number up once (`issueOrPullRequest(number:)`, many per request) reads each of
 * them exactly once. Lookups are not connections: GitHub prices a request of them by the connections inside the
 * profile's fields alone, so in `core` any number of lookups costs 1 point. Numbers that are issues (or nothing any
 * more) are wasted slots: K lookups bring K × density pull requests, density = pull requests ÷ newest number.
 *
 * The first request is a probe that is also a page: numbers 1..K with the newest pull request's number and the
 * state counts. From its answer the planner compares pull requests per point (numbersWin) and either carries on by
 * number or starts the partitioned window walk (walk.ts) from scratch; the probe's pull requests are stored either
 * way, which is harmless (they are real) and exact (the window walk reads everything).
 *
 * Pull requests created after the probe have larger numbers, and pull requests that change mid-walk move their
 * `updatedAt`: the incremental refresh from the backfill's watermark stores both, exactly as for the window walk.
 */
import type { PullRequestRecord, PullRequestState } from '../domain/pull-request.ts';
import { MAX_NUMBERS_PER_REQUEST } from '../github/queries.ts';
import type { NumbersAnswer, PageRequest } from '../github/types.ts';
import { GROW_WITHIN_MS } from './page-size.ts';

export interface NumberWalkCursor {
  v: 3;
  kind: 'numbers';
  /** the next number to look up */
  next: number;
  /** the newest pull request's number when the walk started; null until the probe answers */
  max: number | null;
  /** pull requests taken so far, and GitHub's latest count of the repository's */
  taken: number;
  total: number | null;
}

export const FRESH_NUMBER_WALK: NumberWalkCursor = {
  v: 3,
  kind: 'numbers',
  next: 1,
  max: null,
  taken: 0,
  total: null,
};

/** Fewest numbers in one request of a split round: below it a request's fixed cost outweighs its lookups. */
export const MIN_NUMBERS_PER_REQUEST = 25;

export function isNumberWalkCursor(cursor: unknown): cursor is NumberWalkCursor {
  return typeof cursor === 'object' && cursor !== null && (cursor as { v?: unknown }).v === 3;
}

/** The next request: up to `count` numbers from the cursor, never past the newest number once it is known. */
export function numberRequest(
  cursor: NumberWalkCursor,
  repo: { owner: string; name: string },
  profile: PageRequest['profile'],
  count: number,
): PageRequest {
  const left = cursor.max === null ? count : Math.max(1, cursor.max - cursor.next + 1);
  return {
    owner: repo.owner,
    name: repo.name,
    profile,
    windows: [],
    numbers: { from: cursor.next, count: Math.min(count, left) },
  };
}

export interface NumberStep {
  prs: PullRequestRecord[];
  /** the number walk's next cursor, or null when the probe chose the window walk */
  next: NumberWalkCursor | null;
  done: boolean;
}

/**
 * Where the walk stands after an answer. `chooseNumbers` is asked once, after the probe, with the repository's
 * figures; a later answer only moves the cursor on.
 */
export function advanceNumbers(
  cursor: NumberWalkCursor,
  answer: NumbersAnswer,
  totalCount: number,
  chooseNumbers: (figures: RepositoryFigures) => boolean,
): NumberStep {
  if (answer.range.from !== cursor.next) {
    throw new Error(`number walk answer starts at ${answer.range.from}, the cursor at ${cursor.next}`);
  }
  const byId = new Map<string, PullRequestRecord>();
  for (const pr of answer.nodes) byId.set(pr.github_id, pr);
  const prs = [...byId.values()];
  const max = cursor.max ?? answer.newest ?? 0;
  if (cursor.max === null && max > 0) {
    const figures = { total: totalCount, newest: max, states: answer.states };
    if (!chooseNumbers(figures)) return { prs, next: null, done: false };
  }
  const next = answer.range.from + answer.range.count;
  return {
    prs,
    next: { v: 3, kind: 'numbers', next, max, taken: cursor.taken + prs.length, total: totalCount },
    done: next > max,
  };
}

/**
 * A step as consecutive commits of at most `max` pull requests each, in number order: every commit but the last
 * moves the cursor up to the first number of the next, so a crash between them resumes right there.
 */
export function splitNumberStep(
  from: NumberWalkCursor,
  step: { prs: PullRequestRecord[]; next: NumberWalkCursor; done: boolean },
  max: number,
): { prs: PullRequestRecord[]; next: NumberWalkCursor; done: boolean }[] {
  if (step.prs.length <= max) return [step];
  const prs = [...step.prs].sort((a, b) => a.number - b.number);
  const parts: { prs: PullRequestRecord[]; next: NumberWalkCursor; done: boolean }[] = [];
  let taken = from.taken;
  for (let start = 0; start < prs.length; start += max) {
    const part = prs.slice(start, start + max);
    const following = prs[start + max];
    taken += part.length;
    parts.push(
      following
        ? { prs: part, next: { ...step.next, next: following.number, taken }, done: false }
        : { prs: part, next: step.next, done: step.done },
    );
  }
  return parts;
}

/** What the probe learns of a repository. */
export interface RepositoryFigures {
  total: number;
  /** the newest pull request's number */
  newest: number;
  states: Record<PullRequestState, number>;
}

export interface ShapePrices {
  /** points of a number request of `numbers` lookups, and of a window request of `windows` × `windowSize` */
  numbers: number;
  numbersPoints: number;
  windowSize: number;
  windows: number;
  windowsPoints: number;
}

/** Pull requests per point by number: K lookups bring K × density of them. */
export function numbersPerPoint(figures: RepositoryFigures, prices: ShapePrices): number {
  const density = figures.newest > 0 ? Math.min(1, figures.total / figures.newest) : 0;
  return (prices.numbers * density) / Math.max(1, prices.numbersPoints);
}

/**
 * Pull requests per point by window: at most the full request's (every window full), and each partition is walked
 * from both ends, so the walk takes at least as many requests, of a point or more, as its largest partition needs
 * at two windows a request.
 */
export function windowsPerPoint(figures: RepositoryFigures, prices: ShapePrices): number {
  const full = (prices.windows * prices.windowSize) / Math.max(1, prices.windowsPoints);
  const largest = Math.max(...Object.values(figures.states), 1);
  const requests = Math.ceil(largest / (2 * prices.windowSize));
  return Math.min(full, figures.total / requests);
}

/**
 * The lookups a request will reach from the probe's `count` answered in `ms`: the page-size rule doubles them while a
 * request twice as large would still come back within GROW_WITHIN_MS, up to the most one request carries.
 */
export function reachableNumbers(count: number, ms: number, max = MAX_NUMBERS_PER_REQUEST): number {
  let size = count;
  let time = ms;
  while (size < max && time * 2 <= GROW_WITHIN_MS) {
    size = Math.min(max, size * 2);
    time *= 2;
  }
  return size;
}

/** What the run has room for when the probe answers. */
export interface RunRoom {
  timeLeftMs: number;
  /** GitHub's time per number looked up, from the probe */
  msPerNumber: number;
  /** points the run may still spend above the reserve */
  spendablePoints: number;
}

/**
 * Numbers when they bring more pull requests per point; the window walk on a tie (it wastes no slots). But when
 * time binds — looking every number up one request after another would not fit the time left — and the points
 * suffice for the window walk, windows: GitHub's time grows with the nodes asked for, and a number walk asks
 * 1 ÷ density of them per pull request.
 */
export function numbersWin(figures: RepositoryFigures, prices: ShapePrices, room?: RunRoom): boolean {
  if (numbersPerPoint(figures, prices) <= windowsPerPoint(figures, prices)) return false;
  if (!room) return true;
  const timeBinds = figures.newest * room.msPerNumber > room.timeLeftMs;
  const windowsPoints = Math.ceil(figures.total / windowsPerPoint(figures, prices));
  return !(timeBinds && windowsPoints <= room.spendablePoints);
}

/** A number request split into `segments` consecutive runs of numbers, each at least MIN_NUMBERS_PER_REQUEST. */
export function splitNumbers(request: PageRequest, segments: number): PageRequest[] {
  const range = request.numbers;
  if (!range) return [request];
  const parts = Math.max(1, Math.min(segments, Math.floor(range.count / MIN_NUMBERS_PER_REQUEST)));
  const base = Math.floor(range.count / parts);
  const extra = range.count % parts;
  const requests: PageRequest[] = [];
  let from = range.from;
  for (let part = 0; part < parts; part++) {
    const count = base + (part < extra ? 1 : 0);
    requests.push({ ...request, numbers: { from, count } });
    from += count;
  }
  return requests;
}

/** The answers of a split round as one: their runs are consecutive, so together they are the round's run. */
export function mergeNumbers(answers: readonly NumbersAnswer[]): NumbersAnswer {
  const sorted = [...answers].sort((a, b) => a.range.from - b.range.from);
  const [first, ...rest] = sorted;
  if (!first) throw new RangeError('no answer to merge');
  let end = first.range.from + first.range.count;
  for (const answer of rest) {
    if (answer.range.from !== end) throw new Error('split number answers are not consecutive');
    end += answer.range.count;
  }
  const newest = sorted.map((a) => a.newest).filter((n): n is number => n !== null);
  const latest = sorted.at(-1)!;
  return {
    range: { from: first.range.from, count: end - first.range.from },
    nodes: sorted.flatMap((a) => a.nodes),
    newest: newest.length > 0 ? Math.max(...newest) : null,
    states: latest.states,
  };
}
