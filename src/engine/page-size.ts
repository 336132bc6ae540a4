/**
 * The page-size rule: halve on timeouts and 5xx down to a floor, double back after a run of successes, never above
 * the planned size. A heavier response risks GitHub's 10-second timeout, so a failure shrinks at once while growth
 * waits for evidence.
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

export function nextPageSize(
  state: PageSizeState,
  event: PageSizeEvent,
  limits: PageSizeLimits,
): PageSizeState {
  if (event === 'failed') return { size: Math.max(limits.floor, Math.floor(state.size / 2)), streak: 0 };
  const streak = state.streak + 1;
  if (streak >= limits.growAfter && state.size < limits.max) {
    return { size: Math.min(limits.max, state.size * 2), streak: 0 };
  }
  return { size: state.size, streak };
}

/** The rule's state for one walk or refresh. */
export class AdaptivePageSize {
  private state: PageSizeState;
  private limits: PageSizeLimits;

  /** `start`: the first size, when growing to `max` must wait for evidence (the number walk's lookups) */
  constructor(max: number, floor = Math.min(5, max), growAfter = 3, start = max) {
    this.limits = { max, floor, growAfter };
    this.state = { size: Math.max(floor, Math.min(max, start)), streak: 0 };
  }

  get current(): number {
    return this.state.size;
  }

  shrink(): void {
    this.state = nextPageSize(this.state, 'failed', this.limits);
  }

  /** A size GitHub refused outright (not a timeout): half of it becomes the most this walk asks for. */
  capBelowCurrent(): void {
    const max = Math.max(this.limits.floor, Math.floor(this.state.size / 2));
    this.limits = { ...this.limits, max };
    this.state = { size: max, streak: 0 };
  }

  succeeded(): void {
    this.state = nextPageSize(this.state, 'succeeded', this.limits);
  }
}
