import type { Storage } from '../storage/types';

/** Pieces larger than this are read block by block instead of whole. */
const MAX_CACHED_PIECE = 4 * 1024 * 1024;

interface Entry {
  owner: object;
  data: Promise<Uint8Array>;
  size: number;
}

/**
 * Whole pieces read once for uploading, shared by every torrent of a session: peers ask for the
 * 16 KiB blocks of a piece one after the other (and several peers often ask for the same piece),
 * so one read of the piece replaces dozens of small reads. Verified pieces never change, so the
 * cache needs no invalidation, only a memory bound (least recently used goes first).
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  /** Reads a block of a verified piece; `owner` identifies the torrent (its storage). */
  read(owner: { storage: Storage; id: string }, piece: number, pieceSize: number, begin: number, length: number): Promise<Uint8Array> {
    if (pieceSize > MAX_CACHED_PIECE || pieceSize > this.maxBytes) return owner.storage.read(piece, begin, length);
    const key = `${owner.id}:${piece}`;
    let entry = this.entries.get(key);
    if (entry) {
      // Map order is our recency order: move to the back.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = { owner, data: owner.storage.read(piece, 0, pieceSize), size: pieceSize };
      this.entries.set(key, entry);
      this.bytes += pieceSize;
      const failed = entry;
      entry.data.catch(() => this.drop(key, failed));
      this.evict();
    }
    return entry.data.then((data) => data.subarray(begin, begin + length));
  }

  /** Forgets every piece of one torrent (it stopped or was removed). */
  forget(owner: { id: string }): void {
    for (const [key, e] of this.entries) if ((e.owner as { id: string }).id === owner.id) this.drop(key, e);
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.bytes -= entry.size;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.drop(key, e);
    }
  }
}
