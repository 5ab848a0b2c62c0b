/**
 * Strict bencode decoder. All state lives in one Decoder per call (re-entrant); depth, size and item
 * counts are capped before any allocation that depends on the input.
 */
import { BencodeError } from './errors';
import { LOWER_D, LOWER_E, LOWER_I, LOWER_L, NINE, Reader, ZERO } from './reader';
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

/** A raw byte range [start, end) of the input. */
export interface Span {
  start: number;
  end: number;
}

/** A list or dictionary being decoded; `key` (dictionaries only) is the key of the value to come. */
interface Frame {
  out: BValue[] | BDict;
  start: number;
  depth: number;
  key?: string;
  /** The key this value stands under in its parent dictionary (undefined in a list, or at the top). */
  name?: string;
}

/** Runs steps to the end at once. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

class Decoder extends Reader {
  private readonly maxDepth: number;
  /** Where the value at `skipPath` stood, when it was a list and so was checked but not built. */
  skipped?: Span;

  constructor(
    bytes: Uint8Array,
    limits: DecodeLimits,
    private readonly spans?: WeakMap<object, Span>,
    /** Spans are kept only for values this deep or shallower (a many-file torrent has millions below). */
    private readonly spanDepth = Number.POSITIVE_INFINITY,
    /** Keys from the top dictionary down to one list to check without building it (see `bdecodeWithSpans`). */
    private readonly skipPath?: readonly string[],
  ) {
    super(bytes, 0, limits.maxItems ?? Number.POSITIVE_INFINITY);
    this.maxDepth = Math.min(limits.maxDepth, HARD_MAX_DEPTH);
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
    let done: BValue | undefined = this.begin(1, stack, undefined);
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
      if (top.key !== undefined) {
        top.key = this.dictKey(top.out as BDict);
        if (this.atSkipPath(stack, top.key) && this.peek() === LOWER_L) {
          done = yield* this.skipList(top.depth + 1, perStep);
          continue;
        }
      }
      done = this.begin(top.depth + 1, stack, top.key);
    }
  }

  /** True when the value to come, under `key` in the innermost dictionary, is the one at `skipPath`. */
  private atSkipPath(stack: Frame[], key: string): boolean {
    const path = this.skipPath;
    if (path === undefined || this.skipped !== undefined || stack.length !== path.length || key !== path[path.length - 1]) return false;
    for (let i = 1; i < stack.length; i++) if (stack[i].name !== path[i - 1]) return false;
    return true;
  }

  /**
   * Checks the list at `pos` as decoding would, and stands an empty list in for it; like the decode, it
   * yields after every `perStep` values.
   */
  private *skipList(depth: number, perStep: number): Generator<void, BValue[]> {
    const start = this.pos;
    this.countItem(start);
    if (depth > this.maxDepth) throw new BencodeError('too-deep', `nesting deeper than ${this.maxDepth}`, start);
    this.pos++; // 'l'
    let countdown = perStep;
    while (this.peek() !== LOWER_E) {
      const before = this.items;
      this.skip(depth + 1, this.maxDepth);
      countdown -= this.items - before;
      if (countdown <= 0) {
        countdown = perStep;
        yield;
      }
    }
    this.pos++;
    this.skipped = { start, end: this.pos };
    const stand: BValue[] = [];
    this.spans?.set(stand, this.skipped);
    return stand;
  }

  /** Starts the value at `pos`: a scalar is returned whole; a list or dictionary is opened on `stack`. */
  private begin(depth: number, stack: Frame[], name: string | undefined): BValue | undefined {
    this.countItem(this.pos);
    const c = this.peek();
    if (c === LOWER_I) return this.integer();
    if (c >= ZERO && c <= NINE) {
      const start = this.pos;
      const out = this.byteString();
      if (depth <= this.spanDepth) this.spans?.set(out, { start, end: this.pos });
      return out;
    }
    if (c === LOWER_L || c === LOWER_D) {
      if (depth > this.maxDepth) throw new BencodeError('too-deep', `nesting deeper than ${this.maxDepth}`, this.pos);
      // A dictionary's frame always has a key (empty before its first entry); a list's never does.
      stack.push(c === LOWER_L ? { out: [], start: this.pos, depth, name } : { out: new Map(), start: this.pos, depth, key: '', name });
      this.pos++;
      return undefined;
    }
    throw new BencodeError('unexpected-byte', `unexpected byte 0x${c.toString(16).padStart(2, '0')}`, this.pos);
  }

  /** Reads the next key of `dict`, refusing a non-string or repeated key. */
  private dictKey(dict: BDict): string {
    const keyAt = this.pos;
    const key = this.nextKey();
    if (dict.has(key)) throw new BencodeError('duplicate-key', `duplicate dictionary key "${key}"`, keyAt);
    // Keys out of sorted order are tolerated: real files have them, and the info hash uses raw bytes.
    return key;
  }
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
  /** Where the list at `skipPath` stood, if there was one: it is in `value` as an empty list. */
  skipped?: Span;
}

/**
 * Like `bdecode`, also remembering where each composite value and byte string stood in the input —
 * only down to `spanDepth` (the top value is depth 1) when given: a metainfo needs the info dictionary's
 * span (depth 2), and keeping one for each of a million file entries costs seconds of garbage collection.
 */
export function bdecodeWithSpans(bytes: Uint8Array, limits?: Partial<DecodeLimits>, spanDepth?: number): DecodedWithSpans {
  return drain(bdecodeWithSpansSteps(bytes, limits, spanDepth, Number.POSITIVE_INFINITY));
}

/**
 * `bdecodeWithSpans` as steps of at most `perStep` values each, for work that must not hold the event
 * loop. `skipPath` names keys from the top dictionary down (a metainfo's `['info', 'files']`): a list
 * found there is checked as strictly as the rest, and counted against the item cap, but not built; an
 * empty list stands in for it and `skipped` says where it was, for a caller that reads it from the bytes.
 */
export function* bdecodeWithSpansSteps(
  bytes: Uint8Array,
  limits: Partial<DecodeLimits> | undefined,
  spanDepth: number | undefined,
  perStep: number,
  skipPath?: readonly string[],
): Generator<void, DecodedWithSpans> {
  const spans = new WeakMap<object, Span>();
  const decoder = new Decoder(bytes, withDefaults(limits), spans, spanDepth, skipPath);
  const value = yield* decoder.stepsTop(perStep);
  return { value, span: (v) => spans.get(v), skipped: decoder.skipped };
}
