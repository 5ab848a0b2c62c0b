/**
 * Per-key throttling with coalescing: at most one delivery per key per interval; a value pushed while the
 * key is cooling down replaces any pending one and is delivered when the interval ends. A fast download
 * thus costs a client a few messages per second per torrent, and the last state is never lost.
 */
export class Throttle<T> {
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, { value: T; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (key: string, value: T) => void,
  ) {}

  /** Delivers now if the key is not cooling down, else keeps the value as the one to deliver next. */
  push(key: string, value: T): void {
    const now = Date.now();
    const last = this.lastSent.get(key);
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.value = value;
      return;
    }
    if (last === undefined || now - last >= this.intervalMs) {
      this.send(key, value, now);
      return;
    }
    const timer = setTimeout(() => this.flush(key), this.intervalMs - (now - last));
    this.pending.set(key, { value, timer });
  }

  /** Delivers a value at once (a state change), dropping any pending one for the key. */
  now(key: string, value: T): void {
    this.drop(key);
    this.send(key, value, Date.now());
  }

  /** Delivers the pending value of a key, if any, at once. */
  flush(key: string): void {
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.drop(key);
    this.send(key, waiting.value, Date.now());
  }

  /** Forgets a key (e.g. its torrent was removed): a pending value is discarded. */
  forget(key: string): void {
    this.drop(key);
    this.lastSent.delete(key);
  }

  /** Discards everything pending and stops all timers. */
  dispose(): void {
    for (const key of [...this.pending.keys()]) this.drop(key);
    this.lastSent.clear();
  }

  private drop(key: string): void {
    const waiting = this.pending.get(key);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(key);
  }

  private send(key: string, value: T, at: number): void {
    this.lastSent.set(key, at);
    this.deliver(key, value);
  }
}
