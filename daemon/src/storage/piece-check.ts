import { HashReadError, type HashPool, type ReadSpan } from '../hash/pool';
import type { Geometry } from '../util/geometry';
import { pieceHash } from '../metainfo/parse';
import type { Metainfo } from '../metainfo/types';
import { StorageError } from './errors';

/** StorageError('range') unless [offset, offset + length) lies inside `piece`. */
export function checkRange(g: Geometry, piece: number, offset: number, length: number): void {
  const ok =
    Number.isInteger(piece) &&
    piece >= 0 &&
    piece < g.pieceCount &&
    Number.isInteger(offset) &&
    Number.isInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= g.pieceSize(piece);
  if (!ok) throw new StorageError('range', `range ${offset}+${length} of piece ${piece} is outside the torrent`);
}

/** Does `digest` equal the metainfo's hash of `piece`? */
export function hashMatches(m: Metainfo, piece: number, digest: Uint8Array | undefined): boolean {
  if (!digest) return false;
  const want = pieceHash(m, piece);
  return digest.length === want.length && want.every((b, i) => digest[i] === b);
}

/** SHA-1 of file spans in the pool; undefined when the data is not all on disk (missing or short file). */
export async function verifySpans(pool: HashPool, spans: ReadSpan[]): Promise<Uint8Array | undefined> {
  try {
    return await pool.sha1Spans(spans);
  } catch (err) {
    if (err instanceof HashReadError && (err.code === 'ENOENT' || err.code === 'ESHORT')) return undefined;
    const e = err as Error & { code?: string; path?: string };
    throw new StorageError('io', `cannot hash piece data: ${e.message}`, e.path, e.code);
  }
}
