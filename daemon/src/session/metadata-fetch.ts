/**
 * Fetching a magnet link's metadata (BEP 9): announce to the magnet's trackers, dial its peers and
 * those that PEX and trackers name, ask every peer offering `ut_metadata` for 16 KiB pieces of the
 * info dictionary, check the whole against the info hash, and hand the torrent on. Peers whose
 * pieces do not hash to the info hash are banned.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { parseMetainfo, torrentFromInfo, type Magnet, type Metainfo } from '../metainfo';
import type { TrackerClient } from '../tracker/client/client';
import { Bitfield } from '../util/bitfield';
import type { PeerConnection } from '../wire/connection';
import { decodeMetadataMessage, encodeMetadataMessage, MAX_METADATA_SIZE, MetadataAssembler } from '../wire/ut-metadata';
import { AddressBook, type KnownAddress, type PeerSource } from './address-book';
import { startAnnouncing } from './announcer';
import { Dialer, type WireSetup } from './dialer';
import { ExtensionRegistry, type PeerExtension } from './extensions';
import { Peer } from './peer';
import { PexExchange } from './pex';
import type { LogEntry, PeerSummary, TrackerStatus } from './types';

/** A metadata request unanswered this long may go to another peer. */
export const METADATA_REQUEST_TIMEOUT_MS = 10_000;
/** Metadata requests in flight per peer. */
const REQUESTS_PER_PEER = 2;
/** `left` announced before the size is known: not zero, or trackers would count us as a seed. */
const UNKNOWN_LEFT = 16 * 1024;

/** What a fetch needs from its session. */
export interface FetchContext {
  peerId: Uint8Array;
  port(): number;
  announceIp(): string | undefined;
  maxConnections(): number;
  globalRoom(): boolean;
  mayDial(ip: string): boolean;
  connect(ip: string, port: number, onData: (chunk: Uint8Array) => void): Duplex;
  log(level: LogEntry['level'], message: string): void;
  /** Session-wide connection setup, if any. */
  wire?: WireSetup;
}

/** The outcome: the .torrent built around the fetched info dictionary, and the peers known so far. */
export interface FetchedTorrent {
  bytes: Uint8Array;
  metainfo: Metainfo;
  /** Every address the fetch knew of. */
  peers: KnownAddress[];
  /** The connections still open, with no listeners left: the torrent takes them over. */
  connections: HandedOver[];
}

/** A live connection passed from the metadata fetch to its torrent. */
export interface HandedOver {
  conn: PeerConnection;
  ip: string;
  port: number;
  source: PeerSource;
}

/** Typed events: 'status' when the counts change; 'fetched' or 'failed' once. */
export interface MetadataFetchEvents {
  status: [];
  fetched: [t: FetchedTorrent];
  failed: [message: string];
  peer: [kind: 'added' | 'removed', peer: Peer];
}

/** One magnet's metadata fetch; start() it, stop() it, or wait for 'fetched'. */
export class MetadataFetch extends EventEmitter<MetadataFetchEvents> {
  private readonly book = new AddressBook();
  private readonly dialer: Dialer;
  private readonly peersByKey = new Map<string, Peer>();
  private readonly registry: ExtensionRegistry;
  /** Per peer: metadata piece → when we asked for it. */
  private readonly asked = new Map<Peer, Map<number, number>>();
  /** Peers that rejected a request: not asked again. */
  private readonly refused = new WeakSet<Peer>();
  private assembler: MetadataAssembler | undefined;
  private tracker: TrackerClient | undefined;
  private running = false;

  constructor(
    readonly magnet: Magnet,
    private readonly ctx: FetchContext,
  ) {
    super();
    this.dialer = new Dialer(this.book, { peerId: ctx.peerId, infoHash: magnet.infoHash, geometry: undefined, globalRoom: () => ctx.globalRoom(), connect: (ip, port, onData) => ctx.connect(ip, port, onData), ...(ctx.wire ? { wire: ctx.wire } : {}) });
    const client: PeerExtension = { name: 'ut_metadata', peerReady: (p) => this.peerReady(p), message: (p, payload) => this.onMessage(p, payload) };
    this.registry = new ExtensionRegistry([client, new PexExchange((ip, port) => this.learn(ip, port, 'pex'))], () => ctx.port());
    for (const p of magnet.peers) this.book.add(p.ip, p.port, true, 'magnet');
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.peersByKey.size + this.dialer.pending;
  }

  /** Connected peers that offer the metadata. */
  get metadataPeers(): number {
    let n = 0;
    for (const p of this.peersByKey.values()) if (this.offers(p)) n++;
    return n;
  }

  /** Snapshots of the live connections. */
  peers(): PeerSummary[] {
    return [...this.peersByKey.values()].map((p) => p.summary());
  }

  /** Snapshots of the trackers. */
  trackers(): TrackerStatus[] {
    return this.tracker?.status() ?? this.magnet.trackers.map((url, tier) => ({ url, tier }));
  }

  /** Starts announcing and dialling; idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const ip = this.ctx.announceIp();
    this.book.wake();
    this.tracker = startAnnouncing({
      announceList: this.magnet.trackers.map((t) => [t]),
      infoHash: this.magnet.infoHash,
      peerId: this.ctx.peerId,
      port: this.ctx.port(),
      ...(ip ? { ip } : {}),
      getStats: () => ({ uploaded: 0, downloaded: 0, left: this.assembler?.size ?? UNKNOWN_LEFT }),
      peers: (list) => {
        for (const p of list) this.learn(p.ip, p.port, 'tracker');
      },
      log: (level, message) => this.ctx.log(level, message),
    });
    this.dialMore();
  }

  /** Closes every connection and stops announcing (a paused or removed magnet, or the metadata came). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const tracker = this.tracker;
    this.tracker = undefined;
    for (const p of [...this.peersByKey.values()]) p.conn.destroy();
    if (tracker) await tracker.stop().catch(() => undefined);
  }

  /** Dials a peer named by the user. */
  addPeer(ip: string, port: number): void {
    this.book.add(ip, port, true, 'manual');
    this.dialMore();
  }

  /** Takes an incoming connection for this info hash; false if refused. */
  acceptIncoming(conn: PeerConnection, ip: string, port: number): boolean {
    if (!this.running || this.connectionCount >= this.ctx.maxConnections()) return false;
    conn.accept(this.magnet.infoHash, undefined);
    conn.once('ready', () => this.attach(conn, ip, port));
    return true;
  }

  /** Once a second: requests that timed out go to other peers, and more dials. */
  tick(now: number): void {
    if (!this.running) return;
    for (const pieces of this.asked.values()) {
      for (const [piece, at] of pieces) if (now - at > METADATA_REQUEST_TIMEOUT_MS) pieces.delete(piece);
    }
    this.registry.tick(now, this.peersByKey);
    this.askAll();
    this.dialMore();
  }

  /** Learns addresses found elsewhere (the DHT). */
  learnPeers(peers: readonly { ip: string; port: number; source: PeerSource }[]): void {
    for (const p of peers) this.learn(p.ip, p.port, p.source);
  }

  private learn(ip: string, port: number, source: PeerSource): void {
    if (!this.ctx.mayDial(ip)) return;
    if (this.book.add(ip, port, false, source)) this.dialMore();
  }

  private dialMore(): void {
    if (!this.running) return;
    this.dialer.dialMore(this.peersByKey.keys(), this.ctx.maxConnections() - this.connectionCount, (conn, ip, port) => this.attach(conn, ip, port, this.book.sourceOf(ip, port)));
  }

  private attach(conn: PeerConnection, ip: string, port: number, source?: PeerSource): void {
    const peer = new Peer(conn, ip, port, Date.now(), source);
    if (!this.running || this.peersByKey.has(peer.key) || Buffer.from(conn.remote?.peerId ?? []).equals(this.ctx.peerId)) {
      conn.destroy();
      return;
    }
    this.peersByKey.set(peer.key, peer);
    conn.announcePieces(new Bitfield(0));
    this.registry.attach(peer);
    conn.once('close', () => {
      this.peersByKey.delete(peer.key);
      this.asked.delete(peer);
      this.registry.detach(peer);
      this.emit('peer', 'removed', peer);
      this.emit('status');
      this.askAll();
      this.dialMore();
    });
    this.emit('peer', 'added', peer);
    this.emit('status');
  }

  /** The peer offers metadata of the size we are assembling (or of any valid size before we start). */
  private offers(peer: Peer): boolean {
    const size = peer.conn.ext.peer?.metadataSize;
    if (!peer.conn.ext.supports('ut_metadata') || size === undefined || size <= 0 || size > MAX_METADATA_SIZE) return false;
    return !this.refused.has(peer) && (this.assembler === undefined || this.assembler.size === size);
  }

  private peerReady(peer: Peer): void {
    const size = peer.conn.ext.peer?.metadataSize;
    // A listening port in the extended handshake lets us dial an incoming peer again later.
    const p = peer.conn.ext.peer?.p;
    if (peer.conn.direction === 'incoming' && p !== undefined) this.book.add(peer.ip, p, false, 'incoming');
    if (size !== undefined && size > MAX_METADATA_SIZE) this.ctx.log('debug', `${peer.key} offers metadata of ${size} bytes, over the ${MAX_METADATA_SIZE}-byte limit; ignored`);
    this.emit('status');
    if (!this.offers(peer)) return;
    this.assembler ??= new MetadataAssembler(this.magnet.infoHash, size as number);
    this.ask(peer);
  }

  private onMessage(peer: Peer, payload: Uint8Array): void {
    const m = decodeMetadataMessage(payload);
    const mine = this.asked.get(peer);
    if (m.msgType === 'request') {
      peer.conn.ext.send('ut_metadata', encodeMetadataMessage({ msgType: 'reject', piece: m.piece })); // nothing to serve yet
      return;
    }
    if (!mine?.delete(m.piece)) return; // not asked of this peer (or timed out): ignore
    if (m.msgType === 'reject') {
      this.refused.add(peer);
      this.askAll();
      return;
    }
    const assembler = this.assembler;
    if (!assembler || m.totalSize !== assembler.size) return;
    const verdict = assembler.add(m.piece, m.data, peer.key);
    if (verdict === 'complete') this.finish(assembler.bytes);
    else if (verdict === 'mismatch') this.mismatch(assembler);
    else this.ask(peer);
    this.emit('status');
  }

  /** Pieces received so far and the piece count, once a size is known. */
  get progress(): { received: number; pieces: number } {
    const a = this.assembler;
    return a ? { received: a.receivedCount, pieces: a.pieceCount } : { received: 0, pieces: 0 };
  }

  private ask(peer: Peer): void {
    const assembler = this.assembler;
    if (!assembler || !this.running || !this.offers(peer)) return;
    let mine = this.asked.get(peer);
    if (!mine) this.asked.set(peer, (mine = new Map()));
    while (mine.size < REQUESTS_PER_PEER) {
      const inFlight = new Set<number>();
      for (const pieces of this.asked.values()) for (const piece of pieces.keys()) inFlight.add(piece);
      // Once every missing piece is asked of someone, ask this peer too (not twice for the same piece).
      const piece = assembler.nextMissing(inFlight) ?? assembler.nextMissing(new Set(mine.keys()));
      if (piece === undefined) return;
      mine.set(piece, Date.now());
      peer.conn.ext.send('ut_metadata', encodeMetadataMessage({ msgType: 'request', piece }));
    }
  }

  private askAll(): void {
    for (const p of this.peersByKey.values()) this.ask(p);
  }

  /** The pieces did not hash to the info hash: ban whoever sent them and start over. */
  private mismatch(assembler: MetadataAssembler): void {
    const sources = new Set(assembler.sources());
    this.ctx.log('warn', `metadata from ${[...sources].join(', ')} does not match the info hash; banned`);
    for (const p of [...this.peersByKey.values()]) {
      if (!sources.has(p.key)) continue;
      this.book.ban(p.ip, p.port);
      p.conn.destroy();
    }
    this.assembler = undefined;
    this.asked.clear();
    for (const p of this.peersByKey.values()) this.peerReady(p);
  }

  private finish(info: Uint8Array): void {
    let metainfo: Metainfo;
    const bytes = torrentFromInfo(info, this.magnet.trackers);
    try {
      metainfo = parseMetainfo(bytes);
    } catch (err) {
      // It hashes to the info hash, so every peer would send the same: nothing more can be done.
      void this.stop();
      this.emit('failed', `the metadata of ${this.magnet.infoHashHex} is not a valid torrent: ${(err as Error).message}`);
      return;
    }
    const peers = this.book.known();
    const connections = this.handOver();
    void this.stop();
    this.emit('fetched', { bytes, metainfo, peers, connections });
  }

  /** Lets go of every open connection (our listeners removed), for the torrent to take over. */
  private handOver(): HandedOver[] {
    const out: HandedOver[] = [];
    for (const p of this.peersByKey.values()) {
      this.registry.detach(p);
      p.conn.removeAllListeners();
      if (!p.conn.closed) out.push({ conn: p.conn, ip: p.ip, port: p.port, source: p.source });
    }
    this.peersByKey.clear();
    this.asked.clear();
    return out;
  }
}
