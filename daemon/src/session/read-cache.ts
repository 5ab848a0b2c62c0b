import type { Storage } from '../storage/types';
import { READ_WINDOW, readWindow } from './read-window';

/** A block lent out of the cache; call `release` once its bytes are no longer needed (sent or dropped). */
export interface LentBlock {
  data: Uint8Array;
  release(): void;
}

interface Entry {
  owner: object;
  /** Offset in the piece of the buffer's first byte. */
  start: number;
  /** Settles once the piece is read; rejects if the read failed. */
  ready: Promise<void>;
  buffer: Uint8Array;
  /** Blocks lent out and not yet released. */
  users: number;
  /** No longer in the cache; its buffer is reused once the last user releases it. */
  evicted: boolean;
  /** The read has settled (the buffer is ours again). */
  settled: boolean;
}

const NO_RELEASE = (): void => undefined;

/**
 * Windows of pieces read once for uploading, shared by every torrent of a session: peers ask for the
 * 16 KiB blocks of a piece one after the other (and several peers often ask for the same piece),
 * so one read of a window (see read-window.ts: the requested block and a few after it, or a whole
 * small piece) replaces many small reads, and every request stream costs the cache one or two
 * windows rather than a whole piece of up to 4 MiB. Verified pieces never change, so the cache needs
 * no invalidation, only a memory bound (least recently used goes first). Buffers are reused once
 * every block lent from them is released, so uploading allocates nothing per window (fresh buffers
 * made the garbage collector run a full collection every few MB).
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly free = new Map<number, Uint8Array[]>();
  private bytes = 0;
  private freeBytes = 0;
  /** Bytes read from storage so far (for benchmarks and tests). */
  bytesRead = 0;

  /** `window`: the read-ahead of one request stream (see read-window.ts). */
  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly window = READ_WINDOW,
  ) {}

  /** Lends a block of a verified piece; `owner` identifies the torrent (its storage). */
  async read(owner: { storage: Storage; id: string }, piece: number, pieceSize: number, begin: number, length: number): Promise<LentBlock> {
    const range = readWindow(pieceSize, begin, length, this.window);
    const key = `${owner.id}:${piece}:${range.start}`;
    let entry = this.entries.get(key);
    const size = range.end - range.start;
    if (size > this.maxBytes || (entry && entry.start + entry.buffer.length < begin + length)) {
      // Larger than the whole budget, or an odd request past the end of the window already cached.
      this.bytesRead += length;
      return { data: await owner.storage.read(piece, begin, length), release: NO_RELEASE };
    }
    if (entry) {
      // Map order is our recency order: move to the back.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.load(key, owner, piece, range.start, size);
    }
    const lent = entry;
    lent.users++;
    try {
      await lent.ready;
    } catch (err) {
      this.release(lent);
      throw err;
    }
    let released = false;
    return {
      data: lent.buffer.subarray(begin - lent.start, begin - lent.start + length),
      release: () => {
        if (released) return;
        released = true;
        this.release(lent);
      },
    };
  }

  /** Forgets every piece of one torrent (it stopped or was removed). */
  forget(owner: { id: string }): void {
    for (const [key, e] of this.entries) if ((e.owner as { id: string }).id === owner.id) this.drop(key, e);
  }

  private load(key: string, owner: { storage: Storage; id: string }, piece: number, start: number, size: number): Entry {
    this.evict(size); // first, so the evicted window's buffer can be taken at once
    const buffer = this.take(size);
    this.bytesRead += size;
    const entry: Entry = { owner, start, ready: owner.storage.readInto(piece, start, buffer), buffer, users: 0, evicted: false, settled: false };
    this.entries.set(key, entry);
    this.bytes += buffer.byteLength;
    entry.ready.then(
      () => (entry.settled = true),
      () => {
        entry.settled = true;
        this.drop(key, entry);
      },
    );
    return entry;
  }

  /** A buffer of `size` bytes: a free one of that size class, else a new one outside the JS heap. */
  private take(size: number): Uint8Array {
    const capacity = sizeClass(size);
    const buffer = this.free.get(capacity)?.pop();
    if (buffer) {
      this.freeBytes -= capacity;
      return buffer.subarray(0, size);
    }
    return new Uint8Array(Buffer.allocUnsafeSlow(capacity).buffer, 0, size);
  }

  private release(entry: Entry): void {
    entry.users--;
    if (entry.users === 0 && entry.evicted) this.recycle(entry);
  }

  private recycle(entry: Entry): void {
    const capacity = entry.buffer.buffer.byteLength;
    // Free buffers plus cached pieces stay within twice the budget; beyond that the GC takes them.
    if (this.freeBytes + capacity > this.maxBytes) return;
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    list.push(new Uint8Array(entry.buffer.buffer, 0, capacity));
    this.freeBytes += capacity;
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.bytes -= entry.buffer.byteLength;
    entry.evicted = true;
    if (entry.users > 0) return;
    // A failed read leaves garbage in the buffer, but nobody reads it: recycling is safe.
    if (entry.settled) this.recycle(entry);
    else entry.ready.then(() => this.recycle(entry), () => this.recycle(entry));
  }

  /** Drops least recently used windows until `incoming` more bytes fit the budget. */
  private evict(incoming: number): void {
    for (const [key, e] of this.entries) {
      if (this.bytes + incoming <= this.maxBytes) return;
      this.drop(key, e);
    }
  }
}

/** Buffers come in powers of two, so the last (shorter) window or piece of a torrent reuses a full one. */
function sizeClass(size: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(size, 1)));
}
