import { BLOCK_LENGTH } from '../wire/connection-types';

/**
 * The smallest window read from disk at once for uploads: the requested block and the fifteen
 * after it. Peers ask for a piece's blocks in order, so one read serves the next requests of that
 * stream; a stream that moves to another piece wastes at most a window.
 */
export const READ_WINDOW = 16 * BLOCK_LENGTH;

/**
 * The window for a new read when `streams` request streams share a cache of `budget` bytes: the
 * largest power of two that leaves every stream room for three windows (the one it reads, the next,
 * and slack for reads in flight), and never less than READ_WINDOW. With the 4 MiB cache one stream
 * reads 1 MiB at once (few calls: as fast as whole pieces were), four or more read 256 KiB; whole
 * 4 MiB pieces for every stream made two leechers on two pieces evict each other's piece and cost a
 * 4 MiB read per 16 KiB block (bench/read-cache.md).
 */
export function windowFor(budget: number, streams: number): number {
  const share = budget / (3 * Math.max(1, streams));
  return Math.max(READ_WINDOW, 2 ** Math.floor(Math.log2(Math.max(1, share))));
}

/** A byte range of a piece, `start` inclusive, `end` exclusive. */
export interface PieceRange {
  start: number;
  end: number;
}

/**
 * Which bytes of a piece of `pieceSize` to read to answer a request of `length` bytes at `begin`:
 * `window` bytes from the start of the READ_WINDOW (or `window`, if smaller) holding `begin`, so that
 * peers reading the same piece share the reads and a stream never reads back what it read before,
 * stretched to the end of the request when it crosses the window's end, and never past the piece.
 * A piece no larger than the window is read whole.
 */
export function readWindow(pieceSize: number, begin: number, length: number, window = READ_WINDOW): PieceRange {
  if (pieceSize <= window) return { start: 0, end: pieceSize };
  const align = Math.min(window, READ_WINDOW);
  const start = Math.floor(begin / align) * align;
  return { start, end: Math.min(pieceSize, Math.max(start + window, begin + length)) };
}
