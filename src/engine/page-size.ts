/** Adaptive window size: halve on timeouts and 5xx down to a floor, grow back after a run of successes. */
export class AdaptivePageSize {
  private size: number;
  private streak = 0;

  constructor(
    private readonly max: number,
    private readonly floor = Math.min(5, max),
    private readonly growAfter = 3,
  ) {
    this.size = max;
  }

  get current(): number {
    return this.size;
  }

  shrink(): void {
    this.size = Math.max(this.floor, Math.floor(this.size / 2));
    this.streak = 0;
  }

  succeeded(): void {
    this.streak++;
    if (this.streak >= this.growAfter && this.size < this.max) {
      this.size = Math.min(this.max, this.size * 2);
      this.streak = 0;
    }
  }
}
