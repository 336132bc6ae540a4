/**
 * The page-size rule: halve on timeouts and 5xx down to a floor, double back after a run of successes, never above
 * the planned size. A heavier response risks GitHub's 10-second timeout, so a failure shrinks at once while growth
 * waits for evidence: a run of successes, and an answer quick enough that one twice its size would still come back
 * well within the timeout (GitHub's time grows with what a request asks for).
 */
export interface PageSizeLimits {
  max: number;
  floor: number;
  /** successes in a row before the size doubles */
  growAfter: number;
}

export interface PageSizeState {
  size: number;
  /** successes since the last change */
  streak: number;
}

export type PageSizeEvent = 'succeeded' | 'failed';

/** Growth stops where a request twice the size would take more than this: half of GitHub's 10-second limit. */
export const GROW_WITHIN_MS = 5_000;

export function nextPageSize(
  state: PageSizeState,
  event: PageSizeEvent,
  limits: PageSizeLimits,
  elapsedMs = 0,
): PageSizeState {
  if (event === 'failed') return { size: Math.max(limits.floor, Math.floor(state.size / 2)), streak: 0 };
  const streak = state.streak + 1;
  const roomToGrow = elapsedMs * 2 <= GROW_WITHIN_MS;
  if (streak >= limits.growAfter && state.size < limits.max && roomToGrow) {
    return { size: Math.min(limits.max, state.size * 2), streak: 0 };
  }
  return { size: state.size, streak };
}

/** Successes in a row before growing again, once a size has failed: the cautious pace. */
const GROW_AFTER_FAILURE = 3;

/** The rule's state for one walk or refresh. */
export class AdaptivePageSize {
  private state: PageSizeState;
  private limits: PageSizeLimits;

  /**
   * `start`: the first size, when growing to `max` must wait for evidence (the number walk's lookups); such a walk
   * may grow faster (`growAfter` 1) until its first failure, after which it grows at the cautious pace.
   */
  constructor(max: number, floor = Math.min(5, max), growAfter = GROW_AFTER_FAILURE, start = max) {
    this.limits = { max, floor, growAfter };
    this.state = { size: Math.max(floor, Math.min(max, start)), streak: 0 };
  }

  get current(): number {
    return this.state.size;
  }

  shrink(): void {
    this.state = nextPageSize(this.state, 'failed', this.limits);
    this.cautious();
  }

  /** A size GitHub refused outright (not a timeout): half of it becomes the most this walk asks for. */
  capBelowCurrent(): void {
    const max = Math.max(this.limits.floor, Math.floor(this.state.size / 2));
    this.limits = { ...this.limits, max };
    this.state = { size: max, streak: 0 };
    this.cautious();
  }

  /** `elapsedMs`: how long the answer took, which decides whether a twice-as-large request has room. */
  succeeded(elapsedMs = 0): void {
    this.state = nextPageSize(this.state, 'succeeded', this.limits, elapsedMs);
  }

  private cautious(): void {
    this.limits = { ...this.limits, growAfter: Math.max(this.limits.growAfter, GROW_AFTER_FAILURE) };
  }
}
