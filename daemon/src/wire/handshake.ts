import { WireError } from './errors';

const PROTOCOL = 'BitTorrent protocol';
/** Bytes of a BEP 3 handshake: pstrlen, pstr, reserved, info hash, peer id. */
export const HANDSHAKE_LENGTH = 1 + PROTOCOL.length + 8 + 20 + 20;

/** The fields of a handshake. `reserved` is 8 bytes of feature bits. */
export interface Handshake {
  reserved: Uint8Array;
  infoHash: Uint8Array;
  peerId: Uint8Array;
}

/** Features announced in the reserved bytes: BEP 10 (byte 5, 0x10), BEP 6 (byte 7, 0x04), BEP 5 (byte 7, 0x01). */
export type ReservedFeature = 'extension' | 'fast' | 'dht';

const FEATURE_BITS: Record<ReservedFeature, readonly [byte: number, mask: number]> = {
  extension: [5, 0x10],
  fast: [7, 0x04],
  dht: [7, 0x01],
};

/** The 8 reserved bytes announcing `features`. */
export function makeReserved(features: readonly ReservedFeature[]): Uint8Array {
  const r = new Uint8Array(8);
  for (const f of features) r[FEATURE_BITS[f][0]] |= FEATURE_BITS[f][1];
  return r;
}

/** Whether reserved bytes announce `feature`. */
export function hasFeature(reserved: Uint8Array, feature: ReservedFeature): boolean {
  const [byte, mask] = FEATURE_BITS[feature];
  return reserved.length === 8 && (reserved[byte] & mask) !== 0;
}

/** Encodes a handshake with the given reserved bytes (see makeReserved). */
export function encodeHandshake(h: Handshake): Buffer {
  if (h.infoHash.length !== 20 || h.peerId.length !== 20 || h.reserved.length !== 8) {
    throw new WireError('bad-handshake', 'info hash and peer id must be 20 bytes, reserved 8');
  }
  const buf = Buffer.allocUnsafe(HANDSHAKE_LENGTH);
  buf[0] = PROTOCOL.length;
  buf.write(PROTOCOL, 1, 'latin1');
  buf.set(h.reserved, 20);
  buf.set(h.infoHash, 28);
  buf.set(h.peerId, 48);
  return buf;
}

/** Decodes exactly HANDSHAKE_LENGTH bytes; throws WireError on anything else. */
export function decodeHandshake(buf: Uint8Array): Handshake {
  if (buf.length !== HANDSHAKE_LENGTH) throw new WireError('bad-handshake', `handshake must be ${HANDSHAKE_LENGTH} bytes`);
  if (buf[0] !== PROTOCOL.length || Buffer.from(buf.subarray(1, 20)).toString('latin1') !== PROTOCOL) {
    throw new WireError('bad-handshake', 'not a BitTorrent handshake');
  }
  return {
    reserved: new Uint8Array(buf.subarray(20, 28)),
    infoHash: new Uint8Array(buf.subarray(28, 48)),
    peerId: new Uint8Array(buf.subarray(48, 68)),
  };
}
