/**
 * Bytes per second over a sliding window of whole-second buckets. O(1) per add; no timers,
 * the clock is read on use (injectable for tests).
 */
export class RateMeter {
  private readonly buckets: Float64Array;
  private second: number;
  /** Bytes counted since creation. */
  total = 0;

  constructor(
    private readonly windowSeconds = 5,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Float64Array(windowSeconds);
    this.second = Math.floor(now() / 1000);
  }

  add(bytes: number): void {
    this.advance();
    this.buckets[this.second % this.windowSeconds] += bytes;
    this.total += bytes;
  }

  /** Average over the window's completed seconds plus the running one. */
  rate(): number {
    this.advance();
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / this.windowSeconds;
  }

  private advance(): void {
    const s = Math.floor(this.now() / 1000);
    if (s <= this.second) return;
    const steps = Math.min(s - this.second, this.windowSeconds);
    for (let i = 1; i <= steps; i++) this.buckets[(this.second + i) % this.windowSeconds] = 0;
    this.second = s;
  }
}
