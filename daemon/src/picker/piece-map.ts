/** A torrent's pieces at a glance, for a client to draw: which we have, which are under way, how available each is. */
import { Bitfield } from '../util/bitfield';

/** What the map is made from (the picker gives all three). */
export interface PieceMapSource {
  readonly have: Bitfield;
  partialPieces(): Iterable<number>;
  availability(piece: number): number;
}

/** Bitfields in the wire's order (piece 0 is the high bit of byte 0), and one availability byte per piece. */
export interface PieceMap {
  pieceCount: number;
  have: Uint8Array;
  downloading: Uint8Array;
  /** Connected peers that have each piece, capped at 255. */
  availability: Uint8Array;
}

/** Builds the map in one pass over the pieces. */
export function pieceMap(src: PieceMapSource): PieceMap {
  const n = src.have.length;
  const downloading = new Bitfield(n);
  for (const piece of src.partialPieces()) if (piece >= 0 && piece < n) downloading.set(piece);
  const availability = new Uint8Array(n);
  for (let i = 0; i < n; i++) availability[i] = Math.min(255, src.availability(i));
  return { pieceCount: n, have: Uint8Array.from(src.have.bytes), downloading: downloading.bytes, availability };
}
