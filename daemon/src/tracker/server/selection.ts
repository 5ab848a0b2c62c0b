/**
 * Which peers an announce hands out, as ranges of pool positions: a random window over one or two pools,
 * never containing the announcing peer. Ranges let the compact answer copy whole runs of a pool's store.
 */
import type { PeerPool, SwarmPeer } from './pool';

/** Two windows of up to three pieces each (wrap-around and the announcer's own position split them). */
const MAX_RANGES = 8;

/** Up to `MAX_RANGES` ranges `[from, to)` of pool positions; `size` counts the peers in them. */
export class PeerSelection {
  readonly pools: (PeerPool | undefined)[] = new Array<PeerPool | undefined>(MAX_RANGES).fill(undefined);
  readonly from = new Int32Array(MAX_RANGES);
  readonly to = new Int32Array(MAX_RANGES);
  ranges = 0;
  size = 0;

  /** Empties the selection, dropping its references to pools. */
  clear(): void {
    for (let r = 0; r < this.ranges; r++) this.pools[r] = undefined;
    this.ranges = 0;
    this.size = 0;
  }

  /** Adds positions `[from, to)` of `pool`; empty ranges are ignored. */
  push(pool: PeerPool, from: number, to: number): void {
    if (to <= from) return;
    const r = this.ranges++;
    this.pools[r] = pool;
    this.from[r] = from;
    this.to[r] = to;
    this.size += to - from;
  }

  /** The selected peers as objects (dictionary model, tests); the compact path reads the ranges. */
  peers(): SwarmPeer[] {
    const out: SwarmPeer[] = [];
    for (let r = 0; r < this.ranges; r++) {
      const pool = this.pools[r] as PeerPool;
      for (let i = this.from[r]; i < this.to[r]; i++) out.push(pool.peers[i]);
    }
    return out;
  }

  /**
   * Adds up to `count` peers other than `self` from the concatenation of `first` and `second`, walking from
   * a random start and wrapping once. `self` may or may not be in either pool.
   */
  addWindow(first: PeerPool, second: PeerPool | undefined, count: number, self: SwarmPeer, random: () => number): void {
    const firstLength = first.length;
    const length = firstLength + (second ? second.length : 0);
    if (length === 0 || count <= 0) return;
    let selfAt = -1;
    if (first.peers[self.index] === self) selfAt = self.index;
    else if (second && second.peers[self.index] === self) selfAt = firstLength + self.index;
    const take = Math.min(count, selfAt >= 0 ? length - 1 : length);
    if (take <= 0) return;
    const start = Math.floor(random() * length) % length;
    // The walk covers one position more when it steps over the announcer.
    const span = selfAt >= 0 && (selfAt - start + length) % length < take ? take + 1 : take;
    const end = start + span;
    this.addVirtual(first, second, start, Math.min(end, length), selfAt);
    if (end > length) this.addVirtual(first, second, 0, end - length, selfAt);
  }

  /** Adds virtual positions `[from, to)` minus `skip`, split at the boundary between the two pools. */
  private addVirtual(first: PeerPool, second: PeerPool | undefined, from: number, to: number, skip: number): void {
    if (skip >= from && skip < to) {
      this.addVirtual(first, second, from, skip, -1);
      this.addVirtual(first, second, skip + 1, to, -1);
      return;
    }
    const boundary = first.length;
    if (from < boundary) this.push(first, from, Math.min(to, boundary));
    if (to > boundary && second) this.push(second, Math.max(from, boundary) - boundary, to - boundary);
  }
}
