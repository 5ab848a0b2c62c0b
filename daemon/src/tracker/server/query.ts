/**
 * Binary-safe query-string splitting. Tracker requests carry info hashes and peer ids as raw bytes in
 * percent-encoding, so values are decoded to bytes and never through UTF-8.
 */

/** Why a raw query string could not be split. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Bounds on what the splitter accepts. */
export interface QueryLimits {
  /** Longest raw query string in characters. */
  maxLength: number;
  /** Most key=value pairs (repeated keys count; scrape repeats info_hash). */
  maxPairs: number;
}

/** Defaults sized for announce and a scrape of a few hundred info hashes. */
// 256 scrape hashes, each `info_hash=` and 60 characters of percent-encoding, take 18,176 characters.
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxLength: 24576, maxPairs: 512 };

/**
 * Decoded query: key to its value, or to all its values in order when the key repeats (scrape repeats
 * info_hash; announce never needs an array). Keys and values are byte strings (one latin1 character per byte).
 */
export type RawQuery = Map<string, string | string[]>;

/** Every value of `key`, in order. */
export function valuesOf(q: RawQuery, key: string): string[] {
  const v = q.get(key);
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** Value of each latin1 character as a hex digit, -1 when it is none. */
const HEX_DIGITS = Int8Array.from({ length: 256 }, (_, code) => {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
});

function hexValue(code: number): number {
  return code < 256 ? HEX_DIGITS[code] : -1;
}

/** True when `raw[start, end)` needs no decoding: no escape, no `+`, nothing outside latin1. */
function isPlain(raw: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 || c === 0x2b || c > 0xff) return false;
  }
  return true;
}

/**
 * Percent-decodes `raw[start, end)` into a byte string (one latin1 character per byte); `+` is a space as
 * in form encoding. Strings rather than byte arrays: slicing is cheap and swarm keys are strings anyway.
 */
export function percentDecode(raw: string, start = 0, end = raw.length): string {
  return isPlain(raw, start, end) ? raw.slice(start, end) : decodeEscaped(raw, start, end);
}

/** Longest run of character codes passed to one `String.fromCharCode` call (an argument list). */
const CODES_PER_CALL = 4096;

/**
 * The escaped case. Character codes gathered in a plain array and turned into one string by one call:
 * cheaper than a Buffer and its latin1 conversion at the sizes of info hashes and peer ids.
 */
function decodeEscaped(raw: string, start: number, end: number): string {
  const codes: number[] = [];
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < end ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(raw.charCodeAt(i + 2)) : -1;
      if (lo < 0) throw new QueryError(`bad percent-escape at offset ${i}`);
      codes.push((hi << 4) | lo);
      i += 2;
    } else if (c === 0x2b) {
      codes.push(0x20);
    } else if (c > 0xff) {
      throw new QueryError(`character outside latin1 at offset ${i}`);
    } else {
      codes.push(c);
    }
  }
  if (codes.length <= CODES_PER_CALL) return String.fromCharCode(...codes);
  let out = '';
  for (let at = 0; at < codes.length; at += CODES_PER_CALL) out += String.fromCharCode(...codes.slice(at, at + CODES_PER_CALL));
  return out;
}

/**
 * Calls `visit` with the bounds of each non-empty `key[=value]` pair of a raw query string, in order:
 * `keyEnd` is where the key ends (the `=` or `end`). Enforces the length and pair limits of `limits`.
 */
function forEachPair(raw: string, limits: QueryLimits, visit: (start: number, keyEnd: number, end: number) => void): void {
  if (raw.length > limits.maxLength) throw new QueryError(`query string longer than ${limits.maxLength} characters`);
  let pairs = 0;
  // The next `=` at or after the current pair: searched again only once passed, so the walk stays linear.
  let eq = raw.indexOf('=');
  for (let start = 0; start <= raw.length; ) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      if (++pairs > limits.maxPairs) throw new QueryError(`more than ${limits.maxPairs} query parameters`);
      if (eq >= 0 && eq < start) eq = raw.indexOf('=', start);
      visit(start, eq >= 0 && eq < end ? eq : end, end);
    }
    start = end + 1;
  }
}

/** Splits a raw query string (without the `?`) into byte-string values per key; pure, bounded. */
export function splitQuery(raw: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): RawQuery {
  const out: RawQuery = new Map();
  forEachPair(raw, limits, (start, keyEnd, end) => {
    const key = percentDecode(raw, start, keyEnd);
    const value = keyEnd < end ? percentDecode(raw, keyEnd + 1, end) : '';
    const seen = out.get(key);
    if (seen === undefined) out.set(key, value);
    else if (typeof seen === 'string') out.set(key, [seen, value]);
    else seen.push(value);
  });
  return out;
}

/** What `scanQuery` found: the value of each wanted key (by position), and which keys came more than once. */
export interface ScannedQuery {
  values: (string | undefined)[];
  /** Bit k is set when `keys[k]` was given more than once (its first value is kept). */
  repeated: number;
}

/**
 * True when `raw[start, end)` is exactly `key` and needs no decoding (compared in place: no slice, no
 * runtime call). A raw `%` or `+` never matches here, even in a key that holds one: it decodes to something else.
 */
function isKey(raw: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) {
    const c = raw.charCodeAt(start + i);
    if (c !== key.charCodeAt(i) || c === 0x25 || c === 0x2b) return false;
  }
  return true;
}

/** Position of `raw[start, end)` in `keys`, or -1; compares in place unless the key itself is escaped. */
function keyIndex(raw: string, start: number, end: number, keys: readonly string[]): number {
  for (let k = 0; k < keys.length; k++) if (isKey(raw, start, end, keys[k])) return k;
  // Unescaped, a key holding `%` or `+` matches none of the names; escaped, it may.
  return isPlain(raw, start, end) ? -1 : keys.indexOf(decodeEscaped(raw, start, end));
}

/** Throws `QueryError` when `raw[start, end)` holds a malformed escape or a character outside latin1. */
function checkEscapes(raw: string, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c > 0xff) throw new QueryError(`character outside latin1 at offset ${i}`);
    if (c !== 0x25) continue;
    if (i + 2 >= end || hexValue(raw.charCodeAt(i + 1)) < 0 || hexValue(raw.charCodeAt(i + 2)) < 0) {
      throw new QueryError(`bad percent-escape at offset ${i}`);
    }
  }
}

/**
 * One pass over a raw query string for a fixed set of at most 31 keys: pairs are found with native searches,
 * and only wanted values are copied. Every key and value is still checked, in `splitQuery`'s order and with
 * its messages, so both refuse the same queries with the same error.
 */
export function scanQuery(raw: string, keys: readonly string[], limits: QueryLimits = DEFAULT_QUERY_LIMITS): ScannedQuery {
  const values = new Array<string | undefined>(keys.length);
  let repeated = 0;
  forEachPair(raw, limits, (start, keyEnd, end) => {
    const k = keyIndex(raw, start, keyEnd, keys);
    const valueStart = keyEnd < end ? keyEnd + 1 : end;
    if (k >= 0 && values[k] === undefined) {
      values[k] = percentDecode(raw, valueStart, end);
    } else {
      if (k >= 0) repeated |= 1 << k;
      checkEscapes(raw, valueStart, end);
    }
  });
  return { values, repeated };
}
