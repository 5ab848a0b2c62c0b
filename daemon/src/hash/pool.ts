/**
 * A pool of worker threads computing SHA-1 over file ranges or bytes, so the event loop never hashes.
 * Workers start on first use, are unref'd while idle (a process can exit with an idle pool) and
 * replaced if one dies; a request on a dead worker rejects rather than hangs.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HashRequest, HashResponse, ReadSpan } from './messages';

export type { ReadSpan } from './messages';

/** Reading a span failed (missing file, file too short, permission...). */
export class HashReadError extends Error {
  constructor(message: string, readonly code?: string, readonly path?: string) {
    super(message);
    this.name = 'HashReadError';
  }
}

interface Pending {
  resolve(digest: Uint8Array): void;
  reject(err: Error): void;
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(script: string, onGone: (w: PoolWorker) => void) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (res: HashResponse) => this.settle(res));
    const fail = (err: Error): void => {
      onGone(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(new Error(`hash worker failed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`hash worker exited (code ${code})`)));
  }

  send(req: HashRequest, p: Pending): void {
    // Ref'd while busy, so a process awaiting a digest does not exit under it.
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(req.id, p);
    this.worker.postMessage(req);
  }

  private settle(res: HashResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('digest' in res) p.resolve(res.digest);
    else p.reject(new HashReadError(`cannot read ${res.path ?? 'data'}: ${res.error}`, res.code, res.path));
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Options of a HashPool. */
export interface HashPoolOptions {
  /** Worker threads; default min(2, available CPUs). */
  workers?: number;
  /** The worker script; tests replace it to simulate a crash. Default: worker.js next to this file. */
  script?: string;
}

/** SHA-1 in worker threads over file spans (read by the worker) or bytes. */
export class HashPool {
  private readonly size: number;
  private readonly script: string;
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(opts.workers ?? defaultWorkers()));
    this.script = opts.script ?? join(__dirname, 'worker.js');
  }

  /** SHA-1 of the concatenated file ranges; rejects with HashReadError if any range cannot be read fully. */
  sha1Spans(spans: ReadSpan[]): Promise<Uint8Array> {
    return this.submit((id) => ({ id, spans }));
  }

  /** SHA-1 of bytes (copied to the worker; the caller's buffer stays usable). */
  sha1(data: Uint8Array): Promise<Uint8Array> {
    return this.submit((id) => ({ id, data }));
  }

  /** Stops the workers; requests still in flight reject. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.terminate()));
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
    const w = new PoolWorker(this.script, (gone) => {
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
