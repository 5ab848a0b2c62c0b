/** Finding which pieces of a torrent are already on disk: from the resume state when it still holds, else by hashing. */
import { sharedHashPool, type HashPool } from '../hash/pool';
import { Geometry } from '../metainfo/geometry';
import type { Metainfo } from '../metainfo/types';
import { Bitfield } from '../util/bitfield';
import { torrentFilePaths } from './file-storage';
import { hashMatches, verifySpans } from './piece-check';
import { sameFiles, type FileState } from './resume-format';
import { fileStates, loadResumeState } from './resume';

/** Options of checkExisting. */
export interface CheckOptions {
  /** The resume state file written by ResumeWriter. */
  stateFile: string;
  /** Hash every piece present on disk even if the resume state matches. */
  full?: boolean;
  pool?: HashPool;
  /** After each piece of a full check. */
  onProgress?: (checked: number, total: number) => void;
  /** Aborts a full check; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** An unusable resume state file was ignored. */
  warn?: (message: string) => void;
  /** Pieces hashed at once (default 4). */
  concurrency?: number;
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
  const [loaded, current] = await Promise.all([loadResumeState(opts.stateFile, m), fileStates(m, savePath)]);
  if (!loaded.state && loaded.problem) opts.warn?.(loaded.problem);
  if (!opts.full && loaded.state && sameFiles(loaded.state.files, current)) {
    opts.onProgress?.(m.pieceCount, m.pieceCount);
    return { have: loaded.state.have, mode: 'fast' };
  }
  return { have: await hashPresentPieces(m, savePath, current, opts), mode: 'full' };
}

async function hashPresentPieces(m: Metainfo, savePath: string, current: FileState[], opts: CheckOptions): Promise<Bitfield> {
  const geometry = new Geometry(m);
  const paths = torrentFilePaths(m, savePath);
  const pool = opts.pool ?? sharedHashPool();
  const have = new Bitfield(m.pieceCount);
  let next = 0;
  let checked = 0;
  const worker = async (): Promise<void> => {
    while (next < m.pieceCount) {
      opts.signal?.throwIfAborted();
      const piece = next++;
      const spans = geometry.pieceSpans(piece);
      // Skip hashing when a file is absent or too short: the piece cannot be complete.
      const present = spans.every((s) => (current[s.fileIndex]?.size ?? -1) >= s.fileOffset + s.length);
      if (present) {
        const digest = await verifySpans(pool, spans.map((s) => ({ path: paths[s.fileIndex], offset: s.fileOffset, length: s.length })));
        if (hashMatches(m, piece, digest)) have.set(piece);
      }
      opts.onProgress?.(++checked, m.pieceCount);
    }
  };
  const lanes = Math.max(1, Math.min(opts.concurrency ?? 4, m.pieceCount));
  await Promise.all(Array.from({ length: lanes }, worker));
  opts.signal?.throwIfAborted();
  return have;
}
