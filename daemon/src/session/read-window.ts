import { BLOCK_SIZE } from '../util/geometry';

/**
 * Bytes read from disk at once for uploads: the requested block and the blocks after it, up to
 * this. Peers ask for a piece's blocks in order, so one read serves the next fifteen requests of
 * that stream; a stream that moves to another piece wastes at most this much. Whole pieces of
 * 4 MiB read per stream made two leechers on two pieces evict each other's piece from a 4 MiB
 * cache and cost a 4 MiB read per 16 KiB block (bench/read-cache.md).
 */
export const READ_WINDOW = 16 * BLOCK_SIZE;

/** A byte range of a piece, `start` inclusive, `end` exclusive. */
export interface PieceRange {
  start: number;
  end: number;
}

/**
 * Which bytes of a piece of `pieceSize` to read to answer a request of `length` bytes at `begin`:
 * the aligned window of `window` bytes holding `begin` (so that peers reading the same piece share
 * the reads), stretched to the end of the request when it crosses the window's end, and never past
 * the piece. A piece no larger than the window is read whole.
 */
export function readWindow(pieceSize: number, begin: number, length: number, window = READ_WINDOW): PieceRange {
  if (pieceSize <= window) return { start: 0, end: pieceSize };
  const start = Math.floor(begin / window) * window;
  return { start, end: Math.min(pieceSize, Math.max(start + window, begin + length)) };
}
