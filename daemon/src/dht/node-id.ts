/**
 * Node ids of the Mainline DHT: 160-bit values compared by XOR distance (BEP 5), and the ids BEP 42
 * derives from a node's external IPv4 address so that a node cannot choose where it sits.
 */
import { randomBytes } from 'node:crypto';

/** Bytes of a node id (and of an info hash). */
export const ID_LENGTH = 20;
/** Bits of a node id. */
export const ID_BITS = 160;

/** A fresh random id. */
export function randomId(): Uint8Array {
  return new Uint8Array(randomBytes(ID_LENGTH));
}

/** The XOR of two ids. */
export function distance(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(ID_LENGTH);
  for (let i = 0; i < ID_LENGTH; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Which of `a` and `b` is closer to `target`: negative for a, positive for b, 0 when equal. */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    const da = a[i] ^ target[i];
    const db = b[i] ^ target[i];
    if (da !== db) return da - db;
  }
  return 0;
}

/** Leading bits `a` and `b` share (160 when equal). */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/** Ids equal byte for byte. */
export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A random id sharing exactly the first `bits` bits with `id` and differing in the next one (all of them when bits is 160). */
export function randomIdWithPrefix(id: Uint8Array, bits: number): Uint8Array {
  const out = randomId();
  for (let bit = 0; bit < Math.min(bits, ID_BITS); bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    out[byte] = (out[byte] & ~mask) | (id[byte] & mask);
  }
  if (bits < ID_BITS) {
    const byte = bits >> 3;
    const mask = 0x80 >> (bits & 7);
    out[byte] = (out[byte] & ~mask) | (~id[byte] & mask);
  }
  return out;
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the checksum BEP 42 uses. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32C_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function ipv4Bytes(ip: string): Uint8Array | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return Uint8Array.from(parts);
}

/** The 21 leading bits BEP 42 fixes for `ip` and the 3-bit random `r`. */
function bep42Prefix(ip: Uint8Array, r: number): number {
  const masked = Uint8Array.from([(ip[0] & 0x03) | ((r & 7) << 5), ip[1] & 0x0f, ip[2] & 0x3f, ip[3] & 0xff]);
  return crc32c(masked);
}

/** Addresses BEP 42 leaves free to choose any id: loopback, private and link-local ranges. */
export function isBep42Exempt(ip: string): boolean {
  const b = ipv4Bytes(ip);
  if (!b) return true;
  return b[0] === 10 || b[0] === 127 || (b[0] === 172 && (b[1] & 0xf0) === 16) || (b[0] === 192 && b[1] === 168) || (b[0] === 169 && b[1] === 254);
}

/** A BEP 42 id for our external IPv4 address `ip` (random for an address that is not IPv4). */
export function bep42Id(ip: string, rand: Uint8Array = randomId()): Uint8Array {
  const b = ipv4Bytes(ip);
  const id = new Uint8Array(rand);
  if (!b) return id;
  const r = id[19] & 7;
  const crc = bep42Prefix(b, r);
  id[0] = crc >>> 24;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2] & 7);
  return id;
}

/** Whether `id` is one BEP 42 allows for a node at `ip` (exempt addresses always pass). */
export function isBep42Valid(id: Uint8Array, ip: string): boolean {
  if (isBep42Exempt(ip)) return true;
  const b = ipv4Bytes(ip) as Uint8Array;
  const crc = bep42Prefix(b, id[19] & 7);
  return id[0] === crc >>> 24 && id[1] === ((crc >>> 16) & 0xff) && (id[2] & 0xf8) === ((crc >>> 8) & 0xf8);
}
