/** Download and upload rates of the last 10 minutes, one sample a second, and their chart as SVG paths. */

/** Samples kept: 10 minutes at one a second. */
export const HISTORY_SAMPLES = 600;

/** A ring of rate samples. */
export class SpeedHistory {
  private readonly down: number[] = [];
  private readonly up: number[] = [];

  constructor(private readonly capacity = HISTORY_SAMPLES) {}

  /** Adds one sample (bytes/s); the oldest goes once the ring is full. */
  add(down: number, up: number): void {
    this.down.push(Number.isFinite(down) ? Math.max(0, down) : 0);
    this.up.push(Number.isFinite(up) ? Math.max(0, up) : 0);
    if (this.down.length > this.capacity) {
      this.down.shift();
      this.up.shift();
    }
  }

  get length(): number {
    return this.down.length;
  }

  /**
   * The chart: one SVG path per direction in a `width`×`height` box, the newest sample at the right. The
   * box spans the last minute at first and widens to the whole history as it fills.
   */
  chart(width: number, height: number): { down: string; up: string; peak: number } {
    const peak = Math.max(1, ...this.down, ...this.up);
    const span = Math.max(Math.min(this.capacity, 60), this.down.length);
    const path = (values: number[]): string => {
      if (values.length === 0) return '';
      const step = width / Math.max(1, span - 1);
      const x0 = width - (values.length - 1) * step;
      return values.map((v, i) => `${i === 0 ? 'M' : 'L'}${(x0 + i * step).toFixed(1)},${(height - (v / peak) * height).toFixed(1)}`).join(' ');
    };
    return { down: path(this.down), up: path(this.up), peak };
  }
}
