/** Validation of what a peer names: piece indexes, block ranges and bitfields, against the torrent's geometry. */
import { Bitfield } from '../util/bitfield';
import type { TorrentGeometry } from './connection-types';
import { WireError } from './errors';

/** Bytes in piece `index`. */
export function pieceSize(g: TorrentGeometry, index: number): number {
  return index === g.pieceCount - 1 ? g.totalLength - g.pieceLength * (g.pieceCount - 1) : g.pieceLength;
}

/** A WireError unless `index` names a piece. */
export function checkIndex(g: TorrentGeometry, index: number): void {
  if (index >= g.pieceCount) throw new WireError('bad-message', `piece ${index} out of range`);
}

/** A WireError unless the block is 1..maxLength bytes and inside its piece. */
export function checkRange(g: TorrentGeometry, index: number, begin: number, length: number, maxLength: number): void {
  checkIndex(g, index);
  if (length === 0 || length > maxLength) throw new WireError('bad-message', `block length ${length} not in 1..${maxLength}`);
  if (begin + length > pieceSize(g, index)) throw new WireError('bad-message', `block ${begin}+${length} beyond piece ${index}`);
}

/** The bitfield a peer sent; a WireError for a wrong length or spare bits set. */
export function parseBitfield(g: TorrentGeometry, bytes: Uint8Array): Bitfield {
  try {
    return new Bitfield(g.pieceCount, bytes);
  } catch (err) {
    throw new WireError('bad-message', (err as Error).message);
  }
}
