/**
 * The strict bencode reading primitives shared by the decoder and by parsers that read one part of an
 * input straight from its bytes (a metainfo's file list): integers, string headers, keys, and a skip
 * that checks a whole value as strictly as decoding it would, without building it.
 */
import { BencodeError } from './errors';

/** 16 digits hold every safe integer; more are refused before parsing. */
const MAX_INT_DIGITS = 16;

export const COLON = 0x3a;
export const LOWER_I = 0x69;
export const LOWER_L = 0x6c;
export const LOWER_D = 0x64;
export const LOWER_E = 0x65;
const MINUS = 0x2d;
export const ZERO = 0x30;
export const NINE = 0x39;

/** Above this many keys, a skipped dictionary's keys are checked for repeats through a Set. */
const LINEAR_KEYS = 16;

/** A cursor over bencoded bytes; every read checks what strict bencode requires and moves `pos` past it. */
export class Reader {
  /** Values (and dictionary keys) counted so far against `maxItems`. */
  protected items = 0;

  constructor(
    protected readonly bytes: Uint8Array,
    public pos = 0,
    protected readonly maxItems = Number.POSITIVE_INFINITY,
  ) {}

  peek(): number {
    if (this.pos >= this.bytes.length) throw new BencodeError('unexpected-end', 'input ends too early', this.pos);
    return this.bytes[this.pos];
  }

  /** Counts one more value (or key), refusing the one past `maxItems`. */
  protected countItem(at: number): void {
    if (++this.items > this.maxItems) throw new BencodeError('too-many-items', `more than ${this.maxItems} values`, at);
  }

  /** Reads digits up to `terminator`, refusing empty, leading zeros and (if allowed) "-0". */
  private digits(terminator: number, allowMinus: boolean): number {
    const start = this.pos;
    const code = allowMinus ? 'bad-integer' : 'bad-string-length';
    let negative = false;
    if (allowMinus && this.peek() === MINUS) {
      negative = true;
      this.pos++;
    }
    const first = this.pos;
    let n = 0;
    for (let c = this.peek(); c !== terminator; c = this.peek()) {
      if (c < ZERO || c > NINE) throw new BencodeError(code, 'non-digit in number', this.pos);
      if (this.pos - first >= MAX_INT_DIGITS) {
        throw new BencodeError(allowMinus ? 'integer-out-of-range' : code, 'number too large', start);
      }
      n = n * 10 + (c - ZERO);
      this.pos++;
    }
    const count = this.pos - first;
    if (count === 0) throw new BencodeError(code, 'empty number', start);
    if (count > 1 && this.bytes[first] === ZERO) throw new BencodeError(code, 'leading zero in number', start);
    if (negative && n === 0) throw new BencodeError(code, 'negative zero', start);
    if (!Number.isSafeInteger(n)) {
      throw new BencodeError(allowMinus ? 'integer-out-of-range' : code, 'number beyond 2^53-1', start);
    }
    this.pos++; // terminator
    return negative ? -n : n;
  }

  /** The integer at `pos` (which holds its 'i'). */
  integer(): number {
    this.pos++; // 'i'
    return this.digits(LOWER_E, true);
  }

  /** Reads a string's header and steps over its bytes; returns where they start (they end at `pos`). */
  stringStart(what = 'string'): number {
    const start = this.pos;
    const length = this.digits(COLON, false);
    if (length > this.bytes.length - this.pos) {
      throw new BencodeError('bad-string-length', `${what} of ${length} bytes runs past the end of input`, start);
    }
    const from = this.pos;
    this.pos += length;
    return from;
  }

  /** The byte string at `pos`, copied: values never alias (or pin) the input, and are plain Uint8Arrays. */
  byteString(): Uint8Array {
    const from = this.stringStart();
    const out = new Uint8Array(this.pos - from);
    out.set(this.bytes.subarray(from, this.pos));
    return out;
  }

  /** The input from `from` up to `pos` (not a copy). */
  bytesOf(from: number): Uint8Array {
    return this.bytes.subarray(from, this.pos);
  }

  /** The string at `pos` as a key: one character per byte. */
  key(): string {
    const from = this.stringStart('key');
    return latin1(this.bytes, from, this.pos - from);
  }

  /** Reads the next key of a dictionary, counting it and refusing a non-string key. */
  protected nextKey(): string {
    const keyAt = this.pos;
    const c = this.peek();
    if (c < ZERO || c > NINE) throw new BencodeError('key-not-string', 'dictionary key is not a byte string', keyAt);
    this.countItem(keyAt);
    return this.key();
  }

  /**
   * Steps over the value at `pos`, which sits at nesting `depth` (the top value is 1), refusing exactly
   * what decoding it would refuse: bad numbers and strings, non-string or repeated keys, nesting past
   * `maxDepth`, and values past the item cap, which it counts as decoding would.
   */
  skip(depth: number, maxDepth: number): void {
    // One entry per open list (null) or dictionary (its keys so far, as an array and, once long, a Set).
    const open: (string[] | null)[] = [];
    const sets: (Set<string> | undefined)[] = [];
    for (;;) {
      this.countItem(this.pos);
      const c = this.peek();
      if (c === LOWER_I) this.integer();
      else if (c >= ZERO && c <= NINE) this.stringStart();
      else if (c === LOWER_L || c === LOWER_D) {
        if (depth + open.length > maxDepth) throw new BencodeError('too-deep', `nesting deeper than ${maxDepth}`, this.pos);
        open.push(c === LOWER_L ? null : []);
        sets.push(undefined);
        this.pos++;
      } else throw new BencodeError('unexpected-byte', `unexpected byte 0x${c.toString(16).padStart(2, '0')}`, this.pos);
      // Close what ends here, then read the key of the next value in a dictionary.
      for (;;) {
        if (open.length === 0) return;
        if (this.peek() === LOWER_E) {
          this.pos++;
          open.pop();
          sets.pop();
          continue;
        }
        const keys = open[open.length - 1];
        if (keys !== null) this.recordKey(keys, sets);
        break;
      }
    }
  }

  private recordKey(keys: string[], sets: (Set<string> | undefined)[]): void {
    const keyAt = this.pos;
    const key = this.nextKey();
    const level = sets.length - 1;
    let set = sets[level];
    if (set === undefined && keys.length >= LINEAR_KEYS) set = sets[level] = new Set(keys);
    if (set !== undefined ? set.has(key) : keys.includes(key)) {
      throw new BencodeError('duplicate-key', `duplicate dictionary key "${key}"`, keyAt);
    }
    if (set !== undefined) set.add(key);
    else keys.push(key);
  }
}

/** Keys of up to this many bytes are packed exactly into a number and looked up in KEY_CACHE. */
const PACKED_KEY_MAX = 6;
/** Short keys seen before ("length", "path", "attr", …): the same string again, not a new one per dictionary. */
const KEY_CACHE = new Map<number, string>();
const KEY_CACHE_MAX = 4096;

/** Bytes as a string, one character per byte. Short keys (all real ones) skip a Buffer per key. */
export function latin1(bytes: Uint8Array, start: number, length: number): string {
  if (length <= PACKED_KEY_MAX) {
    // length · 2^48 + the bytes, big-endian: at most 7 · 2^48, a safe integer, one per byte string.
    let packed = length;
    for (let i = start; i < start + length; i++) packed = packed * 256 + bytes[i];
    packed += length * 2 ** 48 - length * 256 ** length;
    const known = KEY_CACHE.get(packed);
    if (known !== undefined) return known;
    let s = '';
    for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]);
    if (KEY_CACHE.size < KEY_CACHE_MAX) KEY_CACHE.set(packed, s);
    return s;
  }
  if (length > 32) {
    // Buffer's latin1 is byte-for-byte (TextDecoder's 'latin1' is windows-1252, which is not).
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
  }
  let s = '';
  for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
