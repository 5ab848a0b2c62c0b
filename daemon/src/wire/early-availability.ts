/**
 * What a peer says it has before we know the torrent's piece count (a magnet whose metadata is still
 * coming): its bitfield, have all / have none, and haves, kept until the metadata arrives and then
 * turned into a bitfield of the right length. Bounded: one bitfield (the frame cap bounds it) and at
 * most MAX_EARLY_HAVES haves.
 */
import { Bitfield } from '../util/bitfield';
import { WireError } from './errors';

/** Haves remembered before the piece count is known; more are dropped (a bitfield covers them anyway). */
export const MAX_EARLY_HAVES = 65_536;

/** The availability a peer announced while the piece count was unknown. */
export class EarlyAvailability {
  private kind: 'none' | 'all' | 'bitfield' = 'none';
  private bytes: Uint8Array | undefined;
  private readonly haves = new Set<number>();

  /** A bitfield replaces everything announced before it. */
  bitfield(bytes: Uint8Array): void {
    this.kind = 'bitfield';
    this.bytes = Uint8Array.from(bytes);
    this.haves.clear();
  }

  /** Have all (BEP 6). */
  all(): void {
    this.kind = 'all';
    this.bytes = undefined;
    this.haves.clear();
  }

  /** Have none (BEP 6). */
  none(): void {
    this.kind = 'none';
    this.bytes = undefined;
    this.haves.clear();
  }

  have(index: number): void {
    if (this.haves.size < MAX_EARLY_HAVES) this.haves.add(index);
  }

  /** The pieces it has in a torrent of `pieceCount` pieces; a WireError if what it sent does not fit. */
  resolve(pieceCount: number): Bitfield {
    let field: Bitfield;
    if (this.kind === 'all') field = Bitfield.full(pieceCount);
    else if (this.kind === 'bitfield') {
      try {
        field = new Bitfield(pieceCount, this.bytes);
      } catch (err) {
        throw new WireError('bad-message', (err as Error).message);
      }
    } else field = new Bitfield(pieceCount);
    for (const i of this.haves) {
      if (i >= pieceCount) throw new WireError('bad-message', `have ${i} past the last piece ${pieceCount - 1}`);
      field.set(i);
    }
    return field;
  }
}
