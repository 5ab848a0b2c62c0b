/** Piece length policy: what we accept when reading, and what we choose when creating. */
import { MetainfoError } from './errors';

/** Smallest piece length accepted or produced: one block. */
export const MIN_PIECE_LENGTH = 16 * 1024;
/** Largest piece length accepted when reading or given explicitly (libtorrent's limit). */
export const MAX_PIECE_LENGTH = 128 * 1024 * 1024;
/** Largest piece length chosen automatically. */
export const MAX_AUTO_PIECE_LENGTH = 16 * 1024 * 1024;
/** Automatic choice keeps the piece count at or under this (so ~1000–2000 pieces for big inputs). */
export const TARGET_MAX_PIECES = 2000;

/** True for a power of two within [MIN_PIECE_LENGTH, MAX_PIECE_LENGTH]. */
export function isValidPieceLength(n: number): boolean {
  return Number.isSafeInteger(n) && n >= MIN_PIECE_LENGTH && n <= MAX_PIECE_LENGTH && (n & (n - 1)) === 0;
}

/** Throws MetainfoError('bad-piece-length') unless `n` is a valid piece length. */
export function checkPieceLength(n: number): void {
  if (!isValidPieceLength(n)) {
    throw new MetainfoError(
      'bad-piece-length',
      `piece length ${n} must be a power of two from ${MIN_PIECE_LENGTH} (16 KiB) to ${MAX_PIECE_LENGTH} (128 MiB)`,
    );
  }
}

/** The smallest power of two in 16 KiB..16 MiB giving at most ~2000 pieces, as mktorrent/qBittorrent aim. */
export function autoPieceLength(totalLength: number): number {
  let n = MIN_PIECE_LENGTH;
  while (n < MAX_AUTO_PIECE_LENGTH && totalLength / n > TARGET_MAX_PIECES) n *= 2;
  return n;
}

/** Parses a piece length given by a person: bytes, or with a K/KiB/M/MiB suffix ("256K", "1MiB"). */
export function parsePieceLength(text: string): number {
  const m = /^\s*(\d+)\s*(k|kib|kb|m|mib|mb)?\s*$/i.exec(text);
  if (!m) throw new MetainfoError('bad-piece-length', `piece length "${text}" is not a size like 262144, 256K or 1M`);
  const unit = (m[2] ?? '').toLowerCase();
  const n = Number(m[1]) * (unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1);
  checkPieceLength(n);
  return n;
}
