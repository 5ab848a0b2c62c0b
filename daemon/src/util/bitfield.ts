/**
 * A fixed-length set of piece indices, stored as the wire protocol's bitfield:
 * the high bit of byte 0 is piece 0; spare bits at the end are always zero.
 */
export class Bitfield {
  readonly bytes: Uint8Array;
  private setCount = 0;

  constructor(readonly length: number, bytes?: Uint8Array) {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad bitfield length ${length}`);
    const size = Bitfield.byteLength(length);
    if (bytes === undefined) {
      this.bytes = new Uint8Array(size);
      return;
    }
    if (bytes.length !== size) throw new RangeError(`bitfield of ${length} bits needs ${size} bytes, got ${bytes.length}`);
    const spare = size * 8 - length;
    if (spare > 0 && (bytes[size - 1] & ((1 << spare) - 1)) !== 0) throw new RangeError('bitfield has spare bits set');
    this.bytes = Uint8Array.from(bytes);
    for (const b of this.bytes) this.setCount += popcount(b);
  }

  /** Bytes needed on the wire for `length` pieces. */
  static byteLength(length: number): number {
    return (length + 7) >> 3;
  }

  /** A bitfield with every piece set. */
  static full(length: number): Bitfield {
    const bf = new Bitfield(length);
    for (let i = 0; i < length; i++) bf.set(i);
    return bf;
  }

  get count(): number {
    return this.setCount;
  }

  get complete(): boolean {
    return this.setCount === this.length;
  }

  get empty(): boolean {
    return this.setCount === 0;
  }

  has(index: number): boolean {
    if (index < 0 || index >= this.length) return false;
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value = true): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`piece ${index} out of range`);
    const mask = 0x80 >> (index & 7);
    const had = (this.bytes[index >> 3] & mask) !== 0;
    if (had === value) return;
    if (value) {
      this.bytes[index >> 3] |= mask;
      this.setCount++;
    } else {
      this.bytes[index >> 3] &= ~mask;
      this.setCount--;
    }
  }

  /** Indices that are set, in order. */
  *indices(): IterableIterator<number> {
    for (let i = 0; i < this.length; i++) if (this.has(i)) yield i;
  }

  clone(): Bitfield {
    return new Bitfield(this.length, this.bytes);
  }

  /** Compact fixture form: '*' for set, ' ' (or '.') for unset. */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.length; i++) s += this.has(i) ? '*' : '.';
    return s;
  }

  /** Builds a bitfield from the compact fixture form, e.g. `"* *  *"`. */
  static fromString(s: string): Bitfield {
    const bf = new Bitfield(s.length);
    for (let i = 0; i < s.length; i++) if (s[i] === '*' || s[i] === '1') bf.set(i);
    return bf;
  }
}

/** Calls `fn` with the index of every set bit, in order. */
export function forEachSet(bitfield: Bitfield, fn: (index: number) => void): void {
  const bytes = bitfield.bytes;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) fn(i * 8 + bit);
  }
}

function popcount(b: number): number {
  let n = 0;
  while (b) {
    b &= b - 1;
    n++;
  }
  return n;
}
