import type { Storage } from '../storage/types';

/** Pieces larger than this are read block by block instead of whole. */
const MAX_CACHED_PIECE = 4 * 1024 * 1024;

/** A block lent out of the cache; call `release` once its bytes are no longer needed (sent or dropped). */
export interface LentBlock {
  data: Uint8Array;
  release(): void;
}

interface Entry {
  owner: object;
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
 * Whole pieces read once for uploading, shared by every torrent of a session: peers ask for the
 * 16 KiB blocks of a piece one after the other (and several peers often ask for the same piece),
 * so one read of the piece replaces dozens of small reads. Verified pieces never change, so the
 * cache needs no invalidation, only a memory bound (least recently used goes first). Piece buffers
 * are reused once every block lent from them is released, so uploading allocates nothing per piece
 * (fresh buffers for each piece made the garbage collector run a full collection every few MB).
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly free = new Map<number, Uint8Array[]>();
  private bytes = 0;
  private freeBytes = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  /** Lends a block of a verified piece; `owner` identifies the torrent (its storage). */
  async read(owner: { storage: Storage; id: string }, piece: number, pieceSize: number, begin: number, length: number): Promise<LentBlock> {
    if (pieceSize > MAX_CACHED_PIECE || pieceSize > this.maxBytes) {
      return { data: await owner.storage.read(piece, begin, length), release: NO_RELEASE };
    }
    const key = `${owner.id}:${piece}`;
    let entry = this.entries.get(key);
    if (entry) {
      // Map order is our recency order: move to the back.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.load(key, owner, piece, pieceSize);
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
      data: lent.buffer.subarray(begin, begin + length),
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

  private load(key: string, owner: { storage: Storage; id: string }, piece: number, pieceSize: number): Entry {
    this.evict(pieceSize); // first, so the evicted piece's buffer can be taken at once
    const buffer = this.take(pieceSize);
    const entry: Entry = { owner, ready: owner.storage.readInto(piece, 0, buffer), buffer, users: 0, evicted: false, settled: false };
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

  /** Drops least recently used pieces until `incoming` more bytes fit the budget. */
  private evict(incoming: number): void {
    for (const [key, e] of this.entries) {
      if (this.bytes + incoming <= this.maxBytes) return;
      this.drop(key, e);
    }
  }
}

/** Buffers come in powers of two, so the last (shorter) piece of a torrent reuses a full one. */
function sizeClass(size: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(size, 1)));
}
