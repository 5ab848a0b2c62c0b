/**
 * Pieces kept sorted by availability in buckets, so that a change of one piece's
 * availability costs O(1) and a rarest-first scan never sorts. Pieces we have sit in
 * bucket 0 and are never visited; bucket k >= 1 holds missing pieces seen by k - 1 peers.
 */
export class RarityOrder {
  private readonly order: Int32Array;
  private readonly pos: Int32Array;
  private readonly key: Int32Array;
  private readonly avail: Uint32Array;
  /** starts[k] is the first index of bucket k; the last entry is the piece count. */
  private readonly starts: number[];

  constructor(pieceCount: number, isHave: (piece: number) => boolean) {
    this.order = new Int32Array(pieceCount);
    this.pos = new Int32Array(pieceCount);
    this.key = new Int32Array(pieceCount);
    this.avail = new Uint32Array(pieceCount);
    let front = 0;
    let back = pieceCount - 1;
    for (let p = 0; p < pieceCount; p++) {
      const i = isHave(p) ? front++ : back--;
      this.order[i] = p;
      this.pos[p] = i;
      this.key[p] = isHave(p) ? 0 : 1;
    }
    this.starts = [0, front, pieceCount];
  }

  /** How many connected peers announced this piece. */
  availability(piece: number): number {
    return this.avail[piece] ?? 0;
  }

  /** One more peer has `piece`. */
  increment(piece: number): void {
    this.avail[piece]++;
    if (this.key[piece] === 0) return;
    const k = this.key[piece];
    while (this.starts.length < k + 3) this.starts.push(this.order.length);
    this.swap(this.pos[piece], this.starts[k + 1] - 1);
    this.starts[k + 1]--;
    this.key[piece] = k + 1;
  }

  /** One peer fewer has `piece` (it left). */
  decrement(piece: number): void {
    if (this.avail[piece] === 0) return;
    this.avail[piece]--;
    if (this.key[piece] !== 0) this.moveDown(piece);
  }

  /** We have `piece` now (or skip it): it leaves the scan until `restore`. Costs O(availability). */
  markHave(piece: number): void {
    while (this.key[piece] > 0) this.moveDown(piece);
  }

  /** A piece out of the scan (skipped) that is missing comes back, in the bucket of its availability. Costs O(availability). */
  restore(piece: number): void {
    if (this.key[piece] !== 0) return;
    while (this.starts.length < this.avail[piece] + 3) this.starts.push(this.order.length);
    for (let k = 0; k <= this.avail[piece]; k++) {
      this.swap(this.pos[piece], this.starts[k + 1] - 1);
      this.starts[k + 1]--;
      this.key[piece] = k + 1;
    }
  }

  /**
   * Visits missing pieces that some peer has, rarest first; inside one availability
   * bucket the start is random so ties break randomly. Stops when `visit` returns true.
   */
  scan(random: () => number, visit: (piece: number) => boolean): void {
    for (let k = 2; k + 1 < this.starts.length; k++) {
      const start = this.starts[k];
      const size = this.starts[k + 1] - start;
      if (size === 0) continue;
      const offset = Math.min(size - 1, Math.floor(random() * size));
      for (let i = 0; i < size; i++) {
        if (visit(this.order[start + ((offset + i) % size)])) return;
      }
    }
  }

  private moveDown(piece: number): void {
    const k = this.key[piece];
    this.swap(this.pos[piece], this.starts[k]);
    this.starts[k]++;
    this.key[piece] = k - 1;
  }

  private swap(i: number, j: number): void {
    if (i === j) return;
    const a = this.order[i];
    const b = this.order[j];
    this.order[i] = b;
    this.order[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }
}
