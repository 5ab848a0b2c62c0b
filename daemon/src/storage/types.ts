/**
 * Where the bytes of one torrent live. Offsets are inside the piece; a range may span files.
 * Every failure rejects with a StorageError.
 */
export interface Storage {
  /** Reads `length` bytes at `offset` of `piece`; 'missing' if they were never written. */
  read(piece: number, offset: number, length: number): Promise<Uint8Array>;
  /** Reads `into.length` bytes at `offset` of `piece` into the caller's buffer (no allocation). */
  readInto(piece: number, offset: number, into: Uint8Array): Promise<void>;
  /** Writes a block; the caller must not modify `data` until the promise settles (no copy is made). */
  write(piece: number, offset: number, data: Uint8Array): Promise<void>;
  /** Hashes the piece as stored and compares with the metainfo; false when it differs or is not all there. */
  verifyPiece(piece: number): Promise<boolean>;
  /** Makes every completed write durable (fsync); a piece is 'flushed' once this resolves. */
  flush(): Promise<void>;
  /** Flushes and releases file handles; later calls reject with 'closed'. */
  close(): Promise<void>;
  /**
   * Closes and removes the torrent's files that are ours — created by this storage, or holding a piece
   * in `verified` — and the folders they leave empty. Resolves with the paths kept (files that were
   * there before, with no verified data of this torrent).
   */
  deleteData(verified?: { has(piece: number): boolean }): Promise<string[]>;
}
