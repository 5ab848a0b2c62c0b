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

/** Encodes a handshake; we set no reserved bits because we implement no extension. */
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
