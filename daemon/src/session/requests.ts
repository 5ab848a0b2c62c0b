/** Which blocks a swarm asks one connection for: the pieces it may ask for, and how many new pieces it may start. */
import type { BlockRequest, Picker } from '../picker';
import { Bitfield } from '../util/bitfield';
import type { Throttle } from '../util/throttle';
import { BLOCK_SIZE } from '../util/geometry';
import type { Peer } from './peer';

/** Pieces a connection with nothing outstanding may start beyond the memory budget at once. */
export const OVERFLOW_PIECES = 2;

/**
 * How many pieces one pick may start. Within the intake's memory budget (`capacity` pieces held at
 * once, `partials` in progress) while that gives work; a connection with nothing outstanding may go
 * OVERFLOW_PIECES beyond, so pieces being checked cannot stall it. The budget only chooses where
 * blocks go (memory, or disk block by block), so an `idle` connection that gets nothing within it
 * is let start one more piece (see `pickRequests`).
 */
export function newPiecesAllowed(capacity: number, partials: number, idle: boolean): number {
  return Math.max(0, capacity + (idle ? OVERFLOW_PIECES : 0) - partials);
}

/**
 * Up to `want` blocks to request from `peer`, marked as requested in the picker. A peer with
 * nothing outstanding whose pieces are all outside those in progress, when the budget allows no
 * new piece, still starts one of its own: a swarm of peers that each have other pieces keeps every
 * one of them busy (such pieces usually go to disk block by block).
 */
export function pickRequests(picker: Picker, peer: Peer, want: number, capacity: number, now: number): BlockRequest[] {
  const idle = peer.conn.outstandingRequests === 0;
  const field = pickable(peer);
  const picked = picker.pick(field, want, peer.key, newPiecesAllowed(capacity, picker.partialCount, idle), { now });
  if (picked.length > 0 || !idle) return picked;
  return picker.pick(field, want, peer.key, 1, { now });
}

/** The pieces we may ask this peer for now: what it has, less what it rejected, only allowed-fast ones while it chokes us. */
export function pickable(peer: Peer): Bitfield {
  const c = peer.conn;
  if (!c.peerChoking && peer.rejectedPieces.size === 0) return c.peerPieces;
  const field = c.peerChoking ? new Bitfield(c.peerPieces.length) : c.peerPieces.clone();
  if (c.peerChoking) for (const i of c.peerAllowedFast) if (c.peerPieces.has(i)) field.set(i);
  for (const i of peer.rejectedPieces) field.set(i, false);
  return field;
}

/** The download limit, one block at a time: requests wait for tokens, and a fill held back runs again once they come. */
export class DownloadGate {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly throttle: Throttle,
    private readonly retry: () => void,
  ) {}

  /** How many of `want` blocks may be requested now (their tokens are taken). */
  take(want: number): number {
    const t = this.throttle;
    if (t.unlimited) return want;
    let n = 0;
    while (n < want && t.tryTake(BLOCK_SIZE)) n++;
    if (n < want && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.retry();
      }, Math.max(1, t.waitMs(BLOCK_SIZE)));
      this.timer.unref?.();
    }
    return n;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
