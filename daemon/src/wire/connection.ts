import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Bitfield } from '../util/bitfield';
import { WireError } from './errors';
import { Framer } from './framer';
import { checkIndex, checkRange, parseBitfield } from './block-checks';
import { EarlyAvailability } from './early-availability';
import { MAX_EXTENDED_PAYLOAD } from './extended';
import { ExtensionLink } from './extension-link';
import { OutstandingRequests } from './requests';
import { decodeHandshake, encodeHandshake, hasFeature, makeReserved, type Handshake, type ReservedFeature } from './handshake';
import * as msg from './messages';
import { BLOCK_SIZE, MAX_REQUEST_LENGTH, type ExtensionName, type PeerConnectionEvents, type PeerConnectionOptions, type PieceShape } from './connection-types';

export { BLOCK_SIZE, MAX_REQUEST_LENGTH, type ExtensionName, type PeerConnectionEvents, type PeerConnectionOptions, type PieceShape };

const DEFAULT_FEATURES: readonly ReservedFeature[] = ['extension', 'fast'];
/** Most allowed-fast pieces we remember of one peer (BEP 6 suggests about 10). */
const MAX_ALLOWED_FAST = 64;
/** Frame cap before the torrent's geometry is known (fetching metadata): a large bitfield still fits. */
const METADATA_MODE_FRAME = 256 * 1024;

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
  /** Block bytes that came for requests no longer outstanding (cancelled, or never asked). */
  unexpectedBytes = 0;
  /** Both ends offered the fast extension (BEP 6): rejects, have all/none, allowed fast. */
  fast = false;
  /** The extension protocol (BEP 10): enabled when both ends offered it. */
  readonly ext = new ExtensionLink((frame) => this.write(frame));
  /** Pieces the peer lets us request while it chokes us. */
  readonly peerAllowedFast = new Set<number>();
  /** When we last choked or unchoked the peer (the seeding choker rotates on it). */
  chokeChangedAt = Date.now();

  private geometry: PieceShape | undefined;
  /** What the peer announced before the geometry was known; undefined once it is. */
  private early: EarlyAvailability | undefined;
  private announced = false;
  private infoHash: Uint8Array | undefined;
  private readonly reserved: Uint8Array;
  private readonly framer: Framer;
  private outstanding = new OutstandingRequests(0);
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
    this.reserved = makeReserved(opts.features ?? DEFAULT_FEATURES);
    this.framer = new Framer({ handshake: (b) => this.onHandshake(b), frame: (b) => this.onFrame(b) }, BLOCK_SIZE + 13);
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

  /**
   * Opens an outgoing connection: our handshake goes out at once. Without a geometry (a magnet whose
   * metadata we are fetching) piece messages are refused and requests rejected or ignored.
   */
  static connect(stream: Duplex, opts: PeerConnectionOptions, infoHash: Uint8Array, geometry: PieceShape | undefined): PeerConnection {
    const conn = new PeerConnection(stream, opts, 'outgoing');
    conn.setTorrent(infoHash, geometry);
    conn.write(encodeHandshake({ reserved: conn.reserved, infoHash, peerId: opts.peerId }));
    return conn;
  }

  /** Accepts an incoming handshake for this torrent (geometry as for connect); call from the 'handshake' listener. */
  accept(infoHash: Uint8Array, geometry: PieceShape | undefined): void {
    if (this.direction !== 'incoming' || this.infoHash) throw new Error('accept() is only for a new incoming connection');
    this.setTorrent(infoHash, geometry);
    this.write(encodeHandshake({ reserved: this.reserved, infoHash, peerId: this.opts.peerId }));
  }

  /** The torrent's geometry is known (not while fetching a magnet's metadata). */
  get hasGeometry(): boolean {
    return this.geometry !== undefined;
  }

  /**
   * The metadata of a magnet came while this connection was open: from now on it is a connection of
   * the torrent, and what the peer announced so far becomes its bitfield (a WireError if it does not
   * fit the torrent).
   */
  learnGeometry(geometry: PieceShape): void {
    if (this.geometry) throw new Error('the torrent of this connection is already known');
    const early = this.early ?? new EarlyAvailability();
    this.setTorrent(this.infoHash ?? new Uint8Array(20), geometry);
    this.peerPieces = early.resolve(geometry.pieceCount);
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
    this.chokeChangedAt = Date.now();
    this.write(msg.encodeChoke());
  }

  unchoke(): void {
    if (!this.amChoking) return;
    this.amChoking = false;
    this.chokeChangedAt = Date.now();
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

  /**
   * What we have, right after the handshake: with the fast extension have all / have none / a
   * bitfield, as BEP 6 requires; without it a bitfield only when we have something.
   */
  announcePieces(field: Bitfield): void {
    // Announced already (while fetching metadata, as have none): only haves may follow.
    if (this.announced) {
      for (let i = 0; i < field.length; i++) if (field.has(i)) this.have(i);
      return;
    }
    this.announced = true;
    if (this.fast && field.complete && field.length > 0) this.write(msg.encodeHaveAll());
    else if (this.fast && field.count === 0) this.write(msg.encodeHaveNone());
    else if (field.count > 0) this.bitfield(field);
  }

  /** BEP 6: tells the peer we will not serve its request; nothing without the fast extension. */
  reject(index: number, begin: number, length: number): void {
    if (this.fast) this.write(msg.encodeReject(index, begin, length));
  }

  /** BEP 6: lets the peer request these pieces while we choke it. */
  allowFast(pieces: readonly number[]): void {
    if (!this.fast) return;
    for (const p of pieces) this.write(msg.encodeAllowedFast(p));
  }

  /** Asks for a block; the answer is accepted only while this request is outstanding. */
  request(index: number, begin: number, length: number): void {
    this.outstanding.add(index, begin, length);
    this.write(msg.encodeRequest(index, begin, length));
  }

  /** Withdraws a request; a late answer will be dropped. */
  cancel(index: number, begin: number, length: number): void {
    if (this.outstanding.settle(index, begin, length)) this.write(msg.encodeCancel(index, begin, length));
  }

  /** Withdraws every outstanding request (a snubbed peer's blocks go to others). */
  cancelAll(): void {
    for (const r of this.outstanding.drain()) this.write(msg.encodeCancel(r.index, r.begin, r.length));
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

  /** Sends our DHT's UDP port (BEP 5 port message). */
  sendPort(port: number): void {
    this.write(msg.encodePort(port));
  }

  /** Both ends announced `feature` in their handshakes. */
  shares(feature: ReservedFeature): boolean {
    return this.remote !== undefined && hasFeature(this.reserved, feature) && hasFeature(this.remote.reserved, feature);
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

  private setTorrent(infoHash: Uint8Array, geometry: PieceShape | undefined): void {
    this.infoHash = infoHash;
    this.geometry = geometry;
    this.early = geometry ? undefined : new EarlyAvailability();
    this.peerPieces = new Bitfield(geometry?.pieceCount ?? 0);
    this.outstanding = new OutstandingRequests(geometry?.pieceLength ?? 0);
    const bitfieldFrame = geometry ? Bitfield.byteLength(geometry.pieceCount) + 1 : METADATA_MODE_FRAME;
    this.framer.maxFrameSize = Math.max(BLOCK_SIZE + 9, MAX_EXTENDED_PAYLOAD + 2, bitfieldFrame);
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
    if (!this.infoHash) throw new WireError('bad-handshake', 'no torrent with this info hash');
    clearTimeout(this.handshakeTimer);
    this.fast = hasFeature(this.reserved, 'fast') && hasFeature(h.reserved, 'fast');
    this.ext.enabled = hasFeature(this.reserved, 'extension') && hasFeature(h.reserved, 'extension');
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
        // Without the fast extension a choke discards every request we had queued there; with it,
        // each one is answered (a reject, or the block for an allowed-fast piece).
        if (!this.fast) this.outstanding.clear();
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
        if (!this.geometry) return this.early?.have(m.index);
        checkIndex(this.geometry, m.index);
        // A have for a piece it already announced (after have all, say) changes nothing.
        if (this.peerPieces.has(m.index)) return;
        this.peerPieces.set(m.index);
        this.emit('have', m.index);
        return;
      case 'bitfield':
        if (this.geometry) this.replacePieces(parseBitfield(this.geometry, m.bytes));
        else this.early?.bitfield(m.bytes);
        return;
      case 'have-all':
      case 'have-none':
        if (!this.fast) return;
        if (this.geometry) this.replacePieces(m.type === 'have-all' ? Bitfield.full(this.geometry.pieceCount) : new Bitfield(this.geometry.pieceCount));
        else if (m.type === 'have-all') this.early?.all();
        else this.early?.none();
        return;
      case 'request':
        if (!this.geometry) this.reject(m.index, m.begin, m.length);
        else this.onRequest('request', m.index, m.begin, m.length);
        return;
      case 'cancel':
        if (this.geometry) this.onRequest('cancel', m.index, m.begin, m.length);
        return;
      case 'piece':
        if (!this.geometry) throw new WireError('bad-message', 'a block before the torrent is known');
        this.onPiece(m.index, m.begin, m.data);
        return;
      case 'reject':
        this.onReject(m.index, m.begin, m.length);
        return;
      case 'allowed-fast':
        if (!this.fast || !this.geometry || m.index >= this.geometry.pieceCount || this.peerAllowedFast.size >= MAX_ALLOWED_FAST) return;
        this.peerAllowedFast.add(m.index);
        this.emit('allowed-fast', m.index);
        return;
      case 'extended':
        this.onExtended(m.extId, m.payload);
        return;
      case 'port':
        this.emit('port', m.port);
        return;
      case 'suggest':
      case 'unknown':
        return;
    }
  }

  private onRequest(type: 'request' | 'cancel', index: number, begin: number, length: number): void {
    checkRange(this.geometry as PieceShape, index, begin, length, MAX_REQUEST_LENGTH);
    this.emit(type, index, begin, length);
  }

  /** A reject of a request we never sent (or already had answered) is ignored. */
  private onReject(index: number, begin: number, length: number): void {
    if (this.fast && this.outstanding.settle(index, begin, length)) this.emit('reject', index, begin, length);
  }

  private onExtended(extId: number, payload: Uint8Array): void {
    const r = this.ext.receive(extId, payload);
    if (r?.kind === 'handshake') this.emit('extended-handshake', r.handshake);
    else if (r) this.emit('extended', r.name, r.payload);
  }

  /**
   * BEP 3 puts the bitfield first, but aria2 sends one later in the connection too, so a bitfield
   * (or have all / have none) is accepted at any time and replaces what we knew (listeners get the
   * previous set).
   */
  private replacePieces(field: Bitfield): void {
    const previous = this.peerPieces;
    this.peerPieces = field;
    this.emit('bitfield', field, previous);
  }

  private onPiece(index: number, begin: number, data: Uint8Array): void {
    checkRange(this.geometry as PieceShape, index, begin, data.length, BLOCK_SIZE);
    if (!this.outstanding.settle(index, begin, data.length)) {
      this.unexpectedBytes += data.length; // cancelled, choked or never asked: drop it
      return;
    }
    this.downloadedBytes += data.length;
    this.emit('piece', index, begin, data);
  }
}
