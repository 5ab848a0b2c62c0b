/** Block states move one way: none → requested → received; only a failed hash check resets them. */
export const BlockState = { none: 0, requested: 1, received: 2 } as const;
export type BlockState = (typeof BlockState)[keyof typeof BlockState];

/** Block bookkeeping of one partial piece: state and outstanding requesters of each block. */
export class PieceBlocks {
  readonly state: Uint8Array;
  /** Peers with an outstanding request for each block; set only while the block is requested. */
  readonly requesters: (string[] | undefined)[];
  requested = 0;
  received = 0;
  /** No block below this index is in state none: keeps taking blocks cheap. */
  private firstNone = 0;

  constructor(readonly blockCount: number) {
    this.state = new Uint8Array(blockCount);
    this.requesters = new Array<string[] | undefined>(blockCount);
  }

  get unrequested(): number {
    return this.blockCount - this.requested - this.received;
  }

  get complete(): boolean {
    return this.received === this.blockCount;
  }

  /** Index of the next block in state none, or -1. */
  nextNone(): number {
    while (this.firstNone < this.blockCount && this.state[this.firstNone] !== BlockState.none) this.firstNone++;
    return this.firstNone < this.blockCount ? this.firstNone : -1;
  }

  /** none → requested by `peerKey`, or one more requester of an already requested block (endgame). */
  request(index: number, peerKey: string): void {
    if (this.state[index] === BlockState.none) {
      this.state[index] = BlockState.requested;
      this.requested++;
      this.requesters[index] = [peerKey];
    } else {
      this.requesters[index]?.push(peerKey);
    }
  }

  /** Drops one requester; returns true when the block went back to state none. */
  unrequest(index: number, peerKey: string): boolean {
    const list = this.requesters[index];
    if (!list) return false;
    const at = list.indexOf(peerKey);
    if (at < 0) return false;
    list.splice(at, 1);
    if (list.length > 0) return false;
    this.requesters[index] = undefined;
    this.state[index] = BlockState.none;
    this.requested--;
    if (index < this.firstNone) this.firstNone = index;
    return true;
  }

  /** requested → received; returns the requesters that were waiting for it. */
  receive(index: number): string[] {
    const list = this.requesters[index] ?? [];
    this.requesters[index] = undefined;
    this.state[index] = BlockState.received;
    this.requested--;
    this.received++;
    return list;
  }
}
