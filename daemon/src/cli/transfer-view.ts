/**
 * How `btd download`, `btd seed` and `btd demo` show a transfer: a redrawn bar on a terminal, plain
 * periodic status lines otherwise (logs and pipes must stay readable line by line).
 */
import type { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { TorrentSummary } from '../session';

/** What a view needs from a summary; a subset of TorrentSummary so tests build it by hand. */
export type TransferStatus = Pick<
  TorrentSummary,
  'name' | 'state' | 'progress' | 'totalLength' | 'verifiedBytes' | 'downloadRate' | 'uploadRate' | 'peers' | 'etaSeconds' | 'uploaded'
>;

/** A live display of one torrent. */
export interface TransferView {
  /** Shows the latest status; throttled inside, so call it on every progress event. */
  update(status: TransferStatus): void;
  /** Prints one line of text without garbling the bar. */
  line(text: string): void;
  /** Draws the final state and releases the terminal. */
  stop(): void;
}

/** Options of createTransferView. */
export interface TransferViewOptions {
  stream: Writable;
  /** True draws a bar (use the stream's isTTY); false prints plain lines. */
  tty: boolean;
  /** Minimum time between plain lines; a change of state always prints. */
  intervalMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[i]}`;
}

/** `3725` → `1h02m`; undefined (unknown) → `--`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One plain status line, e.g. `downloading  45.2%  14.5 MiB/32.0 MiB  down 5.1 MiB/s  up 0 B/s  peers 2  eta 4s`. */
export function formatStatusLine(s: TransferStatus): string {
  const pct = `${(s.progress * 100).toFixed(1)}%`.padStart(6);
  const parts = [
    s.state,
    pct,
    `${formatBytes(s.verifiedBytes)}/${formatBytes(s.totalLength)}`,
    `down ${formatBytes(s.downloadRate)}/s`,
    `up ${formatBytes(s.uploadRate)}/s`,
    `peers ${s.peers}`,
  ];
  if (s.state === 'downloading') parts.push(`eta ${formatDuration(s.etaSeconds)}`);
  if (s.state === 'seeding') parts.push(`uploaded ${formatBytes(s.uploaded)}`);
  return parts.join('  ');
}

/** Creates the view that suits the stream. */
export function createTransferView(opts: TransferViewOptions): TransferView {
  return opts.tty ? new BarView(opts.stream) : new LineView(opts);
}

class LineView implements TransferView {
  private lastAt = -Infinity;
  private lastState = '';
  private lastLine = '';
  private unprinted: TransferStatus | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: TransferViewOptions) {
    this.now = opts.now ?? Date.now;
  }

  update(status: TransferStatus): void {
    const t = this.now();
    if (status.state === this.lastState && t - this.lastAt < this.opts.intervalMs) {
      this.unprinted = status;
      return;
    }
    this.unprinted = undefined;
    this.lastAt = t;
    this.lastState = status.state;
    this.print(formatStatusLine(status));
  }

  line(text: string): void {
    this.opts.stream.write(`${text}\n`);
  }

  stop(): void {
    // The last line printed may be up to one interval old; end on the true final state.
    const final = this.unprinted === undefined ? undefined : formatStatusLine(this.unprinted);
    if (final !== undefined && final !== this.lastLine) this.print(final);
    this.unprinted = undefined;
  }

  private print(line: string): void {
    this.lastLine = line;
    this.opts.stream.write(`${line}\n`);
  }
}

class BarView implements TransferView {
  private readonly bar: SingleBar;
  private started = false;

  constructor(private readonly stream: Writable) {
    // Loaded only when a bar is drawn: runs without a terminal never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SingleBar: Bar } = require('cli-progress') as typeof import('cli-progress');
    this.bar = new Bar({
      stream: stream as NodeJS.WriteStream,
      format: '{state} [{bar}] {percentage}% | {done}/{size} | down {down}/s up {up}/s | peers {peers} | eta {eta_text}',
      hideCursor: true,
      barsize: 30,
      fps: 5,
      forceRedraw: true,
    });
  }

  update(s: TransferStatus): void {
    const payload = {
      state: s.state.padEnd(11),
      done: formatBytes(s.verifiedBytes),
      size: formatBytes(s.totalLength),
      down: formatBytes(s.downloadRate),
      up: formatBytes(s.uploadRate),
      peers: s.peers,
      eta_text: s.state === 'downloading' ? formatDuration(s.etaSeconds) : '--',
    };
    const value = Math.round(s.progress * 1000);
    if (!this.started) {
      this.bar.start(1000, value, payload);
      this.started = true;
    } else {
      this.bar.update(value, payload);
    }
  }

  line(text: string): void {
    // Clear the bar's line and print; forceRedraw makes the next update draw the bar below.
    this.stream.write(this.started ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}
