/**
 * Metadata exchange (BEP 9, `ut_metadata`): the info dictionary travels in 16 KiB pieces, each
 * message a bencoded dictionary (a data message followed by the piece's raw bytes). The codec is
 * pure and bounded; the assembler checks the whole against the info hash.
 */
import { createHash } from 'node:crypto';
import { bdecodePrefix, bencode, BencodeError, isDict } from '../bencode';
import { WireError } from './errors';
import { intField, MAX_EXTENDED_DEPTH, MAX_EXTENDED_PAYLOAD } from './extended';

/** Bytes of one metadata piece (the last may be shorter). */
export const METADATA_PIECE_LENGTH = 16 * 1024;
/**
 * Largest info dictionary we fetch or accept: 16 MiB, 1,024 pieces. Its bulk is 20 bytes of hash per
 * piece, so it covers 800,000 pieces — over 200 TB in 256 KiB pieces — while a hostile `metadata_size`
 * costs at most this much memory per magnet. (libtorrent's `max_metadata_size` defaults to 3 MiB.)
 */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;
const MAX_PIECES = MAX_METADATA_SIZE / METADATA_PIECE_LENGTH;

/** A ut_metadata message. */
export type MetadataMessage =
  | { msgType: 'request'; piece: number }
  | { msgType: 'data'; piece: number; totalSize: number; data: Uint8Array }
  | { msgType: 'reject'; piece: number };

const TYPE_NUMBER = { request: 0, data: 1, reject: 2 } as const;
const TYPE_NAME = ['request', 'data', 'reject'] as const;

/** Pieces of metadata of `size` bytes. */
export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_LENGTH);
}

/** Encodes a message (the data message's bytes follow its dictionary). */
export function encodeMetadataMessage(m: MetadataMessage): Uint8Array {
  const d = new Map<string, number>([['msg_type', TYPE_NUMBER[m.msgType]], ['piece', m.piece]]);
  if (m.msgType !== 'data') return bencode(d);
  d.set('total_size', m.totalSize);
  const head = bencode(d);
  const out = new Uint8Array(head.length + m.data.length);
  out.set(head, 0);
  out.set(m.data, head.length);
  return out;
}

/** Decodes a message; throws only WireError. The data view shares memory with `payload`. */
export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage {
  if (payload.length > MAX_EXTENDED_PAYLOAD) throw new WireError('bad-message', `ut_metadata message of ${payload.length} bytes`);
  let decoded;
  try {
    decoded = bdecodePrefix(payload, { maxSize: MAX_EXTENDED_PAYLOAD, maxDepth: MAX_EXTENDED_DEPTH });
  } catch (err) {
    if (err instanceof BencodeError) throw new WireError('bad-message', `ut_metadata: ${err.message}`);
    throw err;
  }
  const d = decoded.value;
  if (!isDict(d)) throw new WireError('bad-message', 'ut_metadata message is not a dictionary');
  const type = intField(d, 'msg_type', 0, 2);
  const piece = intField(d, 'piece', 0, MAX_PIECES - 1);
  if (type === undefined) throw new WireError('bad-message', 'ut_metadata: unknown msg_type');
  if (piece === undefined) throw new WireError('bad-message', `ut_metadata: piece not in 0..${MAX_PIECES - 1}`);
  const msgType = TYPE_NAME[type];
  if (msgType !== 'data') {
    if (decoded.end !== payload.length) throw new WireError('bad-message', `ut_metadata ${msgType} with trailing bytes`);
    return { msgType, piece };
  }
  const totalSize = intField(d, 'total_size', 1, MAX_METADATA_SIZE);
  if (totalSize === undefined) throw new WireError('bad-message', `ut_metadata: total_size not in 1..${MAX_METADATA_SIZE}`);
  const data = payload.subarray(decoded.end);
  if (data.length > METADATA_PIECE_LENGTH) throw new WireError('bad-message', `ut_metadata piece of ${data.length} bytes`);
  return { msgType, piece, totalSize, data };
}

/** The slice of `info` to send for `piece`, or undefined when out of range. */
export function metadataPiece(info: Uint8Array, piece: number): Uint8Array | undefined {
  if (!Number.isInteger(piece) || piece < 0 || piece >= metadataPieceCount(info.length)) return undefined;
  return info.subarray(piece * METADATA_PIECE_LENGTH, Math.min(info.length, (piece + 1) * METADATA_PIECE_LENGTH));
}

/** The outcome of adding a piece. */
export type AssemblyVerdict = 'more' | 'complete' | 'mismatch';

/**
 * Collects the pieces of one info dictionary of a known size. When the last arrives, the whole must
 * hash to the info hash; otherwise every piece is dropped ('mismatch') and `sources()` says who sent
 * them, so the caller can ban them and start over.
 */
export class MetadataAssembler {
  private readonly buffer: Uint8Array;
  private readonly from: (string | undefined)[];
  private received = 0;

  constructor(
    private readonly infoHash: Uint8Array,
    readonly size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_METADATA_SIZE) throw new RangeError(`metadata size ${size} not in 1..${MAX_METADATA_SIZE}`);
    this.buffer = new Uint8Array(size);
    this.from = new Array<string | undefined>(metadataPieceCount(size)).fill(undefined);
  }

  get pieceCount(): number {
    return this.from.length;
  }

  /** Pieces received so far. */
  get receivedCount(): number {
    return this.received;
  }

  /** The assembled info dictionary (whole only after 'complete'). */
  get bytes(): Uint8Array {
    return this.buffer;
  }

  /** The first piece not received yet and not in `exclude`. */
  nextMissing(exclude: ReadonlySet<number> = new Set()): number | undefined {
    for (let i = 0; i < this.from.length; i++) if (this.from[i] === undefined && !exclude.has(i)) return i;
    return undefined;
  }

  /** Adds a piece (a repeat is ignored); throws WireError for a wrong index or length. */
  add(piece: number, data: Uint8Array, source = ''): AssemblyVerdict {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.from.length) throw new WireError('bad-message', `metadata piece ${piece} out of range`);
    const expected = Math.min(METADATA_PIECE_LENGTH, this.size - piece * METADATA_PIECE_LENGTH);
    if (data.length !== expected) throw new WireError('bad-message', `metadata piece ${piece} has ${data.length} bytes, expected ${expected}`);
    if (this.from[piece] !== undefined) return 'more';
    this.buffer.set(data, piece * METADATA_PIECE_LENGTH);
    this.from[piece] = source;
    if (++this.received < this.from.length) return 'more';
    if (Buffer.from(createHash('sha1').update(this.buffer).digest()).equals(this.infoHash)) return 'complete';
    this.lastSources = [...new Set(this.from as string[])];
    this.from.fill(undefined);
    this.received = 0;
    return 'mismatch';
  }

  private lastSources: string[] = [];

  /** Who sent the pieces of the last mismatching attempt. */
  sources(): string[] {
    return this.lastSources;
  }
}
