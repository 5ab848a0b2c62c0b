/**
 * The extended handshake of the extension protocol (BEP 10): the bencoded dictionary carried by
 * extended message 0. Decoding is lenient field by field, as real clients are, but bounded as a whole.
 */
import { isIP, SocketAddress } from 'node:net';
import { bdecode, bencode, BencodeError, isBytes, isDict, type BDict, type Encodable } from '../bencode';
import { WireError } from './errors';

/** Extended message id of the handshake itself. */
export const EXTENSION_HANDSHAKE_ID = 0;
/** Our ids for the extensions we understand; peers send us their messages under these. */
export const LocalExtensionId = { ut_metadata: 1, ut_pex: 2 } as const;
/** Largest extended message payload we decode (a ut_metadata data message is 16 KiB plus a small dict). */
export const MAX_EXTENDED_PAYLOAD = 64 * 1024;
/** Nesting accepted in an extension's dictionary; real ones need 2. */
export const MAX_EXTENDED_DEPTH = 8;
/** Most entries kept from `m`, and the longest extension name. */
const MAX_EXTENSIONS = 64;
const MAX_NAME_BYTES = 64;
/** Longest client name kept from `v`. */
const MAX_CLIENT_NAME = 100;
/** Largest `reqq` believed; a peer naming more is taken at this. */
const MAX_REQQ = 100_000;

/** The fields of an extended handshake we use. */
export interface ExtendedHandshake {
  /** Extension name → the id the sender wants it under (ids of 0, "disabled", are left out). */
  m: Record<string, number>;
  /** Client name and version. */
  v?: string;
  /** The sender's listening TCP port. */
  p?: number;
  /** Requests the sender queues for us without dropping any. */
  reqq?: number;
  /** Our address as the sender sees it. */
  yourip?: string;
  /** Bytes of the info dictionary the sender can serve (BEP 9). */
  metadataSize?: number;
}

/** Decodes a bounded bencoded dictionary; anything else is a WireError. */
export function decodeExtensionDict(payload: Uint8Array, what: string): BDict {
  if (payload.length > MAX_EXTENDED_PAYLOAD) throw new WireError('bad-message', `${what} of ${payload.length} bytes exceeds ${MAX_EXTENDED_PAYLOAD}`);
  let v;
  try {
    v = bdecode(payload, { maxSize: MAX_EXTENDED_PAYLOAD, maxDepth: MAX_EXTENDED_DEPTH });
  } catch (err) {
    if (err instanceof BencodeError) throw new WireError('bad-message', `${what}: ${err.message}`);
    throw err;
  }
  if (!isDict(v)) throw new WireError('bad-message', `${what} is not a dictionary`);
  return v;
}

/** An integer field within [min, max], else undefined. */
export function intField(d: BDict, key: string, min: number, max: number): number | undefined {
  const v = d.get(key);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

/** Decodes the payload of extended message 0; throws only WireError. */
export function decodeExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  const d = decodeExtensionDict(payload, 'extended handshake');
  const h: ExtendedHandshake = { m: {} };
  const m = d.get('m');
  if (isDict(m)) {
    let n = 0;
    for (const [name, id] of m) {
      if (n >= MAX_EXTENSIONS) break;
      if (name.length === 0 || name.length > MAX_NAME_BYTES || typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 255) continue;
      h.m[Buffer.from(name, 'latin1').toString('utf8')] = id;
      n++;
    }
  }
  const v = d.get('v');
  if (isBytes(v)) {
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    const name = Buffer.from(v.subarray(0, 4 * MAX_CLIENT_NAME)).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
    if (name.length > 0) h.v = name.slice(0, MAX_CLIENT_NAME);
  }
  const p = intField(d, 'p', 1, 65535);
  if (p !== undefined) h.p = p;
  const reqq = d.get('reqq');
  if (typeof reqq === 'number' && Number.isSafeInteger(reqq) && reqq > 0) h.reqq = Math.min(reqq, MAX_REQQ);
  const ip = d.get('yourip');
  if (isBytes(ip) && (ip.length === 4 || ip.length === 16)) h.yourip = addressText(ip);
  const size = intField(d, 'metadata_size', 0, Number.MAX_SAFE_INTEGER);
  if (size !== undefined) h.metadataSize = size;
  return h;
}

/** Encodes an extended handshake (keys sorted by the encoder). */
export function encodeExtendedHandshake(h: ExtendedHandshake): Uint8Array {
  const d = new Map<string, Encodable>([['m', new Map(Object.entries(h.m))]]);
  if (h.v !== undefined) d.set('v', h.v);
  if (h.p !== undefined) d.set('p', h.p);
  if (h.reqq !== undefined) d.set('reqq', h.reqq);
  if (h.yourip !== undefined && isIP(h.yourip) !== 0) d.set('yourip', addressBytes(h.yourip));
  if (h.metadataSize !== undefined) d.set('metadata_size', h.metadataSize);
  return bencode(d);
}

/** 4 or 16 raw bytes → the address as text. */
export function addressText(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address; // canonical form, e.g. ::1
}

/** A numeric IPv4 or IPv6 address → its 4 or 16 raw bytes. */
export function addressBytes(ip: string): Uint8Array {
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(plain) === 4) return Uint8Array.from(plain.split('.').map(Number));
  const [head, tail = ''] = plain.split('::');
  const parts = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = parts(head);
  const t = parts(tail);
  const all = plain.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}
