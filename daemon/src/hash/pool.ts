/**
 * A pool of worker threads computing SHA-1 over file ranges or bytes, so the event loop never hashes.
 * Workers start on first use, are unref'd while idle (a process can exit with an idle pool), stop
 * after a while without work (each holds about 10 MB) and are replaced if one dies; a request on a
 * dead worker rejects rather than hangs.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PiecesSlot, Verdict, type HashRequest, type HashResponse, type PiecesJob, type ReadSpan } from './messages';
import { pieceCountOf } from '../util/geometry';

export type { ReadSpan } from './messages';
export { ZERO_PATH } from './messages';

/** Reading a span failed (missing file, file too short, permission...). */
export class HashReadError extends Error {
  constructor(message: string, readonly code?: string, readonly path?: string) {
    super(message);
    this.name = 'HashReadError';
  }
}

interface Pending {
  /** A digest; for a pieces job, an empty array once this worker has no more pieces to claim. */
  resolve(digest: Uint8Array): void;
  reject(err: Error): void;
  /** Bytes hashed and pieces finished by a pieces job since the last report. */
  progress?(bytes: number, pieces: number): void;
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    script: string,
    private readonly idleMs: number,
    private readonly onGone: (w: PoolWorker) => void,
  ) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (res: HashResponse) => this.settle(res));
    const fail = (err: Error): void => {
      clearTimeout(this.idleTimer);
      onGone(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(new Error(`hash worker failed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`hash worker exited (code ${code})`)));
    this.idle();
  }

  send(req: HashRequest, p: Pending): void {
    // Ref'd while busy, so a process awaiting a digest does not exit under it.
    if (this.pending.size === 0) this.worker.ref();
    clearTimeout(this.idleTimer);
    this.pending.set(req.id, p);
    this.worker.postMessage(req);
  }

  /** Out of the pool at once (so nothing more is sent to it), stopped after `idleMs` without work. */
  private idle(): void {
    if (!Number.isFinite(this.idleMs)) return;
    this.idleTimer = setTimeout(() => {
      this.onGone(this);
      void this.worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private settle(res: HashResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    if ('hashed' in res) {
      if (res.pieces > 0) p.progress?.(res.hashed, res.pieces);
      if (!res.done) return;
    }
    this.pending.delete(res.id);
    if (this.pending.size === 0) {
      this.worker.unref();
      this.idle();
    }
    if ('digest' in res) p.resolve(res.digest);
    else if ('hashed' in res) p.resolve(new Uint8Array(0));
    else p.reject(new HashReadError(`cannot read ${res.path ?? 'data'}: ${res.error}`, res.code, res.path));
  }

  async terminate(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.worker.terminate();
  }
}

/** Options of a HashPool. */
export interface HashPoolOptions {
  /** Worker threads; default min(2, available CPUs). */
  workers?: number;
  /** The worker script; tests replace it to simulate a crash. Default: worker.js next to this file. */
  script?: string;
  /** A worker without work for this long stops (the next request starts one); default 30 s. */
  idleMs?: number;
  /**
   * Pieces jobs also run a lane on the calling thread, which then blocks for slices of the job's
   * progress interval (its event loop runs between them): for a command-line process that has
   * nothing else to do, where it saves starting a worker. `workers` may then be 0.
   */
  laneOnThisThread?: boolean;
}

/** Files laid end to end, cut into pieces of `pieceLength` (the last one shorter). */
export interface HashLayout {
  /** ZERO_PATH: zeros; `base`: where the file's byte 0 is in `path`. */
  files: { path: string; length: number; base?: number }[];
  pieceLength: number;
  totalLength: number;
}

/** Options of `HashPool.hashPieces` and `HashPool.checkPieces`. */
export interface PiecesOptions {
  /** Stops every worker after its current piece; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Report progress every this many milliseconds per worker (and at its end); default 40, 0 for every piece. */
  progressIntervalMs?: number;
}

/** Options of `HashPool.hashPieces`. */
export interface HashPiecesOptions extends PiecesOptions {
  /** Bytes hashed so far. */
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

/** Options of `HashPool.checkPieces`. */
export interface CheckPiecesOptions extends PiecesOptions {
  /** One byte per piece; non-zero: do not read the piece (its file is absent or too short), it is missing. */
  skip?: Uint8Array;
  /** Pieces checked (or skipped) so far. */
  onProgress?: (checkedPieces: number, pieceCount: number) => void;
}

/** SHA-1 in worker threads over file spans (read by the worker) or bytes, or every piece of a layout. */
export class HashPool {
  private readonly size: number;
  private readonly script: string;
  private readonly idleMs: number;
  private readonly here: boolean;
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;
  private hashed = 0;

  constructor(opts: HashPoolOptions = {}) {
    this.here = opts.laneOnThisThread ?? false;
    this.size = Math.max(this.here ? 0 : 1, Math.floor(opts.workers ?? defaultWorkers()));
    this.script = opts.script ?? join(__dirname, 'worker.js');
    this.idleMs = opts.idleMs ?? 30_000;
  }

  /** Bytes hashed since the pool was made (every request and pieces job that got answered). */
  get hashedBytes(): number {
    return this.hashed;
  }

  /** Worker threads running now. */
  get running(): number {
    return this.workers.length;
  }

  /** SHA-1 of the concatenated file ranges; rejects with HashReadError if any range cannot be read fully. */
  sha1Spans(spans: ReadSpan[]): Promise<Uint8Array> {
    return this.counted(this.submit((id) => ({ id, spans })), spans.reduce((sum, s) => sum + s.length, 0));
  }

  /** SHA-1 of bytes (copied to the worker; the caller's buffer stays usable). */
  sha1(data: Uint8Array): Promise<Uint8Array> {
    return this.counted(this.submit((id) => ({ id, data })), data.length);
  }

  /**
   * The SHA-1 of every piece of `layout`, 20 bytes each in piece order. Every worker of the pool takes
   * part: each claims the next unhashed piece from a counter in shared memory, reads it and writes its
   * digest into shared memory, so no piece costs a message. Rejects with HashReadError if a file cannot
   * be read fully; the other workers then stop after their current piece.
   */
  async hashPieces(layout: HashLayout, opts: HashPiecesOptions = {}): Promise<Uint8Array> {
    const digests = new SharedArrayBuffer(pieceCountOf(layout.pieceLength, layout.totalLength) * 20);
    let hashed = 0;
    await this.runPieces(layout, { digests }, opts, pieceCountOf(layout.pieceLength, layout.totalLength), (bytes) => {
      hashed += bytes;
      opts.onProgress?.(hashed, layout.totalLength);
    });
    return new Uint8Array(digests).slice();
  }

  /**
   * Checks data on disk against a torrent's piece hashes (`expected`, 20 bytes per piece) the same way:
   * resolves with one byte per piece, 1 where the piece is there and matches. A piece that cannot be
   * read (file missing, short, unreadable) is only missing.
   */
  async checkPieces(layout: HashLayout, expected: Uint8Array, opts: CheckPiecesOptions = {}): Promise<Uint8Array> {
    const count = pieceCountOf(layout.pieceLength, layout.totalLength);
    if (expected.length !== count * 20) throw new RangeError(`expected ${count * 20} bytes of piece hashes, got ${expected.length}`);
    const verdicts = new Uint8Array(new SharedArrayBuffer(count));
    let skipped = 0;
    for (let i = 0; i < count; i++) {
      if (!opts.skip?.[i]) continue;
      verdicts[i] = Verdict.Skip;
      skipped++;
    }
    let checked = skipped;
    if (skipped > 0) opts.onProgress?.(checked, count);
    const out = { check: { expected, verdicts: verdicts.buffer as SharedArrayBuffer } };
    await this.runPieces(layout, out, opts, count - skipped, (_bytes, pieces) => {
      checked += pieces;
      opts.onProgress?.(checked, count);
    });
    return verdicts.map((v) => (v === Verdict.Good ? 1 : 0));
  }

  /**
   * Hands a pieces job to as many workers as `toRead` pieces need (none when there is nothing to read)
   * and waits for all of them.
   */
  private async runPieces(
    layout: HashLayout,
    out: Pick<PiecesJob, 'digests' | 'check'>,
    opts: PiecesOptions,
    toRead: number,
    report: (bytes: number, pieces: number) => void,
  ): Promise<void> {
    opts.signal?.throwIfAborted();
    if (this.closed) throw new Error('hash pool is closed');
    const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const stop = (): void => {
      Atomics.store(new Int32Array(control), PiecesSlot.Stop, 1);
    };
    const { files, pieceLength, totalLength } = layout;
    const job: PiecesJob = { files, pieceLength, totalLength, control, reportMs: opts.progressIntervalMs ?? 40, ...out };
    const counted = (bytes: number, pieces: number): void => {
      this.hashed += bytes;
      report(bytes, pieces);
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    try {
      const here = this.here && toRead > 0;
      const lanes = this.start(Math.min(this.size, here ? toRead - 1 : toRead)).map(
        (w) =>
          new Promise<Uint8Array>((resolve, reject) => {
            w.send({ id: this.nextId++, pieces: job }, { resolve, reject, progress: counted });
          }).catch((err: unknown) => {
            stop();
            throw err;
          }),
      );
      if (here) {
        lanes.push(
          this.laneHere(job, counted).then(
            () => new Uint8Array(0),
            (err: unknown) => {
              stop();
              throw err;
            },
          ),
        );
      }
      const settled = await Promise.allSettled(lanes);
      opts.signal?.throwIfAborted();
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      opts.signal?.removeEventListener('abort', stop);
    }
  }

  /** Starts the pool's workers ahead of need, so their start-up overlaps other work. */
  warm(): void {
    if (!this.closed) this.start(this.size);
  }

  /** Stops the workers; requests still in flight reject. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.terminate()));
  }

  /** A lane of `job` on this thread, settled as a worker's would be. */
  private laneHere(job: PiecesJob, report: (bytes: number, pieces: number) => void): Promise<void> {
    // Loaded on first use (it brings in node:crypto, 6-7 ms): `btd create` starts its worker before it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runPiecesLane } = require('./lane') as typeof import('./lane');
    return new Promise((resolve, reject) => {
      runPiecesLane(this.nextId++, job, (res) => {
        if ('hashed' in res) {
          if (res.pieces > 0) report(res.hashed, res.pieces);
          if (res.done) resolve();
        } else if ('error' in res) reject(new HashReadError(`cannot read ${res.path ?? 'data'}: ${res.error}`, res.code, res.path));
      });
    });
  }

  /** Counts `bytes` once the digest is in. */
  private counted(digest: Promise<Uint8Array>, bytes: number): Promise<Uint8Array> {
    return digest.then((d) => {
      this.hashed += bytes;
      return d;
    });
  }

  private submit(make: (id: number) => HashRequest): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('hash pool is closed'));
    const worker = this.pick();
    return new Promise((resolve, reject) => worker.send(make(this.nextId++), { resolve, reject }));
  }

  /** The least busy worker, starting a new one while below the pool size. */
  private pick(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (!best || w.pending.size < best.pending.size) best = w;
    if (best && (best.pending.size === 0 || this.workers.length >= this.size)) return best;
    return this.spawn();
  }

  /** At least `n` workers (starting what is missing); returns the first `n`. */
  private start(n: number): PoolWorker[] {
    while (this.workers.length < n) this.spawn();
    return this.workers.slice(0, n);
  }

  private spawn(): PoolWorker {
    const w = new PoolWorker(this.script, this.idleMs, (gone) => {
      const i = this.workers.indexOf(gone);
      if (i >= 0) this.workers.splice(i, 1);
    });
    this.workers.push(w);
    return w;
  }
}


function defaultWorkers(): number {
  return Math.min(2, availableParallelism());
}

let shared: HashPool | undefined;

/** The process-wide pool (created on first use, min(2, CPUs) workers). */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
