/**
 * Pure piece ↔ block ↔ file-span arithmetic of a torrent's data: the one place the size of a piece and
 * of a block are defined. It sits below metainfo/, hash/, storage/, picker/, wire/ and session/, and
 * imports nothing.
 */

/** Size of a block, the request unit inside a piece (BEP 3 practice). */
export const BLOCK_SIZE = 16384;

/** The numbers that fix every piece's size; a Metainfo satisfies it. */
export interface PieceShape {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
}

/** Pieces of `pieceLength` needed for `totalLength` bytes (the last one may be shorter). */
export function pieceCountOf(pieceLength: number, totalLength: number): number {
  return Math.ceil(totalLength / pieceLength);
}

/** Bytes in piece `index` of `shape`: `pieceLength`, except for a shorter last piece. No range check. */
export function pieceSizeOf(shape: PieceShape, index: number): number {
  return index === shape.pieceCount - 1 ? shape.totalLength - shape.pieceLength * index : shape.pieceLength;
}

/** Where one file stands in the torrent's concatenated data. */
export interface FileExtent {
  length: number;
  offset: number;
}

/** The shape of a torrent's data. `files` are in torrent order, each starting where the previous ends. */
export interface Layout {
  pieceLength: number;
  totalLength: number;
  files: readonly FileExtent[];
}

/** A piece of a byte range that falls in one file. */
export interface FileSpan {
  fileIndex: number;
  fileOffset: number;
  length: number;
}

/** Index of the last file whose offset is ≤ `offset` (files sorted by offset). */
function fileAt(files: readonly FileExtent[], offset: number): number {
  let lo = 0;
  let hi = files.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (files[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Splits the data range [offset, offset + length) into per-file spans, in order. Zero-length files
 * never appear. Throws RangeError if the range is not inside the files.
 */
export function spansOf(files: readonly FileExtent[], offset: number, length: number): FileSpan[] {
  const last = files[files.length - 1];
  const total = last ? last.offset + last.length : 0;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > total) {
    throw new RangeError(`range ${offset}+${length} is outside data of ${total} bytes`);
  }
  const spans: FileSpan[] = [];
  if (length === 0) return spans;
  const end = offset + length;
  let pos = offset;
  for (let i = fileAt(files, offset); pos < end; i++) {
    const f = files[i];
    if (f.length === 0 || f.offset + f.length <= pos) continue;
    const take = Math.min(end, f.offset + f.length) - pos;
    spans.push({ fileIndex: i, fileOffset: pos - f.offset, length: take });
    pos += take;
  }
  return spans;
}

/** Bytes held by the pieces in `have` (the last piece may be shorter than the others). */
export function bytesOfPieces(shape: PieceShape, have: { readonly count: number; has(piece: number): boolean }): number {
  if (have.count === 0) return 0;
  const last = shape.pieceCount - 1;
  const lastHeld = have.has(last);
  return (have.count - (lastHeld ? 1 : 0)) * shape.pieceLength + (lastHeld ? pieceSizeOf(shape, last) : 0);
}

/** Piece and block arithmetic for one layout. */
export class Geometry implements PieceShape {
  readonly pieceLength: number;
  readonly totalLength: number;
  readonly pieceCount: number;
  readonly files: readonly FileExtent[];

  constructor(layout: Layout) {
    const { pieceLength, totalLength } = layout;
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`bad piece length ${pieceLength}`);
    if (!Number.isSafeInteger(totalLength) || totalLength < 0) throw new RangeError(`bad total length ${totalLength}`);
    this.pieceLength = pieceLength;
    this.totalLength = totalLength;
    this.files = layout.files;
    this.pieceCount = pieceCountOf(pieceLength, totalLength);
  }

  private checkPiece(piece: number): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new RangeError(`piece ${piece} out of range 0..${this.pieceCount - 1}`);
    }
  }

  /** Byte offset of a piece in the torrent's data. */
  pieceOffset(piece: number): number {
    this.checkPiece(piece);
    return piece * this.pieceLength;
  }

  /** Length of a piece; the last one is shorter unless the total is a multiple of the piece length. */
  pieceSize(piece: number): number {
    this.checkPiece(piece);
    return pieceSizeOf(this, piece);
  }

  /** Blocks in a piece. */
  blockCount(piece: number): number {
    return Math.ceil(this.pieceSize(piece) / BLOCK_SIZE);
  }

  /** Length of a block; the last block of a piece may be shorter. */
  blockSize(piece: number, block: number): number {
    const count = this.blockCount(piece);
    if (!Number.isInteger(block) || block < 0 || block >= count) {
      throw new RangeError(`block ${block} out of range 0..${count - 1} of piece ${piece}`);
    }
    return Math.min(BLOCK_SIZE, this.pieceSize(piece) - block * BLOCK_SIZE);
  }

  /** Index of the block holding byte `offset` of a piece (the `begin` of a request). */
  blockIndex(offset: number): number {
    return Math.floor(offset / BLOCK_SIZE);
  }

  /** File spans of a whole piece. */
  pieceSpans(piece: number): FileSpan[] {
    return spansOf(this.files, this.pieceOffset(piece), this.pieceSize(piece));
  }

  /** File spans of a byte range inside a piece (e.g. one block). */
  rangeSpans(piece: number, begin: number, length: number): FileSpan[] {
    const size = this.pieceSize(piece);
    if (begin < 0 || length < 0 || begin + length > size) {
      throw new RangeError(`range ${begin}+${length} is outside piece ${piece} of ${size} bytes`);
    }
    return spansOf(this.files, piece * this.pieceLength + begin, length);
  }
}
