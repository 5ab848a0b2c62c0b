/**
 * A discrete-event scheduler with a virtual clock: timers are events on a binary heap ordered by due
 * time (then by insertion), and `run` takes them one by one, letting promise callbacks settle between
 * events, so code written against `Clock` runs in simulated time as fast as the CPU allows.
 */
import type { Clock, TimerHandle } from '../../daemon/src/dht/clock';

interface Event {
  at: number;
  seq: number;
  fn: (() => void) | undefined;
}

/** A virtual clock and its event queue. */
export class Scheduler implements Clock {
  private heap: Event[] = [];
  private seq = 0;
  private time: number;
  /** Events run so far. */
  events = 0;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  elapsed(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const e: Event = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.push(e);
    return e;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) (handle as Event).fn = undefined;
  }

  /** Events still queued (cancelled ones included). */
  get pending(): number {
    return this.heap.length;
  }

  /** Runs events until `done()` holds or nothing is left; promise callbacks settle after each event. */
  async run(done: () => boolean = () => false): Promise<void> {
    await settle();
    while (this.heap.length > 0 && !done()) {
      const e = this.pop();
      if (!e.fn) continue;
      this.time = Math.max(this.time, e.at);
      const fn = e.fn;
      e.fn = undefined;
      this.events++;
      fn();
      await settle();
    }
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Event;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets every pending promise callback run (a macrotask turn drains the microtask queue). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
