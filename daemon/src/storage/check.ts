/** Finding which pieces of a torrent are already on disk: from the resume state when it still holds, else by hashing. */
import { sharedHashPool, type HashPool } from '../hash/pool';
import { Geometry } from '../util/geometry';
import type { Metainfo } from '../metainfo/types';
import { Bitfield } from '../util/bitfield';
import { stat } from 'node:fs/promises';
import { torrentFilePaths } from './file-storage';
import { partsInUse } from './parts';
import { Placement } from './placement';
import { sameFiles, type FileState } from './resume-format';
import { fileStates, loadResumeState } from './resume';

/** Options of checkExisting. */
export interface CheckOptions {
  /** The resume state file written by ResumeWriter. */
  stateFile: string;
  /** Hash every piece present on disk even if the resume state matches. */
  full?: boolean;
  pool?: HashPool;
  /** Pieces checked so far, a few times a second during a full check, and at its end. */
  onProgress?: (checked: number, total: number) => void;
  /** Aborts a full check; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** An unusable resume state file was ignored. */
  warn?: (message: string) => void;
  /** Where the files live (padding files, files kept in the parts file); default every file in its own. */
  placement?: Placement;
}

/** Pieces found and how: 'fast' trusted the resume state, 'full' hashed the data. */
export interface CheckResult {
  have: Bitfield;
  mode: 'fast' | 'full';
}

/**
 * The pieces of `m` already under `savePath`. Fast when the resume state belongs to this torrent
 * and every file has the recorded size and mtime; otherwise (or when `full`) every piece whose
 * bytes are all on disk is hashed, and pieces of missing or short files count as missing.
 */
export async function checkExisting(m: Metainfo, savePath: string, opts: CheckOptions): Promise<CheckResult> {
  opts.signal?.throwIfAborted();
  const [loaded, current] = await Promise.all([loadResumeState(opts.stateFile, m), currentFileStates(m, savePath)]);
  if (!loaded.state && loaded.problem) opts.warn?.(loaded.problem);
  const placement = opts.placement ?? new Placement(m, savePath, '');
  // Bytes recorded as had in the parts file must still be there (a vanished parts file means a full check).
  const partsOk = async (have: Bitfield): Promise<boolean> => !partsInUse({ m, geometry: new Geometry(m), placement }, have) || (await sizeOf(placement.partsPath)) >= 0;
  if (!opts.full && loaded.state && sameFiles(loaded.state.files, current) && (await partsOk(loaded.state.have))) {
    opts.onProgress?.(m.pieceCount, m.pieceCount);
    return { have: loaded.state.have, mode: 'fast' };
  }
  return { have: await hashPresentPieces(m, savePath, current, { ...opts, placement }), mode: 'full' };
}

async function hashPresentPieces(m: Metainfo, savePath: string, current: FileState[], opts: CheckOptions): Promise<Bitfield> {
  const geometry = new Geometry(m);
  const placement = opts.placement ?? new Placement(m, savePath, '');
  const partsSize = placement.partsFiles().length > 0 ? await sizeOf(placement.partsPath) : -1;
  const sizeHeld = (index: number): number => {
    const { kind, base } = placement.place(index);
    if (kind === 'zero') return Infinity;
    if (kind === 'parts') return partsSize - base;
    return current[index]?.size ?? -1;
  };
  // A piece whose file is absent or too short cannot be complete: it is not read at all.
  const skip = new Uint8Array(m.pieceCount);
  for (let piece = 0; piece < m.pieceCount; piece++) {
    const present = geometry.pieceSpans(piece).every((s) => sizeHeld(s.fileIndex) >= s.fileOffset + s.length);
    if (!present) skip[piece] = 1;
  }
  const layout = { files: placement.hashLayout(), pieceLength: m.pieceLength, totalLength: m.totalLength };
  const pool = opts.pool ?? sharedHashPool();
  const good = await pool.checkPieces(layout, m.pieces, { skip, signal: opts.signal, onProgress: opts.onProgress });
  const have = new Bitfield(m.pieceCount);
  good.forEach((ok, piece) => ok && have.set(piece));
  return have;
}

/**
 * How the torrent's files stand on disk. A torrent of one file is one stat: listing its folder, as
 * fileStates does to spare the stats of absent files, costs a read of every name there — in a
 * download folder shared by thousands of torrents, thousands per torrent.
 */
export async function currentFileStates(m: Pick<Metainfo, 'files'>, savePath: string): Promise<FileState[]> {
  if (m.files.length !== 1) return fileStates(m, savePath);
  try {
    const st = await stat(torrentFilePaths(m, savePath)[0], { bigint: true });
    return [st.isFile() ? { size: Number(st.size), mtimeNs: st.mtimeNs.toString() } : null];
  } catch {
    return [null];
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
