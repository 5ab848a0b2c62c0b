/** Messages between the HashPool and its workers (one request in flight per id). */

/** The path of a file that is all zeros and never read (a BEP 47 padding file). */
export const ZERO_PATH = '';

/** A byte range of a file to hash, read by the worker itself; ZERO_PATH hashes zeros. */
export interface ReadSpan {
  path: string;
  offset: number;
  length: number;
}

/** Slots of a pieces job's control array, shared by every worker taking part. */
export const PiecesSlot = {
  /** The next piece to hash; each worker claims pieces with Atomics.add. */
  Next: 0,
  /** Non-zero: stop after the current piece (cancelled, or another worker failed). */
  Stop: 1,
} as const;

/** What a pieces job that checks data says of each piece, one byte per piece. */
export const Verdict = {
  /** Not on disk in full, unreadable, or its hash does not match. */
  Missing: 0,
  Good: 1,
  /** Set by the caller before the job: not read at all (its file is absent or too short). */
  Skip: 2,
} as const;

/**
 * Hash every piece of files laid end to end. Each worker that gets this request claims pieces from
 * `control` until none are left. Making a torrent, it writes each digest at `piece * 20` in `digests`
 * and a read error fails the job; checking data, it writes a verdict per piece and a piece that cannot
 * be read is only Missing.
 */
export interface PiecesJob {
  /** ZERO_PATH: zeros; `base`: where the file's byte 0 is in `path` (a parts file holds several). */
  files: { path: string; length: number; base?: number }[];
  pieceLength: number;
  totalLength: number;
  /** Int32Array slots, see PiecesSlot. */
  control: SharedArrayBuffer;
  /** Report progress (and let other requests in) at least this often, in milliseconds. */
  reportMs: number;
  /** Making a torrent: 20 bytes per piece. */
  digests?: SharedArrayBuffer;
  /** Checking data: the expected digests (20 bytes per piece) and one Verdict byte per piece. */
  check?: { expected: Uint8Array; verdicts: SharedArrayBuffer };
}

/** Hash the concatenation of these file ranges, or these bytes, or take part in a pieces job. */
export type HashRequest = { id: number; spans: ReadSpan[] } | { id: number; data: Uint8Array } | { id: number; pieces: PiecesJob };

/**
 * A SHA-1 digest; bytes hashed and pieces finished by a pieces job since the last report (`done` once
 * this worker has no more pieces to claim); or why reading failed.
 */
export type HashResponse =
  | { id: number; digest: Uint8Array }
  | { id: number; hashed: number; pieces: number; done: boolean }
  | { id: number; error: string; code?: string; path?: string };
