/** Request counters and the tracker's statistics snapshot (plain JSON). */
import type { SharedCounters, StoreHealth } from './store';

/** What `/stats.json` and `RunningTracker.stats()` report. */
export interface TrackerStats {
  torrents: number;
  seeders: number;
  leechers: number;
  peers: number;
  announces: number;
  scrapes: number;
  /** Average over the last `RATE_WINDOW_SECONDS` (or since start, when shorter). */
  announcesPerSecond: number;
  scrapesPerSecond: number;
  uptimeSeconds: number;
  /** ISO 8601 time the tracker started. */
  startedAt: string;
  /** Which store holds the swarms and whether it can be reached. */
  store?: StoreHealth;
  /** Requests over all instances sharing the store (Redis store only). */
  shared?: SharedCounters;
}

/** Width of the sliding window the per-second rates average over. */
export const RATE_WINDOW_SECONDS = 10;

/** Counts events per whole second in a ring, so a rate costs O(window) to read and O(1) to record. */
export class RateCounter {
  private readonly buckets = new Float64Array(RATE_WINDOW_SECONDS);
  private readonly bucketSecond = new Float64Array(RATE_WINDOW_SECONDS).fill(-1);
  total = 0;

  constructor(private readonly clock: () => number, private readonly startMs: number) {}

  /** Records one event now. */
  hit(): void {
    this.total++;
    const second = Math.floor(this.clock() / 1000);
    const slot = second % RATE_WINDOW_SECONDS;
    if (this.bucketSecond[slot] !== second) {
      this.bucketSecond[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot]++;
  }

  /** Events per second over the window of complete and current seconds. */
  perSecond(): number {
    const nowMs = this.clock();
    const now = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < RATE_WINDOW_SECONDS; i++) {
      if (this.bucketSecond[i] > now - RATE_WINDOW_SECONDS) sum += this.buckets[i];
    }
    const span = Math.min(RATE_WINDOW_SECONDS, Math.max((nowMs - this.startMs) / 1000, 1));
    return Math.round((sum / span) * 100) / 100;
  }
}
