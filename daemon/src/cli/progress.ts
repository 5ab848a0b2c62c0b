/**
 * Progress of long byte-counted work (hashing, checking): a bar on a terminal, plain lines otherwise,
 * so logs and pipes stay readable line by line.
 */
import type { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import { formatBytes, formatDuration } from './transfer-view';

/** A live display of one task's progress in bytes. */
export interface ByteProgress {
  /** Reports `done` of the total; throttled inside, so call it as often as work completes. */
  update(done: number): void;
  /** Draws the final state and releases the terminal. */
  stop(): void;
}

/** Options of createByteProgress. */
export interface ByteProgressOptions {
  /** What is being done, e.g. "hashing". */
  label: string;
  total: number;
  /** Default process.stderr. */
  stream?: Writable;
  /** True draws a bar; default: the stream is a TTY. */
  tty?: boolean;
  /** Minimum time between plain lines (default 2000 ms). */
  intervalMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** `hashing  45.0%  460.0 MiB/1.0 GiB  212.3 MiB/s` */
export function formatProgressLine(label: string, done: number, total: number, bytesPerSecond: number): string {
  const pct = total > 0 ? `${((done / total) * 100).toFixed(1)}%`.padStart(6) : '100.0%';
  return `${label}  ${pct}  ${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Creates the display that suits the stream. */
export function createByteProgress(opts: ByteProgressOptions): ByteProgress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  return tty ? new BarProgress(stream, opts) : new LineProgress(stream, opts);
}

class LineProgress implements ByteProgress {
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastAt = -Infinity;
  private lastPrinted = -1;
  private done = 0;

  constructor(private readonly stream: Writable, private readonly opts: ByteProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  private print(t: number): void {
    const seconds = (t - this.startedAt) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    this.stream.write(`${formatProgressLine(this.opts.label, this.done, this.opts.total, rate)}\n`);
    this.lastAt = t;
    this.lastPrinted = this.done;
  }

  update(done: number): void {
    this.done = done;
    const t = this.now();
    if (t - this.lastAt >= (this.opts.intervalMs ?? 2000)) this.print(t);
  }

  stop(): void {
    if (this.lastPrinted !== this.done) this.print(this.now());
  }
}

class BarProgress implements ByteProgress {
  private readonly bar: SingleBar;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(stream: Writable, private readonly opts: ByteProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    // Loaded only when a bar is drawn: runs without a terminal (scripts, logs, the benchmark) never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SingleBar: Bar } = require('cli-progress') as typeof import('cli-progress');
    this.bar = new Bar({
      stream: stream as NodeJS.WriteStream,
      format: `${opts.label} [{bar}] {percentage}% | {doneText}/{totalText} | {rateText}/s | eta {etaText}`,
      hideCursor: true,
      barsize: 30,
      fps: 5,
    });
    this.bar.start(Math.max(1, opts.total), 0, this.payload(0));
  }

  private payload(done: number): Record<string, string> {
    const seconds = (this.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.opts.total - done) / rate : undefined;
    return {
      doneText: formatBytes(done),
      totalText: formatBytes(this.opts.total),
      rateText: formatBytes(Math.round(rate)),
      etaText: formatDuration(eta),
    };
  }

  update(done: number): void {
    this.bar.update(done, this.payload(done));
  }

  stop(): void {
    this.bar.stop();
  }
}
