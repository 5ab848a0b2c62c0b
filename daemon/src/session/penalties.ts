/**
 * Who sent the blocks of each piece, and who to ban when pieces fail their hash check.
 * A peer that alone supplied a failed piece is banned at once; one that shared failed
 * pieces with others is banned once it took part in `shareLimit` of them.
 */
export class Penalties {
  private readonly contributors = new Map<number, Set<string>>();
  private readonly strikes = new Map<string, number>();
  private readonly banned = new Set<string>();

  constructor(private readonly shareLimit = 3) {}

  /** A block of `piece` came from `peer` (an identity that survives reconnects, e.g. its peer id). */
  contributed(piece: number, peer: string): void {
    let set = this.contributors.get(piece);
    if (!set) this.contributors.set(piece, (set = new Set()));
    set.add(peer);
  }

  /** The piece verified: forget who sent it. */
  passed(piece: number): void {
    this.contributors.delete(piece);
  }

  /** The piece failed: returns the peers banned by it (newly). */
  failed(piece: number): string[] {
    const set = this.contributors.get(piece);
    this.contributors.delete(piece);
    if (!set) return [];
    const out: string[] = [];
    for (const peer of set) {
      if (this.banned.has(peer)) continue;
      const strikes = (this.strikes.get(peer) ?? 0) + (set.size === 1 ? this.shareLimit : 1);
      this.strikes.set(peer, strikes);
      if (strikes >= this.shareLimit) {
        this.banned.add(peer);
        out.push(peer);
      }
    }
    return out;
  }

  isBanned(peer: string): boolean {
    return this.banned.has(peer);
  }

  get bannedCount(): number {
    return this.banned.size;
  }
}
