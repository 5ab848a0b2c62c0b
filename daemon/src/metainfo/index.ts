/** Metainfo: parse and validate .torrent files, create them, magnet links, safe paths, piece geometry. */
import { safeFilePath } from './paths';
import type { Metainfo } from './types';
import type { Layout } from '../util/geometry';

export type { FileEntry, Metainfo } from './types';
export { MetainfoError } from './errors';
export type { MetainfoErrorCode } from './errors';
export { parseMetainfo, parseMetainfoSliced, pieceHash, MAX_METAINFO_SIZE, MAX_FILES } from './parse';
export { createTorrent } from './create';
export type { CreateOptions } from './create';
export { parseMagnet, buildMagnet } from './magnet';
export type { Magnet, MagnetSource } from './magnet';
export { parseSelectOnly, formatSelectOnly, isSelected, selectedIndices, countBeyond, MAX_SELECT_ITEMS, MAX_SELECT_INDEX } from './select-only';
export type { FileSelection } from './select-only';
export { safeFilePath, safeFilePaths, componentProblem, checkPathParts } from './paths';
export {
  MIN_PIECE_LENGTH,
  MAX_PIECE_LENGTH,
  MAX_AUTO_PIECE_LENGTH,
  autoPieceLength,
  isValidPieceLength,
  parsePieceLength,
} from './piece-length';
export { BLOCK_SIZE, Geometry, bytesOfPieces, spansOf } from '../util/geometry';
export type { FileExtent, FileSpan, Layout } from '../util/geometry';
/** Disk paths of every file of `m` under `root`, in torrent order (each checked by `safeFilePath`). */
export function filePathsOf(m: Metainfo, root: string): string[] {
  return m.files.map((f) => safeFilePath(root, f.path));
}

/** The layout `Geometry` needs, from a metainfo. */
export function layoutOf(m: Metainfo): Layout {
  return { pieceLength: m.pieceLength, totalLength: m.totalLength, files: m.files };
}
export { torrentFromInfo } from './from-info';
