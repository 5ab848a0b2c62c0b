import { constants } from 'node:fs';
import { mkdir, type FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../util/regular-file';
import { dirname } from 'node:path';
import { StorageError, fromOsError } from './errors';

interface Entry {
  path: string;
  writable: boolean;
  handle: Promise<FileHandle>;
  users: number;
  /** Written since the last fsync. */
  dirty: boolean;
}

/**
 * A bounded LRU of open file handles shared by the operations of one storage. Handles in use are
 * never closed under a caller (the bound is exceeded briefly instead); a dirty handle is fsynced
 * before it is closed, so `flush` covers files that were evicted.
 */
export class HandleCache {
  private readonly entries = new Map<string, Entry>();
  /** Read-only entries replaced by a writable one while still in use. */
  private readonly retired = new Set<Entry>();
  private readonly closing = new Set<Promise<void>>();
  private readonly madeDirs = new Set<string>();
  private syncFailure: StorageError | undefined;
  private closed = false;
  private openHandles = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private peak = 0;

  constructor(readonly maxOpen: number) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1) throw new RangeError(`maxOpenFiles must be >= 1, got ${maxOpen}`);
  }

  /** Handles open right now. */
  get openCount(): number {
    return this.openHandles;
  }

  /** Most handles open at once so far. */
  get peakOpen(): number {
    return this.peak;
  }

  /** Runs `fn` with a handle on `path`; `write` opens read-write and creates the file and its folders. */
  use<T>(path: string, write: boolean, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError('closed', 'storage is closed', path));
    const run = this.run(path, write, fn);
    this.inflight.add(run);
    void run.then(
      () => this.inflight.delete(run),
      () => this.inflight.delete(run),
    );
    return run;
  }

  private async run<T>(path: string, write: boolean, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    const entry = this.acquire(path, write);
    try {
      return await fn(await entry.handle);
    } catch (err) {
      throw fromOsError(err, write ? 'write' : 'read', path);
    } finally {
      // Marked after the operation, so a flush that ran meanwhile cannot clear it too early.
      if (write) entry.dirty = true;
      this.release(entry);
    }
  }

  /** Fsyncs every file written since the last flush, including files closed in between. */
  async flush(): Promise<void> {
    await Promise.all([...this.closing]);
    const dirty = [...this.entries.values(), ...this.retired].filter((e) => e.dirty);
    await Promise.all(dirty.map((e) => this.syncEntry(e)));
    const failure = this.syncFailure;
    this.syncFailure = undefined;
    if (failure) throw failure;
  }

  /** Closes the handle of `path` once its users are done (fsynced if dirty), so the next use opens the file anew. */
  forget(path: string): void {
    const e = this.entries.get(path);
    if (!e) return;
    this.entries.delete(path);
    if (e.users > 0) this.retired.add(e);
    else this.closeEntry(e);
  }

  /** Lets running operations finish, then flushes and closes everything; later `use` calls reject with 'closed'. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    for (const e of [...this.entries.values(), ...this.retired]) this.closeEntry(e);
    this.entries.clear();
    this.retired.clear();
    await this.flush();
  }

  private acquire(path: string, write: boolean): Entry {
    let entry = this.entries.get(path);
    if (entry && write && !entry.writable) {
      this.entries.delete(path);
      if (entry.users > 0) this.retired.add(entry);
      else this.closeEntry(entry);
      entry = undefined;
    }
    if (entry) {
      this.entries.delete(path); // re-insert: Map order is the LRU order
    } else {
      entry = { path, writable: write, handle: this.openFile(path, write), users: 0, dirty: false };
      const created = entry;
      created.handle.catch(() => {
        if (this.entries.get(path) === created) this.entries.delete(path);
      });
    }
    this.entries.set(path, entry);
    entry.users++;
    this.evict();
    return entry;
  }

  private release(entry: Entry): void {
    entry.users--;
    if (entry.users > 0) return;
    if (this.retired.delete(entry)) this.closeEntry(entry);
    else this.evict();
  }

  private evict(): void {
    for (const [path, e] of this.entries) {
      if (this.entries.size <= this.maxOpen) return;
      if (e.users > 0) continue;
      this.entries.delete(path);
      this.closeEntry(e);
    }
  }

  /** Files this cache created (they did not exist when first opened for writing). */
  readonly created = new Set<string>();

  private async openFile(path: string, write: boolean): Promise<FileHandle> {
    try {
      // Never block on a FIFO or device standing where a data file should be (see util/regular-file).
      const fh = write ? await this.openWritable(path) : await openRegularFile(path, constants.O_RDONLY);
      this.openHandles++;
      this.peak = Math.max(this.peak, this.openHandles);
      return fh;
    } catch (err) {
      throw fromOsError(err, 'open', path);
    }
  }

  /** Opens read-write, creating the file (and its folders) when missing and remembering that it did. */
  private async openWritable(path: string): Promise<FileHandle> {
    try {
      return await openRegularFile(path, constants.O_RDWR);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await this.ensureDir(dirname(path));
    try {
      const fh = await openRegularFile(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o666);
      this.created.add(path);
      return fh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return openRegularFile(path, constants.O_RDWR);
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private async syncEntry(e: Entry): Promise<void> {
    e.dirty = false;
    try {
      await (await e.handle).sync();
    } catch (err) {
      e.dirty = true;
      this.syncFailure ??= fromOsError(err, 'sync', e.path);
    }
  }

  private closeEntry(e: Entry): void {
    const done = (async () => {
      let fh: FileHandle;
      try {
        fh = await e.handle;
      } catch {
        return; // never opened: nothing to close
      }
      if (e.dirty) await this.syncEntry(e);
      await fh.close().catch(() => undefined);
      this.openHandles--;
    })();
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }
}
