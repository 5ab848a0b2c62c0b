/**
 * Which pieces a start must hash when the resume state no longer matches the files exactly (a
 * `kill -9`, a crash or power loss while downloading, or a file touched since). Only pieces that
 * may have changed are hashed; the others keep what the state recorded.
 *
 * - State written after a clean stop (`writing` false): nothing of ours wrote after it, so a file
 *   with the recorded size and mtime is as recorded, and only pieces touching a changed file are
 *   hashed (a changed file is someone else's doing: none of its recorded pieces is trusted).
 * - State written while downloading (`writing` true): after it, the only writes were blocks of
 *   pieces it does not record as had. Recorded pieces stay had while their files are there and no
 *   shorter than recorded; every other piece (those verified since the last save among them) is
 *   hashed, whatever the mtimes say (a write in the same timestamp tick as the save leaves the mtime
 *   as recorded), so no verified piece is downloaded again.
 */
import { Bitfield } from '../util/bitfield';
import { grewOrSame, sameFile, type FileState, type ResumeState } from './resume-format';

/** The outcome: pieces kept as had without hashing, and a mask (one byte per piece) of pieces to hash. */
export interface RecheckPlan {
  trusted: Bitfield;
  hash: Uint8Array;
  /** Pieces in `hash`. */
  toHash: number;
}

/** `filesOf(piece)`: the indexes of the torrent files the piece spans. */
export function planRecheck(recorded: Pick<ResumeState, 'have' | 'files' | 'writing'>, current: readonly FileState[], filesOf: (piece: number) => Iterable<number>): RecheckPlan {
  const count = recorded.have.length;
  const fileOk = recorded.files.map((r, i) => (recorded.writing ? sameFile(r, current[i]) || grewOrSame(r, current[i]) : sameFile(r, current[i])));
  const trusted = new Bitfield(count);
  const hash = new Uint8Array(count);
  let toHash = 0;
  for (let piece = 0; piece < count; piece++) {
    let ok = true;
    for (const f of filesOf(piece)) if (!fileOk[f]) ok = false;
    if (ok && recorded.have.has(piece)) trusted.set(piece);
    else if (!ok || recorded.writing) {
      hash[piece] = 1;
      toHash++;
    }
  }
  return { trusted, hash, toHash };
}
