/** Rates over all instances, from samples of the shared request totals taken at each flush. */
import { RATE_WINDOW_SECONDS } from './stats';
import type { SharedCounters } from './store';

interface Sample {
  at: number;
  announces: number;
  scrapes: number;
}

/** Keeps the samples of the last rate window; a rate is the growth from the oldest to the newest. */
export class SharedRates {
  private samples: Sample[] = [];

  constructor(private readonly clock: () => number) {}

  /** Records the totals read just now. */
  sample(announces: number, scrapes: number): void {
    const at = this.clock();
    this.samples.push({ at, announces, scrapes });
    const from = at - RATE_WINDOW_SECONDS * 1000;
    while (this.samples.length > 2 && this.samples[0].at < from) this.samples.shift();
  }

  /** Totals and per-second rates as of the newest sample (zeros before the first). */
  counters(): SharedCounters {
    const last = this.samples[this.samples.length - 1];
    if (!last) return { announces: 0, scrapes: 0, announcesPerSecond: 0, scrapesPerSecond: 0 };
    const first = this.samples[0];
    const seconds = Math.max((last.at - first.at) / 1000, 1);
    const rate = (n: number): number => Math.round((n / seconds) * 100) / 100;
    return { announces: last.announces, scrapes: last.scrapes, announcesPerSecond: rate(last.announces - first.announces), scrapesPerSecond: rate(last.scrapes - first.scrapes) };
  }
}
