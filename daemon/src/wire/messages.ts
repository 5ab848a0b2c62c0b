import { WireError } from './errors';

/** Message ids of BEP 3, the fast extension (BEP 6) and the extension protocol (BEP 10). */
export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 13,
  haveAll: 14,
  haveNone: 15,
  reject: 16,
  allowedFast: 17,
  extended: 20,
} as const;

/** A decoded message. Unknown ids are kept (and ignored by the connection) as BEP 3 asks. */
export type Message =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bytes: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; data: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  | { type: 'port'; port: number }
  | { type: 'suggest'; index: number }
  | { type: 'have-all' }
  | { type: 'have-none' }
  | { type: 'reject'; index: number; begin: number; length: number }
  | { type: 'allowed-fast'; index: number }
  | { type: 'extended'; extId: number; payload: Uint8Array }
  | { type: 'unknown'; id: number; payload: Uint8Array };

const KEEP_ALIVE = Buffer.alloc(4);
const SIMPLE = new Map([0, 1, 2, 3, 14, 15].map((id) => [id, Buffer.from([0, 0, 0, 1, id])]));

/** `<len=0>` */
export function encodeKeepAlive(): Buffer {
  return KEEP_ALIVE;
}
/** `<len=1><id=0>` */
export function encodeChoke(): Buffer {
  return SIMPLE.get(MessageId.choke) as Buffer;
}
/** `<len=1><id=1>` */
export function encodeUnchoke(): Buffer {
  return SIMPLE.get(MessageId.unchoke) as Buffer;
}
/** `<len=1><id=2>` */
export function encodeInterested(): Buffer {
  return SIMPLE.get(MessageId.interested) as Buffer;
}
/** `<len=1><id=3>` */
export function encodeNotInterested(): Buffer {
  return SIMPLE.get(MessageId.notInterested) as Buffer;
}

/** `<len=1><id=14>` (BEP 6) */
export function encodeHaveAll(): Buffer {
  return SIMPLE.get(MessageId.haveAll) as Buffer;
}
/** `<len=1><id=15>` (BEP 6) */
export function encodeHaveNone(): Buffer {
  return SIMPLE.get(MessageId.haveNone) as Buffer;
}

function encodeIndex(id: number, index: number): Buffer {
  const buf = Buffer.allocUnsafe(9);
  buf.writeUInt32BE(5, 0);
  buf[4] = id;
  buf.writeUInt32BE(index, 5);
  return buf;
}

/** `<len=5><id=4><index>` */
export function encodeHave(index: number): Buffer {
  return encodeIndex(MessageId.have, index);
}
/** `<len=5><id=13><index>` (BEP 6) */
export function encodeSuggest(index: number): Buffer {
  return encodeIndex(MessageId.suggest, index);
}
/** `<len=5><id=17><index>` (BEP 6) */
export function encodeAllowedFast(index: number): Buffer {
  return encodeIndex(MessageId.allowedFast, index);
}

/** `<len=1+n><id=5><bitfield bytes>` */
export function encodeBitfield(bytes: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(5 + bytes.length);
  buf.writeUInt32BE(1 + bytes.length, 0);
  buf[4] = MessageId.bitfield;
  buf.set(bytes, 5);
  return buf;
}

function encodeTriple(id: number, index: number, begin: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(17);
  buf.writeUInt32BE(13, 0);
  buf[4] = id;
  buf.writeUInt32BE(index, 5);
  buf.writeUInt32BE(begin, 9);
  buf.writeUInt32BE(length, 13);
  return buf;
}

/** `<len=13><id=6><index><begin><length>` */
export function encodeRequest(index: number, begin: number, length: number): Buffer {
  return encodeTriple(MessageId.request, index, begin, length);
}

/** `<len=13><id=8><index><begin><length>` */
export function encodeCancel(index: number, begin: number, length: number): Buffer {
  return encodeTriple(MessageId.cancel, index, begin, length);
}

/** `<len=13><id=16><index><begin><length>` (BEP 6) */
export function encodeReject(index: number, begin: number, length: number): Buffer {
  return encodeTriple(MessageId.reject, index, begin, length);
}

/** `<len=2+n><id=20><extended id><payload>` (BEP 10); id 0 is the extended handshake. */
export function encodeExtended(extId: number, payload: Uint8Array): Buffer {
  if (!Number.isInteger(extId) || extId < 0 || extId > 255) throw new RangeError(`extended message id ${extId} not in 0..255`);
  const buf = Buffer.allocUnsafe(6 + payload.length);
  buf.writeUInt32BE(2 + payload.length, 0);
  buf[4] = MessageId.extended;
  buf[5] = extId;
  buf.set(payload, 6);
  return buf;
}

/** Only the 13-byte header of a piece message, so the block can follow without a copy. */
export function encodePieceHeader(index: number, begin: number, dataLength: number): Buffer {
  const buf = Buffer.allocUnsafe(13);
  buf.writeUInt32BE(9 + dataLength, 0);
  buf[4] = MessageId.piece;
  buf.writeUInt32BE(index, 5);
  buf.writeUInt32BE(begin, 9);
  return buf;
}

/** A whole piece message (copies the block; the connection uses the header form instead). */
export function encodePiece(index: number, begin: number, data: Uint8Array): Buffer {
  return Buffer.concat([encodePieceHeader(index, begin, data.length), data]);
}

/** `<len=3><id=9><listen-port>` (DHT port). */
export function encodePort(port: number): Buffer {
  const buf = Buffer.allocUnsafe(7);
  buf.writeUInt32BE(3, 0);
  buf[4] = MessageId.port;
  buf.writeUInt16BE(port, 5);
  return buf;
}

function expectLength(payload: Uint8Array, n: number, name: string): void {
  if (payload.length !== n) throw new WireError('bad-message', `${name} payload must be ${n} bytes, got ${payload.length}`);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
}

/**
 * Decodes one frame body (id byte + payload; an empty body is a keep-alive). Pure: the
 * returned views share memory with `body`. Throws only WireError.
 */
export function decodeMessage(body: Uint8Array): Message {
  if (body.length === 0) return { type: 'keep-alive' };
  const id = body[0];
  const p = body.subarray(1);
  switch (id) {
    case MessageId.choke:
      expectLength(p, 0, 'choke');
      return { type: 'choke' };
    case MessageId.unchoke:
      expectLength(p, 0, 'unchoke');
      return { type: 'unchoke' };
    case MessageId.interested:
      expectLength(p, 0, 'interested');
      return { type: 'interested' };
    case MessageId.notInterested:
      expectLength(p, 0, 'not interested');
      return { type: 'not-interested' };
    case MessageId.have:
      expectLength(p, 4, 'have');
      return { type: 'have', index: u32(p, 0) };
    case MessageId.suggest:
      expectLength(p, 4, 'suggest');
      return { type: 'suggest', index: u32(p, 0) };
    case MessageId.allowedFast:
      expectLength(p, 4, 'allowed fast');
      return { type: 'allowed-fast', index: u32(p, 0) };
    case MessageId.haveAll:
      expectLength(p, 0, 'have all');
      return { type: 'have-all' };
    case MessageId.haveNone:
      expectLength(p, 0, 'have none');
      return { type: 'have-none' };
    case MessageId.reject:
      expectLength(p, 12, 'reject');
      return { type: 'reject', index: u32(p, 0), begin: u32(p, 4), length: u32(p, 8) };
    case MessageId.extended:
      if (p.length < 1) throw new WireError('bad-message', 'extended message without its id');
      return { type: 'extended', extId: p[0], payload: p.subarray(1) };
    case MessageId.bitfield:
      return { type: 'bitfield', bytes: p };
    case MessageId.request:
    case MessageId.cancel:
      expectLength(p, 12, id === MessageId.request ? 'request' : 'cancel');
      return { type: id === MessageId.request ? 'request' : 'cancel', index: u32(p, 0), begin: u32(p, 4), length: u32(p, 8) };
    case MessageId.piece:
      if (p.length < 8) throw new WireError('bad-message', 'piece payload shorter than 8 bytes');
      return { type: 'piece', index: u32(p, 0), begin: u32(p, 4), data: p.subarray(8) };
    case MessageId.port:
      expectLength(p, 2, 'port');
      return { type: 'port', port: (p[0] << 8) | p[1] };
    default:
      return { type: 'unknown', id, payload: p };
  }
}
