/**
 * Piece deadlines (like libtorrent's set_piece_deadline): pieces a reader needs soon, soonest first.
 * The picker requests them before anything else and, once a deadline is near, from a second peer too.
 */

/** A deadline this close (ms) lets a block be requested from two peers at once. */
export const DEADLINE_NEAR_MS = 1500;

/** One piece and the time (ms, same clock as `pick`'s `now`) it is needed by. */
export interface PieceDeadline {
  piece: number;
  at: number;
}

/**
 * The deadlines as a list, soonest first (ties in index order), dropping pieces out of range.
 * `deadlines` maps piece → time.
 */
export function orderDeadlines(deadlines: ReadonlyMap<number, number> | undefined, pieceCount: number): PieceDeadline[] {
  if (!deadlines) return [];
  const out: PieceDeadline[] = [];
  for (const [piece, at] of deadlines) {
    if (Number.isInteger(piece) && piece >= 0 && piece < pieceCount && Number.isFinite(at)) out.push({ piece, at });
  }
  return out.sort((a, b) => a.at - b.at || a.piece - b.piece);
}
