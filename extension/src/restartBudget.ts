/** How often a crashed daemon may be restarted: at most `maxRestarts` within a sliding window. */

/** Decides whether another restart is allowed, given the clock. */
export class RestartBudget {
  private readonly crashes: number[] = [];

  constructor(
    private readonly maxRestarts: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash and answers whether a restart still fits the budget. */
  recordCrash(): boolean {
    const t = this.now();
    while (this.crashes.length > 0 && t - this.crashes[0] >= this.windowMs) this.crashes.shift();
    this.crashes.push(t);
    return this.crashes.length <= this.maxRestarts;
  }

  /** Forgets past crashes (after a restart the user asked for). */
  reset(): void {
    this.crashes.length = 0;
  }

  /** Crashes counted in the current window. */
  get recentCrashes(): number {
    return this.crashes.length;
  }
}
