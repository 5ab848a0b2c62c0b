/** Validation of what a peer names: piece indexes, block ranges and bitfields, against the torrent's geometry. */
import { Bitfield } from '../util/bitfield';
import { pieceSizeOf, type PieceShape } from '../util/geometry';
import { WireError } from './errors';

/** A WireError unless `index` names a piece. */
export function checkIndex(g: PieceShape, index: number): void {
  if (index >= g.pieceCount) throw new WireError('bad-message', `piece ${index} out of range`);
}

/** A WireError unless the block is 1..maxLength bytes and inside its piece. */
export function checkRange(g: PieceShape, index: number, begin: number, length: number, maxLength: number): void {
  checkIndex(g, index);
  if (length === 0 || length > maxLength) throw new WireError('bad-message', `block length ${length} not in 1..${maxLength}`);
  if (begin + length > pieceSizeOf(g, index)) throw new WireError('bad-message', `block ${begin}+${length} beyond piece ${index}`);
}

/** The bitfield a peer sent; a WireError for a wrong length or spare bits set. */
export function parseBitfield(g: PieceShape, bytes: Uint8Array): Bitfield {
  try {
    return new Bitfield(g.pieceCount, bytes);
  } catch (err) {
    throw new WireError('bad-message', (err as Error).message);
  }
}
