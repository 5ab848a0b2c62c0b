/**
 * Dialling one torrent's known addresses: a bounded number of dials pending at once, back-off and
 * bans through the address book, and our own address recognised by its peer id.
 */
import type { Duplex } from 'node:stream';
import { PeerConnection, type TorrentGeometry } from '../wire/connection';
import type { AddressBook } from './address-book';

/** Dials we keep pending at once per torrent. */
export const MAX_HALF_OPEN = 8;

/** What the dialler needs from its torrent and session. */
export interface DialerContext {
  peerId: Uint8Array;
  infoHash: Uint8Array;
  /** The torrent's geometry; undefined while its metadata is being fetched. */
  geometry: TorrentGeometry | undefined;
  /** Room for one more connection under the session's global cap. */
  globalRoom(): boolean;
  /** Opens a TCP connection; received bytes go to `onData` (see TorrentContext.connect). */
  connect(ip: string, port: number, onData: (chunk: Uint8Array) => void): Duplex;
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
    if (n <= 0) return;
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
    const conn = PeerConnection.connect(socket, { peerId: this.ctx.peerId }, this.ctx.infoHash, this.ctx.geometry);
    sink.conn = conn;
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
