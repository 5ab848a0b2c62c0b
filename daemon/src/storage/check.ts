/** Finding which pieces of a torrent are already on disk: from the resume state when it still holds, else by hashing. */
import { sharedHashPool, type HashPool } from '../hash/pool';
import { Geometry } from '../util/geometry';
import type { Metainfo } from '../metainfo/types';
import { Bitfield } from '../util/bitfield';
import { stat } from 'node:fs/promises';
import { partsInUse } from './parts';
import { Placement } from './placement';
import { planRecheck } from './recheck';
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

/**
 * Pieces found and how: 'fast' trusted the resume state, 'partial' trusted part of it and hashed
 * the pieces that may have changed (see recheck.ts), 'full' hashed every piece present.
 */
export interface CheckResult {
  have: Bitfield;
  mode: 'fast' | 'partial' | 'full';
  /** Pieces read and hashed. */
  hashed: number;
}

/**
 * The pieces of `m` already under `savePath`. Fast when the resume state belongs to this torrent,
 * was written after a clean stop and every file has the recorded size and mtime; partial when the
 * state is usable but files moved on since (recheck.ts says which pieces get hashed); otherwise
 * (or when `full`) every piece whose bytes are all on disk is hashed. Pieces of missing or short
 * files count as missing without being read.
 */
export async function checkExisting(m: Metainfo, savePath: string, opts: CheckOptions): Promise<CheckResult> {
  opts.signal?.throwIfAborted();
  const [loaded, current] = await Promise.all([loadResumeState(opts.stateFile, m), fileStates(m, savePath)]);
  if (!loaded.state && loaded.problem) opts.warn?.(loaded.problem);
  const placement = opts.placement ?? new Placement(m, savePath, '');
  // Bytes recorded as had in the parts file must still be there (a vanished parts file means a full check).
  const partsOk = async (have: Bitfield): Promise<boolean> => !partsInUse({ m, geometry: new Geometry(m), placement }, have) || (await sizeOf(placement.partsPath)) >= 0;
  const state = loaded.state;
  if (!opts.full && state && (await partsOk(state.have))) {
    if (!state.writing && sameFiles(state.files, current)) {
      opts.onProgress?.(m.pieceCount, m.pieceCount);
      return { have: state.have, mode: 'fast', hashed: 0 };
    }
    const geometry = new Geometry(m);
    const plan = planRecheck(state, current, (piece) => geometry.pieceSpans(piece).map((s) => s.fileIndex));
    const found = await hashPresentPieces(m, savePath, current, { ...opts, placement }, plan.hash);
    for (const piece of plan.trusted.indices()) found.have.set(piece);
    return { have: found.have, mode: plan.toHash === 0 ? 'fast' : 'partial', hashed: found.hashed };
  }
  const found = await hashPresentPieces(m, savePath, current, { ...opts, placement });
  return { have: found.have, mode: 'full', hashed: found.hashed };
}

/** Hashes the pieces (of those in `only`, default all) whose bytes are all on disk. */
async function hashPresentPieces(m: Metainfo, savePath: string, current: FileState[], opts: CheckOptions, only?: Uint8Array): Promise<{ have: Bitfield; hashed: number }> {
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
  let hashed = 0;
  for (let piece = 0; piece < m.pieceCount; piece++) {
    const present = (!only || only[piece] === 1) && geometry.pieceSpans(piece).every((s) => sizeHeld(s.fileIndex) >= s.fileOffset + s.length);
    if (!present) skip[piece] = 1;
    else hashed++;
  }
  const layout = { files: placement.hashLayout(), pieceLength: m.pieceLength, totalLength: m.totalLength };
  const pool = opts.pool ?? sharedHashPool();
  const good = await pool.checkPieces(layout, m.pieces, { skip, signal: opts.signal, onProgress: opts.onProgress });
  const have = new Bitfield(m.pieceCount);
  good.forEach((ok, piece) => ok && have.set(piece));
  return { have, hashed };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
