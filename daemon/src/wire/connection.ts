import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Bitfield } from '../util/bitfield';
import { WireError } from './errors';
import { Framer } from './framer';
import { decodeHandshake, encodeHandshake, type Handshake } from './handshake';
import * as msg from './messages';

/** The block size we request; pieces we receive may not exceed it. */
export const BLOCK_LENGTH = 16 * 1024;
/**
 * Largest request we serve. Every current client asks for 16 KiB, but older ones asked for up to
 * 128 KiB and mainline/libtorrent accept that much; the session bounds queued requests per
 * connection, so the larger size costs no unbounded memory.
 */
export const MAX_REQUEST_LENGTH = 128 * 1024;

/** The piece layout a connection validates indices and offsets against. */
export interface TorrentGeometry {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
}

/** Tunables of a connection; times in milliseconds. */
export interface PeerConnectionOptions {
  /** Our 20-byte peer id. */
  peerId: Uint8Array;
  /** Our 8 reserved bytes; default all zero (we implement no extension). */
  reserved?: Uint8Array;
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
  /** The socket's write buffer drained. */
  drain: [];
  /** Closed, with the reason when it was an error or a timeout. */
  close: [reason: Error | undefined];
}

const ZERO_RESERVED = new Uint8Array(8);

/** One live wire to a peer: handshake, choke/interest state, validated messages, timeouts. */
export class PeerConnection extends EventEmitter<PeerConnectionEvents> {
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** What the peer has; empty until the handshake is accepted. */
  peerPieces = new Bitfield(0);
  remote: Handshake | undefined;
  isReady = false;
  closed = false;
  /** Piece payload bytes received / sent. */
  downloadedBytes = 0;
  uploadedBytes = 0;

  private geometry: TorrentGeometry | undefined;
  private infoHash: Uint8Array | undefined;
  private readonly framer: Framer;
  private readonly outstanding = new Map<number, number>();
  private corked = false;
  private lastReceived = Date.now();
  private lastSent = Date.now();
  private handshakeTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly idleTimeoutMs: number;
  private readonly keepAliveMs: number;

  constructor(
    readonly stream: Duplex,
    private readonly opts: PeerConnectionOptions,
    readonly direction: 'incoming' | 'outgoing' = 'incoming',
  ) {
    super();
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 180_000;
    this.keepAliveMs = opts.keepAliveMs ?? 90_000;
    this.framer = new Framer({ handshake: (b) => this.onHandshake(b), frame: (b) => this.onFrame(b) }, BLOCK_LENGTH + 13);
    this.handshakeTimer = setTimeout(
      () => this.destroy(new WireError('timeout', 'handshake timed out')),
      opts.handshakeTimeoutMs ?? 20_000,
    );
    this.handshakeTimer.unref?.();
    stream.on('data', (chunk: Buffer) => this.feed(chunk));
    stream.on('drain', () => this.emit('drain'));
    stream.on('error', (err) => this.destroy(err));
    stream.on('close', () => this.destroy());
    stream.on('end', () => this.destroy());
  }

  /** Opens an outgoing connection for a known torrent: our handshake goes out at once. */
  static connect(stream: Duplex, opts: PeerConnectionOptions, infoHash: Uint8Array, geometry: TorrentGeometry): PeerConnection {
    const conn = new PeerConnection(stream, opts, 'outgoing');
    conn.setTorrent(infoHash, geometry);
    conn.write(encodeHandshake({ reserved: opts.reserved ?? ZERO_RESERVED, infoHash, peerId: opts.peerId }));
    return conn;
  }

  /** Accepts an incoming handshake for this torrent; call from the 'handshake' listener. */
  accept(infoHash: Uint8Array, geometry: TorrentGeometry): void {
    if (this.direction !== 'incoming' || this.geometry) throw new Error('accept() is only for a new incoming connection');
    this.setTorrent(infoHash, geometry);
    this.write(encodeHandshake({ reserved: this.opts.reserved ?? ZERO_RESERVED, infoHash, peerId: this.opts.peerId }));
  }

  /** Requests we sent that the peer has not answered. */
  get outstandingRequests(): number {
    return this.outstanding.size;
  }

  /** Bytes waiting in the socket's write buffer (backpressure for uploads). */
  get writeBuffered(): number {
    return this.stream.writableLength;
  }

  choke(): void {
    if (this.amChoking) return;
    this.amChoking = true;
    this.write(msg.encodeChoke());
  }

  unchoke(): void {
    if (!this.amChoking) return;
    this.amChoking = false;
    this.write(msg.encodeUnchoke());
  }

  interested(): void {
    if (this.amInterested) return;
    this.amInterested = true;
    this.write(msg.encodeInterested());
  }

  notInterested(): void {
    if (!this.amInterested) return;
    this.amInterested = false;
    this.write(msg.encodeNotInterested());
  }

  have(index: number): void {
    this.write(msg.encodeHave(index));
  }

  bitfield(field: Bitfield): void {
    this.write(msg.encodeBitfield(field.bytes));
  }

  /** Asks for a block; the answer is accepted only while this request is outstanding. */
  request(index: number, begin: number, length: number): void {
    this.outstanding.set(this.key(index, begin), length);
    this.write(msg.encodeRequest(index, begin, length));
  }

  /** Withdraws a request; a late answer will be dropped. */
  cancel(index: number, begin: number, length: number): void {
    if (!this.outstanding.delete(this.key(index, begin))) return;
    this.write(msg.encodeCancel(index, begin, length));
  }

  /** Withdraws every outstanding request (a snubbed peer's blocks go to others). */
  cancelAll(): void {
    const g = this.geometry;
    if (!g) return;
    for (const [key, length] of this.outstanding) {
      const index = Math.floor(key / g.pieceLength);
      this.write(msg.encodeCancel(index, key - index * g.pieceLength, length));
    }
    this.outstanding.clear();
  }

  /**
   * Sends a block: header and data go out in one corked write, without copying the data, so the
   * data must stay unchanged until `sent` is called (once, when the socket is done with it).
   */
  piece(index: number, begin: number, data: Uint8Array, sent?: () => void): void {
    if (this.closed) {
      sent?.();
      return;
    }
    this.write(msg.encodePieceHeader(index, begin, data.length));
    this.write(data, sent);
    this.uploadedBytes += data.length;
  }

  keepAlive(): void {
    this.write(msg.encodeKeepAlive());
  }

  /** Closes the connection; 'close' is emitted once. */
  destroy(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    clearInterval(this.checkTimer);
    this.outstanding.clear();
    this.stream.destroy();
    this.emit('close', reason);
  }

  private setTorrent(infoHash: Uint8Array, geometry: TorrentGeometry): void {
    this.infoHash = infoHash;
    this.geometry = geometry;
    this.peerPieces = new Bitfield(geometry.pieceCount);
    this.framer.maxFrameSize = Math.max(BLOCK_LENGTH + 9, Bitfield.byteLength(geometry.pieceCount) + 1);
  }

  private key(index: number, begin: number): number {
    return index * (this.geometry?.pieceLength ?? 0) + begin;
  }

  private pieceSize(index: number): number {
    const g = this.geometry as TorrentGeometry;
    return index === g.pieceCount - 1 ? g.totalLength - g.pieceLength * (g.pieceCount - 1) : g.pieceLength;
  }

  private write(buf: Uint8Array, done?: () => void): void {
    if (this.closed) {
      done?.();
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.corked = false;
        this.stream.uncork();
      });
    }
    this.stream.write(buf, done);
    this.lastSent = Date.now();
  }

  /**
   * Received bytes, for streams read through `onread` (no 'data' events); the chunk may be
   * reused by the caller once this returns.
   */
  feed(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastReceived = Date.now();
    try {
      this.framer.push(chunk);
    } catch (err) {
      this.destroy(err instanceof Error ? err : new WireError('protocol', String(err)));
    }
  }

  private onHandshake(bytes: Uint8Array): void {
    const h = decodeHandshake(bytes);
    this.remote = h;
    if (this.direction === 'outgoing' && !Buffer.from(h.infoHash).equals(this.infoHash as Uint8Array)) {
      throw new WireError('bad-handshake', 'peer answered with another info hash');
    }
    this.emit('handshake', h);
    if (this.closed) return;
    if (!this.geometry) throw new WireError('bad-handshake', 'no torrent with this info hash');
    clearTimeout(this.handshakeTimer);
    this.isReady = true;
    this.checkTimer = setInterval(() => this.check(), Math.min(this.idleTimeoutMs, this.keepAliveMs) / 3);
    this.checkTimer.unref?.();
    this.emit('ready');
  }

  private check(): void {
    const now = Date.now();
    if (now - this.lastReceived >= this.idleTimeoutMs) this.destroy(new WireError('timeout', 'peer silent too long'));
    else if (now - this.lastSent >= this.keepAliveMs) this.keepAlive();
  }

  private onFrame(body: Uint8Array): void {
    if (this.closed) return;
    const m = msg.decodeMessage(body);
    switch (m.type) {
      case 'keep-alive':
        return;
      case 'choke':
        this.peerChoking = true;
        // Without the fast extension a choke discards every request we had queued there.
        this.outstanding.clear();
        this.emit('choke');
        return;
      case 'unchoke':
        this.peerChoking = false;
        this.emit('unchoke');
        return;
      case 'interested':
        this.peerInterested = true;
        this.emit('interested');
        return;
      case 'not-interested':
        this.peerInterested = false;
        this.emit('not-interested');
        return;
      case 'have':
        this.checkIndex(m.index);
        this.peerPieces.set(m.index);
        this.emit('have', m.index);
        return;
      case 'bitfield':
        this.onBitfield(m.bytes);
        return;
      case 'request':
      case 'cancel':
        this.checkRange(m.index, m.begin, m.length, MAX_REQUEST_LENGTH);
        this.emit(m.type, m.index, m.begin, m.length);
        return;
      case 'piece':
        this.onPiece(m.index, m.begin, m.data);
        return;
      case 'port':
        this.emit('port', m.port);
        return;
      case 'unknown':
        return;
    }
  }

  /**
   * BEP 3 puts the bitfield first, but aria2 sends one later in the connection too, so a bitfield
   * is accepted at any time and replaces what we knew (listeners get the previous set).
   */
  private onBitfield(bytes: Uint8Array): void {
    let field: Bitfield;
    try {
      field = new Bitfield(this.peerPieces.length, bytes);
    } catch (err) {
      throw new WireError('bad-message', (err as Error).message);
    }
    const previous = this.peerPieces;
    this.peerPieces = field;
    this.emit('bitfield', field, previous);
  }

  private onPiece(index: number, begin: number, data: Uint8Array): void {
    this.checkRange(index, begin, data.length, BLOCK_LENGTH);
    const key = this.key(index, begin);
    if (this.outstanding.get(key) !== data.length) return; // cancelled, choked or never asked: drop it
    this.outstanding.delete(key);
    this.downloadedBytes += data.length;
    this.emit('piece', index, begin, data);
  }

  private checkIndex(index: number): void {
    if (index >= this.peerPieces.length) throw new WireError('bad-message', `piece ${index} out of range`);
  }

  private checkRange(index: number, begin: number, length: number, maxLength: number): void {
    this.checkIndex(index);
    if (length === 0 || length > maxLength) throw new WireError('bad-message', `block length ${length} not in 1..${maxLength}`);
    if (begin + length > this.pieceSize(index)) throw new WireError('bad-message', `block ${begin}+${length} beyond piece ${index}`);
  }
}
