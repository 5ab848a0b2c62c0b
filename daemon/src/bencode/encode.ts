/** Canonical bencode encoder: dictionary keys sorted as raw bytes, byte strings as given. */
import type { Encodable } from './types';

/** A growable output buffer; doubling keeps encoding linear. */
class Writer {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  result(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.len).slice();
  }
}

function encodeInteger(w: Writer, v: number | bigint): void {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new TypeError(`bencode integers must be safe integers, got ${v}`);
  }
  w.ascii(`i${v}e`);
}

function encodeBytes(w: Writer, b: Uint8Array): void {
  w.ascii(`${b.length}:`);
  w.bytes(b);
}

/** Encodes entries whose keys are already raw bytes held as latin1 strings. */
function encodeEntries(w: Writer, entries: [string, Encodable][], depth: number): void {
  // Code-unit order of latin1 strings is exactly raw byte order.
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  w.ascii('d');
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i];
    if (i > 0 && entries[i - 1][0] === key) throw new TypeError(`duplicate dictionary key "${key}"`);
    w.ascii(`${key.length}:`);
    w.ascii(key);
    encodeValue(w, value, depth + 1);
  }
  w.ascii('e');
}

function mapEntries(m: ReadonlyMap<string, Encodable | undefined>): [string, Encodable][] {
  const out: [string, Encodable][] = [];
  for (const [key, value] of m) {
    if (value === undefined) continue;
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) > 0xff) throw new TypeError(`Map key "${key}" is not a latin1 byte string`);
    }
    out.push([key, value]);
  }
  return out;
}

function objectEntries(o: { readonly [key: string]: Encodable | undefined }): [string, Encodable][] {
  const out: [string, Encodable][] = [];
  for (const key of Object.keys(o)) {
    const value = o[key];
    if (value === undefined) continue;
    out.push([Buffer.from(key, 'utf8').toString('latin1'), value]);
  }
  return out;
}

const MAX_ENCODE_DEPTH = 1000;

function encodeValue(w: Writer, v: Encodable, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw new TypeError('value nested too deeply (or cyclic) to bencode');
  if (typeof v === 'number' || typeof v === 'bigint') return encodeInteger(w, v);
  if (typeof v === 'string') return encodeBytes(w, Buffer.from(v, 'utf8'));
  if (v instanceof Uint8Array) return encodeBytes(w, v);
  if (Array.isArray(v)) {
    w.ascii('l');
    for (const item of v as readonly Encodable[]) encodeValue(w, item, depth + 1);
    w.ascii('e');
    return;
  }
  if (v instanceof Map) return encodeEntries(w, mapEntries(v), depth);
  if (typeof v === 'object' && v !== null) {
    return encodeEntries(w, objectEntries(v as { readonly [key: string]: Encodable | undefined }), depth);
  }
  throw new TypeError(`cannot bencode a value of type ${typeof v}`);
}

/** Encodes a value canonically. Throws TypeError for values bencode cannot carry (floats, null, cycles). */
export function bencode(v: Encodable): Uint8Array {
  const w = new Writer();
  encodeValue(w, v, 0);
  return w.result();
}
