/** The requests we sent on one connection and that are still open: a piece, a reject (BEP 6) or our cancel ends each. */
export class OutstandingRequests {
  /** index × pieceLength + begin → length. */
  private readonly open = new Map<number, number>();

  constructor(private pieceLength: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Records a request we sent. */
  add(index: number, begin: number, length: number): void {
    this.open.set(this.key(index, begin), length);
  }

  /** Ends a request; false if no request of this block and length was open. */
  settle(index: number, begin: number, length: number): boolean {
    const key = this.key(index, begin);
    if (this.open.get(key) !== length) return false;
    this.open.delete(key);
    return true;
  }

  /** Ends every open request and returns them (to cancel them all). */
  drain(): { index: number; begin: number; length: number }[] {
    const out: { index: number; begin: number; length: number }[] = [];
    for (const [key, length] of this.open) {
      const index = Math.floor(key / this.pieceLength);
      out.push({ index, begin: key - index * this.pieceLength, length });
    }
    this.open.clear();
    return out;
  }

  clear(): void {
    this.open.clear();
  }

  private key(index: number, begin: number): number {
    return index * this.pieceLength + begin;
  }
}
