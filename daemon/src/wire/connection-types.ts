/** The shapes a PeerConnection is built from and reports: geometry, options, typed events. */
import type { Bitfield } from '../util/bitfield';
import type { ExtendedHandshake, LocalExtensionId } from './extended';
import type { Handshake, ReservedFeature } from './handshake';
import { BLOCK_SIZE, type PieceShape } from '../util/geometry';

/** The block size we request (pieces we receive may not exceed it), and the piece layout a connection validates indices and offsets against. */
export { BLOCK_SIZE, type PieceShape };
/**
 * Largest request we serve. Every current client asks for 16 KiB, but older ones asked for up to
 * 128 KiB and mainline/libtorrent accept that much; the session bounds queued requests per
 * connection, so the larger size costs no unbounded memory.
 */
export const MAX_REQUEST_LENGTH = 128 * 1024;

/** Tunables of a connection; times in milliseconds. */
export interface PeerConnectionOptions {
  /** Our 20-byte peer id. */
  peerId: Uint8Array;
  /** What we offer in the handshake's reserved bits; default the extension protocol and the fast extension. */
  features?: readonly ReservedFeature[];
  /** Close unless both handshakes are done by then; default 20 s. */
  handshakeTimeoutMs?: number;
  /** Close when nothing arrived for this long; default 180 s. */
  idleTimeoutMs?: number;
  /** Send a keep-alive when we sent nothing for this long; default 90 s. */
  keepAliveMs?: number;
}

/** Typed events of PeerConnection. */
export interface PeerConnectionEvents {
  /** The peer's handshake; for an incoming connection the listener must call accept() now or it is closed. */
  handshake: [h: Handshake];
  /** Both handshakes exchanged; messages may flow. */
  ready: [];
  choke: [];
  unchoke: [];
  interested: [];
  'not-interested': [];
  have: [index: number];
  /** The peer's whole set; `previous` is what it replaces (haves or an earlier bitfield). */
  bitfield: [field: Bitfield, previous: Bitfield];
  request: [index: number, begin: number, length: number];
  cancel: [index: number, begin: number, length: number];
  /** A block we asked for; `data` is valid only during the call (copy it to keep it). */
  piece: [index: number, begin: number, data: Uint8Array];
  port: [port: number];
  /** BEP 6: the peer will not serve a request we sent (it is no longer outstanding). */
  reject: [index: number, begin: number, length: number];
  /** BEP 6: the peer lets us request this piece while it chokes us. */
  'allowed-fast': [index: number];
  /** BEP 10: the peer's extended handshake (also in `ext.peer`). */
  'extended-handshake': [h: ExtendedHandshake];
  /** BEP 10: a message of one of our extensions, by its name (`ut_metadata`, `ut_pex`). */
  extended: [name: ExtensionName, payload: Uint8Array];
  /** The socket's write buffer drained. */
  drain: [];
  /** Closed, with the reason when it was an error or a timeout. */
  close: [reason: Error | undefined];
}

/** Extensions we understand, by the names BEP 10 handshakes use. */
export type ExtensionName = keyof typeof LocalExtensionId;
