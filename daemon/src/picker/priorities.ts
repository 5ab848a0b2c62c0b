/** File priorities and the piece priorities the picker follows from them. */
import { pieceCountOf, spansOf, type FileExtent } from '../util/geometry';

/** A file's priority as users and the RPC name it. */
export type FilePriority = 'skip' | 'low' | 'normal' | 'high';

/** The file priorities, lowest first. */
export const FILE_PRIORITIES: readonly FilePriority[] = ['skip', 'low', 'normal', 'high'];

/** A piece's priority in the picker: one byte, higher first, skip never picked. */
export const PiecePriority = { skip: 0, low: 1, normal: 2, high: 3 } as const;
export type PiecePriority = (typeof PiecePriority)[keyof typeof PiecePriority];

/** Is `v` one of the file priorities? */
export function isFilePriority(v: unknown): v is FilePriority {
  return typeof v === 'string' && (FILE_PRIORITIES as readonly string[]).includes(v);
}

/** A file of the layout; padding files hold no data anyone wants, so they never make a piece wanted. */
export interface PrioritizedFile extends FileExtent {
  padding?: boolean;
}

/**
 * The priority of every piece: the highest priority of the files it touches, padding files and empty
 * files aside. A piece at a boundary between a skipped and a wanted file is wanted (it must be
 * downloaded and verified whole); a piece of padding only is skipped unless a neighbour wants it.
 */
export function piecePriorities(
  layout: { pieceLength: number; totalLength: number; files: readonly PrioritizedFile[] },
  priorities: readonly FilePriority[],
): Uint8Array {
  if (priorities.length !== layout.files.length) throw new RangeError(`${priorities.length} priorities for ${layout.files.length} files`);
  const count = pieceCountOf(layout.pieceLength, layout.totalLength);
  const out = new Uint8Array(count);
  layout.files.forEach((f, i) => {
    if (f.length === 0 || f.padding) return;
    const level = PiecePriority[priorities[i]];
    const first = Math.floor(f.offset / layout.pieceLength);
    const last = Math.floor((f.offset + f.length - 1) / layout.pieceLength);
    for (let p = first; p <= last; p++) if (out[p] < level) out[p] = level;
  });
  return out;
}

/** One bit per piece (bitfield order), set where the piece is wanted. */
export function wantedMask(priority: Uint8Array): Uint8Array {
  const bits = new Uint8Array(Math.ceil(priority.length / 8));
  priority.forEach((v, p) => {
    if (v !== PiecePriority.skip) bits[p >> 3] |= 0x80 >> (p & 7);
  });
  return bits;
}

/** Bytes of each file inside the pieces in `have` (what a file has verified), in file order. */
export function fileBytesDone(
  layout: { pieceLength: number; totalLength: number; files: readonly FileExtent[] },
  have: { has(piece: number): boolean; readonly count: number },
): number[] {
  const done = layout.files.map(() => 0);
  if (have.count === 0) return done;
  const count = pieceCountOf(layout.pieceLength, layout.totalLength);
  for (let p = 0; p < count; p++) {
    if (!have.has(p)) continue;
    const offset = p * layout.pieceLength;
    for (const s of spansOf(layout.files, offset, Math.min(layout.pieceLength, layout.totalLength - offset))) done[s.fileIndex] += s.length;
  }
  return done;
}
