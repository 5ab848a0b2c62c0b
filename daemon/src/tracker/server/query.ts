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
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxLength: 16384, maxPairs: 512 };

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

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
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

/** The escaped case, through a byte buffer: the result is one flat string, not a chain of concatenations. */
function decodeEscaped(raw: string, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < end ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(raw.charCodeAt(i + 2)) : -1;
      if (lo < 0) throw new QueryError(`bad percent-escape at offset ${i}`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b) {
      out[n++] = 0x20;
    } else if (c > 0xff) {
      throw new QueryError(`character outside latin1 at offset ${i}`);
    } else {
      out[n++] = c;
    }
  }
  return out.toString('latin1', 0, n);
}

/** Splits a raw query string (without the `?`) into byte-string values per key; pure, bounded. */
export function splitQuery(raw: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): RawQuery {
  if (raw.length > limits.maxLength) throw new QueryError(`query string longer than ${limits.maxLength} characters`);
  const out: RawQuery = new Map();
  let pairs = 0;
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      if (++pairs > limits.maxPairs) throw new QueryError(`more than ${limits.maxPairs} query parameters`);
      const eq = raw.indexOf('=', start);
      const keyEnd = eq >= 0 && eq < end ? eq : end;
      const key = percentDecode(raw, start, keyEnd);
      const value = keyEnd < end ? percentDecode(raw, keyEnd + 1, end) : '';
      const seen = out.get(key);
      if (seen === undefined) out.set(key, value);
      else if (typeof seen === 'string') out.set(key, [seen, value]);
      else seen.push(value);
    }
    start = end + 1;
  }
  return out;
}

/** What `scanQuery` found: the value of each wanted key (by position), and which keys came more than once. */
export interface ScannedQuery {
  values: (string | undefined)[];
  /** Bit k is set when `keys[k]` was given more than once (its first value is kept). */
  repeated: number;
}

/** Position of `raw[start, end)` in `keys`, or -1; compares in place unless the key itself is escaped. */
function keyIndex(raw: string, start: number, end: number, keys: readonly string[]): number {
  if (!isPlain(raw, start, end)) return keys.indexOf(decodeEscaped(raw, start, end));
  const length = end - start;
  for (let k = 0; k < keys.length; k++) {
    if (keys[k].length === length && raw.startsWith(keys[k], start)) return k;
  }
  return -1;
}

/**
 * One pass over a raw query string for a fixed set of at most 31 keys: no map and no copies of other keys
 * or values. Every pair is still checked, so a bad escape anywhere is refused exactly as `splitQuery` does.
 */
export function scanQuery(raw: string, keys: readonly string[], limits: QueryLimits = DEFAULT_QUERY_LIMITS): ScannedQuery {
  if (raw.length > limits.maxLength) throw new QueryError(`query string longer than ${limits.maxLength} characters`);
  const values = new Array<string | undefined>(keys.length).fill(undefined);
  let repeated = 0;
  let pairs = 0;
  for (let start = 0; start <= raw.length; ) {
    let end = start;
    let eq = -1;
    for (let c = raw.charCodeAt(end); end < raw.length && c !== 0x26; c = raw.charCodeAt(++end)) {
      if (c === 0x3d && eq < 0) eq = end;
    }
    if (end > start) {
      if (++pairs > limits.maxPairs) throw new QueryError(`more than ${limits.maxPairs} query parameters`);
      const keyEnd = eq >= 0 ? eq : end;
      const k = keyIndex(raw, start, keyEnd, keys);
      const valueStart = keyEnd < end ? keyEnd + 1 : end;
      if (k >= 0 && values[k] === undefined) {
        values[k] = percentDecode(raw, valueStart, end);
      } else {
        if (k >= 0) repeated |= 1 << k;
        if (!isPlain(raw, valueStart, end)) decodeEscaped(raw, valueStart, end);
      }
    }
    start = end + 1;
  }
  return { values, repeated };
}
