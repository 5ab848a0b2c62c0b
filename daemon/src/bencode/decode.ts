/**
 * Strict bencode decoder. All state lives in one Decoder per call (re-entrant); depth, size and item
 * counts are capped before any allocation that depends on the input.
 */
import { BencodeError } from './errors';
import type { BDict, BValue } from './types';

/** Caps applied while decoding; the defaults suit metainfo files and tracker replies. */
export interface DecodeLimits {
  /** Deepest nesting of lists and dictionaries (the top value is depth 1). Clamped to 1000. */
  maxDepth: number;
  /** Largest input accepted, in bytes. */
  maxSize: number;
  /** Most values (of any kind) in the whole input. */
  maxItems?: number;
}

/** Defaults: 64 levels, 64 MiB, no item cap beyond what the size implies. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = { maxDepth: 64, maxSize: 64 * 1024 * 1024 };

const HARD_MAX_DEPTH = 1000;
/** 16 digits hold every safe integer; more are refused before parsing. */
const MAX_INT_DIGITS = 16;

/** A raw byte range [start, end) of the input. */
export interface Span {
  start: number;
  end: number;
}

const COLON = 0x3a;
const LOWER_I = 0x69;
const LOWER_L = 0x6c;
const LOWER_D = 0x64;
const LOWER_E = 0x65;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** A list or dictionary being decoded; `key` (dictionaries only) is the key of the value to come. */
interface Frame {
  out: BValue[] | BDict;
  start: number;
  depth: number;
  key?: string;
}

/** Runs steps to the end at once. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

class Decoder {
  private pos = 0;
  private items = 0;
  private readonly maxDepth: number;
  private readonly maxItems: number;

  constructor(
    private readonly bytes: Uint8Array,
    limits: DecodeLimits,
    private readonly spans?: WeakMap<object, Span>,
    /** Spans are kept only for values this deep or shallower (a many-file torrent has millions below). */
    private readonly spanDepth = Number.POSITIVE_INFINITY,
  ) {
    this.maxDepth = Math.min(limits.maxDepth, HARD_MAX_DEPTH);
    this.maxItems = limits.maxItems ?? Number.POSITIVE_INFINITY;
    if (bytes.length > limits.maxSize) {
      throw new BencodeError('too-large', `input of ${bytes.length} bytes exceeds the ${limits.maxSize}-byte limit`, 0);
    }
  }

  decodeTop(): BValue {
    return drain(this.stepsTop(Number.POSITIVE_INFINITY));
  }

  /** decodeTop as steps of at most `perStep` values each. */
  *stepsTop(perStep: number): Generator<void, BValue> {
    const value = yield* this.steps(perStep);
    if (this.pos !== this.bytes.length) throw new BencodeError('trailing-data', 'data after the top value', this.pos);
    return value;
  }

  decodeFirst(): { value: BValue; end: number } {
    const value = drain(this.steps(Number.POSITIVE_INFINITY));
    return { value, end: this.pos };
  }

  /**
   * The first value, decoded with an explicit stack of open lists and dictionaries (no recursion), so
   * that the work can stop and go on: a `yield` after every `perStep` values.
   */
  private *steps(perStep: number): Generator<void, BValue> {
    if (this.bytes.length === 0) throw new BencodeError('empty-input', 'empty input', 0);
    const stack: Frame[] = [];
    let countdown = perStep;
    let done: BValue | undefined = this.begin(1, stack);
    for (;;) {
      if (done !== undefined) {
        const parent = stack[stack.length - 1];
        if (parent === undefined) return done;
        if (parent.key === undefined) (parent.out as BValue[]).push(done);
        else (parent.out as BDict).set(parent.key, done);
        done = undefined;
      }
      if (--countdown <= 0) {
        countdown = perStep;
        yield;
      }
      const top = stack[stack.length - 1];
      if (this.peek() === LOWER_E) {
        this.pos++;
        stack.pop();
        if (top.depth <= this.spanDepth) this.spans?.set(top.out, { start: top.start, end: this.pos });
        done = top.out;
        continue;
      }
      if (top.key !== undefined) top.key = this.dictKey(top.out as BDict);
      done = this.begin(top.depth + 1, stack);
    }
  }

  private peek(): number {
    if (this.pos >= this.bytes.length) throw new BencodeError('unexpected-end', 'input ends too early', this.pos);
    return this.bytes[this.pos];
  }

  /** Starts the value at `pos`: a scalar is returned whole; a list or dictionary is opened on `stack`. */
  private begin(depth: number, stack: Frame[]): BValue | undefined {
    if (++this.items > this.maxItems) {
      throw new BencodeError('too-many-items', `more than ${this.maxItems} values`, this.pos);
    }
    const c = this.peek();
    if (c === LOWER_I) return this.integer();
    if (c >= ZERO && c <= NINE) return this.byteString(depth);
    if (c === LOWER_L || c === LOWER_D) {
      if (depth > this.maxDepth) throw new BencodeError('too-deep', `nesting deeper than ${this.maxDepth}`, this.pos);
      // A dictionary's frame always has a key (empty before its first entry); a list's never does.
      stack.push(c === LOWER_L ? { out: [], start: this.pos, depth } : { out: new Map(), start: this.pos, depth, key: '' });
      this.pos++;
      return undefined;
    }
    throw new BencodeError('unexpected-byte', `unexpected byte 0x${c.toString(16).padStart(2, '0')}`, this.pos);
  }

  /** Reads the next key of `dict`, refusing a non-string or repeated key. */
  private dictKey(dict: BDict): string {
    const keyAt = this.pos;
    const c = this.peek();
    if (c < ZERO || c > NINE) throw new BencodeError('key-not-string', 'dictionary key is not a byte string', keyAt);
    if (++this.items > this.maxItems) {
      throw new BencodeError('too-many-items', `more than ${this.maxItems} values`, keyAt);
    }
    const key = this.key();
    if (dict.has(key)) throw new BencodeError('duplicate-key', `duplicate dictionary key "${key}"`, keyAt);
    // Keys out of sorted order are tolerated: real files have them, and the info hash uses raw bytes.
    return key;
  }

  /** Reads digits up to `terminator`, refusing empty, leading zeros and (if allowed) "-0". */
  private digits(terminator: number, allowMinus: boolean, maxDigits: number): number {
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
      if (this.pos - first >= maxDigits) {
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

  private integer(): number {
    this.pos++; // 'i'
    return this.digits(LOWER_E, true, MAX_INT_DIGITS);
  }

  private byteString(depth: number): Uint8Array {
    const start = this.pos;
    const length = this.digits(COLON, false, MAX_INT_DIGITS);
    if (length > this.bytes.length - this.pos) {
      throw new BencodeError('bad-string-length', `string of ${length} bytes runs past the end of input`, start);
    }
    // A copy, so values never alias (or pin) the caller's buffer, and a plain Uint8Array even when the
    // input is a Buffer (slice() would follow the input's species).
    const out = new Uint8Array(length);
    out.set(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    if (depth <= this.spanDepth) this.spans?.set(out, { start, end: this.pos });
    return out;
  }

  private key(): string {
    const start = this.pos;
    const length = this.digits(COLON, false, MAX_INT_DIGITS);
    if (length > this.bytes.length - this.pos) {
      throw new BencodeError('bad-string-length', `key of ${length} bytes runs past the end of input`, start);
    }
    const key = latin1(this.bytes, this.pos, length);
    this.pos += length;
    return key;
  }
}

/** Keys of up to this many bytes are packed exactly into a number and looked up in KEY_CACHE. */
const PACKED_KEY_MAX = 6;
/** Short keys seen before ("length", "path", "attr", …): the same string again, not a new one per dictionary. */
const KEY_CACHE = new Map<number, string>();
const KEY_CACHE_MAX = 4096;

/** Bytes as a string, one character per byte. Short keys (all real ones) skip a Buffer per key. */
function latin1(bytes: Uint8Array, start: number, length: number): string {
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

function withDefaults(limits?: Partial<DecodeLimits>): DecodeLimits {
  return { ...DEFAULT_DECODE_LIMITS, ...limits };
}

/** Decodes one bencoded value that must fill `bytes` exactly; throws BencodeError on any malformation. */
export function bdecode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): BValue {
  return new Decoder(bytes, withDefaults(limits)).decodeTop();
}

/**
 * Decodes the one bencoded value `bytes` starts with, which other data may follow (as in BEP 9's data
 * message); `end` is where the value ended. Throws BencodeError as bdecode does.
 */
export function bdecodePrefix(bytes: Uint8Array, limits?: Partial<DecodeLimits>): { value: BValue; end: number } {
  return new Decoder(bytes, withDefaults(limits)).decodeFirst();
}

/** Result of `bdecodeWithSpans`: the value, and the raw input span of any byte string, list or dict in it. */
export interface DecodedWithSpans {
  value: BValue;
  span(v: BValue[] | BDict | Uint8Array): Span | undefined;
}

/**
 * Like `bdecode`, also remembering where each composite value and byte string stood in the input —
 * only down to `spanDepth` (the top value is depth 1) when given: a metainfo needs the info dictionary's
 * span (depth 2), and keeping one for each of a million file entries costs seconds of garbage collection.
 */
export function bdecodeWithSpans(bytes: Uint8Array, limits?: Partial<DecodeLimits>, spanDepth?: number): DecodedWithSpans {
  return drain(bdecodeWithSpansSteps(bytes, limits, spanDepth, Number.POSITIVE_INFINITY));
}

/** `bdecodeWithSpans` as steps of at most `perStep` values each, for work that must not hold the event loop. */
export function* bdecodeWithSpansSteps(bytes: Uint8Array, limits: Partial<DecodeLimits> | undefined, spanDepth: number | undefined, perStep: number): Generator<void, DecodedWithSpans> {
  const spans = new WeakMap<object, Span>();
  const value = yield* new Decoder(bytes, withDefaults(limits), spans, spanDepth).stepsTop(perStep);
  return { value, span: (v) => spans.get(v) };
}
