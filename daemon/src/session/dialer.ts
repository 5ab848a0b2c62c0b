/**
 * Dialling one torrent's known addresses: a bounded number of dials pending at once, back-off and
 * bans through the address book, and our own address recognised by its peer id.
 */
import type { Duplex } from 'node:stream';
import { PeerConnection, type PieceShape } from '../wire/connection';
import type { ReservedFeature } from '../wire/handshake';
import type { AddressBook } from './address-book';

/** Session-wide touches on every connection, outgoing and incoming: reserved bits to add, and a look at it. */
export interface WireSetup {
  features: readonly ReservedFeature[];
  /** A connection to `ip` was created (before its handshake). */
  attached(conn: PeerConnection, ip: string): void;
}

/** Dials we keep pending at once per torrent. */
export const MAX_HALF_OPEN = 8;

/** What the dialler needs from its torrent and session. */
export interface DialerContext {
  peerId: Uint8Array;
  infoHash: Uint8Array;
  /** The torrent's geometry; undefined while its metadata is being fetched. */
  geometry: PieceShape | undefined;
  /** Room for one more connection under the session's global cap. */
  globalRoom(): boolean;
  /** Opens a TCP connection; received bytes go to `onData` (see TorrentContext.connect). */
  connect(ip: string, port: number, onData: (chunk: Uint8Array) => void): Duplex;
  /** Session-wide connection setup (the DHT's reserved bit and port message). */
  wire?: WireSetup;
}

/** The dials of one torrent. */
export class Dialer {
  private readonly halfOpen = new Set<string>();

  constructor(
    private readonly book: AddressBook,
    private readonly ctx: DialerContext,
  ) {}

  /** Dials in progress. */
  get pending(): number {
    return this.halfOpen.size;
  }

  /** Addresses connected or being dialled, for the address book's `busy`. */
  busy(connected: Iterable<string>): Set<string> {
    return new Set<string>([...connected, ...this.halfOpen]);
  }

  /**
   * Dials due addresses while fewer than `room` more connections may open; `ready` gets each
   * connection whose handshakes are done.
   */
  dialMore(connected: Iterable<string>, room: number, ready: (conn: PeerConnection, ip: string, port: number) => void): void {
    const n = Math.min(MAX_HALF_OPEN - this.halfOpen.size, room);
    if (n <= 0 || this.book.size === 0) return; // an idle seed knows nobody: nothing to build
    for (const { ip, port } of this.book.take(Date.now(), this.busy(connected), n)) {
      if (!this.ctx.globalRoom()) return;
      this.dial(ip, port, ready);
    }
  }

  private dial(ip: string, port: number, ready: (conn: PeerConnection, ip: string, port: number) => void): void {
    const key = `${ip}:${port}`;
    this.halfOpen.add(key);
    let socket: Duplex;
    const sink: { conn?: PeerConnection } = {};
    try {
      socket = this.ctx.connect(ip, port, (chunk) => sink.conn?.feed(chunk));
    } catch {
      this.halfOpen.delete(key);
      this.book.failed(ip, port, Date.now());
      return;
    }
    const wire = this.ctx.wire;
    const conn = PeerConnection.connect(socket, { peerId: this.ctx.peerId, ...(wire ? { features: wire.features } : {}) }, this.ctx.infoHash, this.ctx.geometry);
    sink.conn = conn;
    wire?.attached(conn, ip);
    conn.once('ready', () => {
      this.halfOpen.delete(key);
      this.book.succeeded(ip, port);
      if (Buffer.from(conn.remote?.peerId ?? []).equals(this.ctx.peerId)) this.book.ban(ip, port);
      ready(conn, ip, port);
    });
    conn.once('close', () => {
      if (!this.halfOpen.delete(key)) return;
      this.book.failed(ip, port, Date.now());
    });
  }
}
