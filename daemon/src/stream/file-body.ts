/** The verified bytes of a range of one file, piece by piece, as the pieces arrive. */
import { waitVerified } from './piece-wait';
import type { StreamTorrent } from './types';

/** Largest read handed to the HTTP response at once. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Yields torrent bytes [start, end] (inclusive, offsets in the torrent) in order. A reader placed at
 * the current position gives the pieces ahead deadlines; each piece is read only once verified, so
 * nothing unverified is ever served. The reader is released when the iteration ends in any way.
 */
export async function* verifiedBytes(t: StreamTorrent, start: number, end: number, signal: AbortSignal, alive: () => boolean): AsyncGenerator<Uint8Array> {
  if (end < start) return;
  const pl = t.metainfo.pieceLength;
  const reader = t.readers.open(start, end + 1);
  try {
    let pos = start;
    while (pos <= end) {
      const piece = Math.floor(pos / pl);
      reader.move(pos);
      await waitVerified(t, piece, signal, alive);
      const stop = Math.min(end + 1, (piece + 1) * pl, pos + CHUNK_BYTES);
      const data = await t.read(piece, pos - piece * pl, stop - pos);
      pos = stop;
      yield data;
    }
  } finally {
    reader.release();
  }
}
