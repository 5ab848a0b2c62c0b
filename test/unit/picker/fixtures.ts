import { Bitfield } from '../../../daemon/src/util/bitfield';
import { mulberry32 } from '../../../daemon/src/util/prng';
import { Picker, type PickerOptions } from '../../../daemon/src/picker';

export const BLOCK = 16384;

/** Deterministic PRNG (mulberry32) so random tie-breaking is reproducible. */
export const seeded = mulberry32;

/**
 * A picker from compact fixtures: `availability` has one digit per piece ("2213"),
 * `have` marks our pieces with '*'. Pieces are `blocksPerPiece` blocks long.
 */
export function swarm(
  availability: string,
  have = ' '.repeat(availability.length),
  opts: PickerOptions & { blocksPerPiece?: number; lastPieceLength?: number } = {},
): Picker {
  const n = availability.length;
  const pieceLength = (opts.blocksPerPiece ?? 2) * BLOCK;
  const totalLength = pieceLength * (n - 1) + (opts.lastPieceLength ?? pieceLength);
  const picker = new Picker({ pieceCount: n, pieceLength, totalLength }, Bitfield.fromString(have), {
    random: () => 0,
    ...opts,
  });
  const levels = Math.max(0, ...[...availability].map(Number));
  for (let level = 1; level <= levels; level++) {
    picker.addPeer(Bitfield.fromString([...availability].map((d) => (Number(d) >= level ? '*' : ' ')).join('')));
  }
  return picker;
}

/** Pieces of a pick, in order, one entry per block. */
export function pieces(reqs: { piece: number }[]): number[] {
  return reqs.map((r) => r.piece);
}

export const all = (n: number): Bitfield => Bitfield.full(n);
export const bf = (s: string): Bitfield => Bitfield.fromString(s);
