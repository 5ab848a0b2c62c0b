/**
 * Token-bucket rate limiter. `rate` bytes/s refill up to `burst`; 0 means unlimited.
 * Callers take tokens before a transfer and ask how long to wait when refused.
 */
export class Throttle {
  private tokens: number;
  private last: number;
  private burst: number;

  constructor(
    private rate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.burst = Throttle.burstFor(rate);
    this.tokens = this.burst;
    this.last = now();
  }

  // A burst of at least two blocks keeps low limits from starving 16 KiB transfers.
  private static burstFor(rate: number): number {
    return Math.max(rate, 2 * 16384);
  }

  get unlimited(): boolean {
    return this.rate <= 0;
  }

  /** Changes the rate live; 0 = unlimited. */
  setRate(rate: number): void {
    this.refill();
    this.rate = Math.max(0, rate);
    this.burst = Throttle.burstFor(this.rate);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Takes n tokens if available. */
  tryTake(n: number): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until n tokens will be available (0 if now). */
  waitMs(n: number): number {
    if (this.unlimited) return 0;
    this.refill();
    const missing = Math.min(n, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate);
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last && this.rate > 0) this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
  }
}
