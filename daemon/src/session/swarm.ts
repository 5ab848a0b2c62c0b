import type { Picker } from '../picker';
import type { Storage } from '../storage/types';
import type { Metainfo } from '../metainfo/types';
import type { PeerConnection } from '../wire/connection';
import { BLOCK_SIZE, pieceSizeOf } from '../util/geometry';
import { RateMeter } from '../util/rate';
import type { Throttle } from '../util/throttle';
import { allowedFastSet } from '../wire/fast';
import { ALLOWED_FAST_COUNT, Peer } from './peer';
import type { PeerSource } from './address-book';
import { leastUseful, trafficOf } from './eviction';
import type { ExtensionRegistry } from './extensions';
import type { Penalties } from './penalties';
import { BlockIntake, type HeldBudget } from './intake';
import type { ReadCache } from './read-cache';
import { cancelUpload, pumpUploads, queueUpload, type UploadContext } from './uploader';
import { askerSlot, fillFreeSlots, handOverUnusedUnchokes, runChokeRound, takeBackUnusedUnchoke, unchokeIfFree, UNUSED_UNCHOKE_MS } from './choking';
import { DEFAULT_UNCHOKE_SLOTS } from '../choke';
import { DownloadGate, pickRequests } from './requests';
import { answersCancel, yieldToDeadlines } from './deadline-yield';
import { keepsNewConnection } from './admission';

export { UNUSED_UNCHOKE_MS };

/** A request unanswered this long makes the peer snubbed: its blocks go to others. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** What a swarm needs from its torrent. */
export interface SwarmContext {
  metainfo: Metainfo;
  peerId: Uint8Array;
  storage: Storage;
  picker: Picker;
  /** Whole-piece reads for uploads, shared by the session's torrents. */
  readCache: ReadCache;
  /** Outlives the swarm, so bans hold across pause and resume. */
  penalties: Penalties;
  uploadThrottle: Throttle;
  downloadThrottle: Throttle;
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string): void;
  /** A piece passed its hash check and is counted as have. */
  pieceVerified(piece: number): void;
  /** The disk failed; the torrent goes to its error state. */
  storageFailed(err: unknown): void;
  peerChanged(kind: 'added' | 'removed', peer: Peer): void;
  /** A peer was banned for corrupt data; never dial its address again. */
  banned(peer: Peer): void;
  /** We closed a connection because both ends are seeds; do not redial it soon. */
  useless(peer: Peer): void;
  /** Bytes of pieces in progress held in memory (default: `defaultHeldBytes` of the piece length). */
  maxHeldBytes?: number;
  /** The session's bound on held bytes over all its swarms (default: none). */
  heldBudget?: HeldBudget;
  /** Wire extensions offered on every connection (default: none). */
  extensions?: ExtensionRegistry;
}

/** The live connections of one torrent: requests, uploads, verification, choking. */
export class Swarm {
  readonly peers = new Map<string, Peer>();
  /** Peers attached so far, by how we came to know them. */
  readonly peersMet: Partial<Record<PeerSource, number>> = {};
  readonly downloadRate = new RateMeter();
  readonly uploadRate = new RateMeter();
  downloaded = 0;
  /** Of `downloaded`, the bytes sent by peers that had every piece (the rest came from other downloaders). */
  downloadedFromSeeds = 0;
  uploaded = 0;
  /** Block bytes that arrived but were not needed (endgame duplicates, late answers to cancels). */
  private wasted = 0;
  private readonly byPeerId = new Map<string, Peer>();
  private readonly intake: BlockIntake;
  private readonly gate: DownloadGate;
  private optimistic: string | undefined;
  /** Regular unchoke slots, as the last choke round was given. */
  private slots = DEFAULT_UNCHOKE_SLOTS;
  private stopped = false;
  private readonly uploads: UploadContext;

  constructor(private readonly ctx: SwarmContext) {
    const owner = { storage: ctx.storage, id: ctx.metainfo.infoHashHex };
    this.gate = new DownloadGate(ctx.downloadThrottle, () => this.fillAll());
    const m = ctx.metainfo;
    this.uploads = {
      read: (index, begin, length) =>
        ctx.readCache.read(owner, index, pieceSizeOf(m, index), begin, length),
      have: ctx.picker.have,
      throttle: ctx.uploadThrottle,
      uploaded: (peer, bytes) => {
        peer.uploadRate.add(bytes);
        this.uploadRate.add(bytes);
        this.uploaded += bytes;
      },
      readFailed: (err) => this.storageError(err),
    };
    this.intake = new BlockIntake(
      {
        metainfo: m,
        storage: ctx.storage,
        picker: ctx.picker,
        verified: (piece) => this.onVerified(piece),
        corrupt: (piece) => this.onCorrupt(piece),
        abandoned: (piece) => ctx.penalties.passed(piece),
        storageFailed: (err) => this.storageError(err),
        backlogFreed: () => this.fillAll(),
      },
      ctx.maxHeldBytes,
      ctx.heldBudget,
    );
  }

  get complete(): boolean {
    return this.ctx.picker.missingPieces === 0;
  }

  /** Bytes received that were not needed, closed connections included. */
  get duplicateBytes(): number {
    let n = this.wasted;
    for (const p of this.peers.values()) n += p.conn.unexpectedBytes;
    return n;
  }

  /** Peers that have every piece. */
  get seeds(): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.conn.peerPieces.complete) n++;
    return n;
  }

  /**
   * Closes the least useful connection (see eviction.ts) among those `eligible` allows, to make room
   * (for a connected `newcomer`, also one that never did anything useful); false if none may go.
   */
  makeRoom(now: number, eligible?: (p: Peer) => boolean, newcomer = false): boolean {
    const p = leastUseful(this.peers.values(), now, eligible, newcomer);
    if (!p) return false;
    this.ctx.log('debug', `${p.key} closed to make room: ${p.traffic.recent(trafficOf(p))} bytes in the last minute`);
    p.conn.destroy();
    return true;
  }

  /** Connections from one address. */
  connectionsFrom(ip: string): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.ip === ip) n++;
    return n;
  }

  /** Connections the peers opened. */
  get incomingCount(): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.conn.direction === 'incoming') n++;
    return n;
  }

  /** Takes over a connection whose handshakes are done; returns false if it was refused. */
  attach(conn: PeerConnection, ip: string, port: number, source?: PeerSource): boolean {
    const remoteId = Buffer.from(conn.remote?.peerId ?? []);
    if (this.stopped || conn.closed || remoteId.equals(this.ctx.peerId)) {
      conn.destroy();
      return false;
    }
    const peer = new Peer(conn, ip, port, Date.now(), source);
    if (this.ctx.penalties.isBanned(peer.identity) || !this.resolveDuplicate(peer)) {
      conn.destroy();
      return false;
    }
    this.peers.set(peer.key, peer);
    this.byPeerId.set(peer.peerIdHex, peer);
    this.listen(peer);
    conn.announcePieces(this.ctx.picker.have);
    if (conn.fast) {
      peer.allowedFast = new Set(allowedFastSet(this.ctx.metainfo.infoHash, ip, this.ctx.metainfo.pieceCount, ALLOWED_FAST_COUNT).filter((i) => this.ctx.picker.have.has(i)));
      conn.allowFast([...peer.allowedFast]);
    }
    this.ctx.extensions?.attach(peer);
    // A connection taken over from a metadata fetch already knows what the peer has and wants.
    if (conn.peerPieces.count > 0) {
      this.ctx.picker.addPeer(conn.peerPieces);
      this.updateInterest(peer);
    }
    if (conn.peerInterested) unchokeIfFree(peer, this.peers.values(), this.slots);
    this.peersMet[peer.source] = (this.peersMet[peer.source] ?? 0) + 1;
    this.ctx.peerChanged('added', peer);
    return true;
  }

  /**
   * Closes every connection and stops all work; resolves once the pieces being checked or written
   * are done (their verdicts reach the picker and `pieceVerified` first), so nothing lands later.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.gate.stop();
    this.ctx.readCache.forget({ id: this.ctx.metainfo.infoHashHex });
    this.intake.stop();
    for (const p of [...this.peers.values()]) p.conn.destroy();
    return this.intake.idle();
  }

  /** Once a second: pipeline sizes, snubbing, stalled requests. */
  tick(now: number): void {
    for (const peer of this.peers.values()) {
      const c = peer.conn;
      peer.traffic.sample(now, trafficOf(peer));
      if (takeBackUnusedUnchoke(peer, now)) this.ctx.log('debug', `${peer.key} choked: no request in ${UNUSED_UNCHOKE_MS / 1000} s of unchoke`);
      if (c.outstandingRequests > 0 && now - peer.lastBlockAt > REQUEST_TIMEOUT_MS && !peer.snubbed) {
        peer.snubbed = true;
        c.cancelAll();
        this.ctx.picker.releasePeer(peer.key);
        this.ctx.log('debug', `${peer.key} snubbed: no block for ${REQUEST_TIMEOUT_MS / 1000} s`);
      }
      peer.adjustPipeline(BLOCK_SIZE);
    }
    for (const [from, to] of handOverUnusedUnchokes([...this.peers.values()], now)) this.ctx.log('debug', `${from.key} choked: its unchoke went unused while ${to.key} waits`);
    this.ctx.extensions?.tick(now, this.peers);
    this.fillAll();
  }

  /** Every 10 s (and every 30 s with a new optimistic peer): who we upload to. */
  choke(rotateOptimistic: boolean, slots: number): void {
    this.slots = slots;
    this.optimistic = runChokeRound([...this.peers.values()], {
      seeding: this.complete,
      slots,
      optimistic: this.optimistic,
      rotate: rotateOptimistic,
      now: Date.now(),
    });
  }

  /** The torrent completed: drop peers that are seeds too, stop asking the rest. */
  onComplete(): void {
    for (const p of [...this.peers.values()]) {
      if (p.conn.peerPieces.complete) this.dropSeed(p);
      else p.conn.notInterested();
    }
  }

  /** Which pieces are wanted changed: interest and requests of every connection follow. */
  wantsChanged(): void {
    for (const p of this.peers.values()) this.updateInterest(p);
  }

  /** Keeps requests flowing on every connection; while a reader waits, see deadline-yield.ts. */
  fillAll(): void {
    const peers = this.ctx.picker.deadlineCount > 0 ? yieldToDeadlines(this.peers.values(), this.ctx.picker, Date.now()) : this.peers.values();
    for (const p of peers) this.fill(p);
  }

  private dropSeed(peer: Peer): void {
    this.ctx.useless(peer);
    peer.conn.destroy();
  }

  /** A second connection to the same peer id: one of the two is closed (see admission.ts); false if it is this one. */
  private resolveDuplicate(peer: Peer): boolean {
    const other = this.byPeerId.get(peer.peerIdHex);
    if (!other || other.conn.closed) return true;
    if (!keepsNewConnection(peer, other, Buffer.from(this.ctx.peerId).toString('hex'))) return false;
    other.conn.destroy();
    return true;
  }

  private listen(peer: Peer): void {
    const c = peer.conn;
    const picker = this.ctx.picker;
    c.on('bitfield', (field, previous) => {
      if (field.count > 0) peer.lastUsefulAt = Date.now();
      picker.removePeer(previous);
      picker.addPeer(field);
      if (this.complete && field.complete) this.dropSeed(peer);
      else this.updateInterest(peer);
    });
    c.on('have', (index) => {
      peer.lastUsefulAt = Date.now();
      picker.peerHave(index);
      if (!c.amInterested && !picker.have.has(index)) this.updateInterest(peer);
      if (this.complete && c.peerPieces.complete) this.dropSeed(peer);
    });
    c.on('choke', () => {
      picker.releasePeer(peer.key);
      this.fillAll();
    });
    c.on('unchoke', () => {
      peer.lastBlockAt = Date.now();
      this.fill(peer);
    });
    c.on('reject', (index, begin, length) => {
      picker.releaseBlock({ piece: index, offset: begin, length }, peer.key);
      // A reject while it unchokes us: do not ask it for that piece again, or the same block could
      // bounce between us and this peer while honest peers never get to ask for it.
      if (!c.peerChoking && !answersCancel(peer, index, begin)) peer.rejectedPieces.add(index);
      this.fillAll();
    });
    c.on('allowed-fast', () => this.fill(peer));
    c.on('interested', () => unchokeIfFree(peer, this.peers.values(), this.slots));
    c.on('not-interested', () => !c.amChoking && this.slotFreed());
    c.on('request', (index, begin, length) => {
      peer.lastRequestAt = Date.now();
      peer.lastUsefulAt = peer.lastRequestAt;
      peer.unusedUnchoke = false;
      const choked = c.amChoking;
      queueUpload(this.uploads, peer, index, begin, length);
      // Asked while choked (its allowed-fast pieces): it wants data, so it may have an unused slot.
      if (choked && c.peerInterested) this.unchokeAsker(peer);
    });
    c.on('cancel', (index, begin, length) => cancelUpload(peer, index, begin, length));
    c.on('piece', (index, begin, data) => this.onBlock(peer, index, begin, data));
    c.on('drain', () => pumpUploads(this.uploads, peer));
    c.on('close', (reason) => this.detach(peer, reason));
  }

  private detach(peer: Peer, reason: Error | undefined): void {
    if (this.peers.get(peer.key) !== peer) return;
    this.peers.delete(peer.key);
    if (this.byPeerId.get(peer.peerIdHex) === peer) this.byPeerId.delete(peer.peerIdHex);
    this.ctx.picker.releasePeer(peer.key);
    this.ctx.picker.removePeer(peer.conn.peerPieces);
    this.ctx.extensions?.detach(peer);
    this.wasted += peer.conn.unexpectedBytes;
    if (this.optimistic === peer.key) this.optimistic = undefined;
    this.ctx.log('debug', `${peer.key} closed${reason ? `: ${reason.message}` : ''}`);
    this.ctx.peerChanged('removed', peer);
    if (!this.stopped) this.fillAll();
    if (!peer.conn.amChoking && peer.conn.peerInterested) this.slotFreed();
  }

  /** A choked peer asks for data: it gets a free slot, one left unused, or an extra one (see askerSlot). */
  private unchokeAsker(peer: Peer): void {
    const slot = askerSlot([...this.peers.values()], Date.now(), this.slots);
    if (slot === null) return;
    if (typeof slot === 'object') this.ctx.log('debug', `${slot.key} choked: its unchoke went unused while ${peer.key} asks for data`);
    peer.conn.unchoke();
  }

  /** An unchoked peer that wanted data left or stopped wanting it: see fillFreeSlots. */
  private slotFreed(): void {
    if (this.stopped) return;
    const n = fillFreeSlots([...this.peers.values()], { seeding: this.complete, slots: this.slots, optimistic: this.optimistic, now: Date.now() });
    if (n > 0) this.ctx.log('debug', `unchoked ${n} waiting peer${n === 1 ? '' : 's'} in a freed slot`);
  }

  private updateInterest(peer: Peer): void {
    if (this.ctx.picker.isInteresting(peer.conn.peerPieces)) {
      peer.conn.interested();
      this.fill(peer);
    } else {
      peer.conn.notInterested();
    }
  }

  /** Tops up the requests of one connection; the memory budget never leaves it without work (see requests.ts). */
  private fill(peer: Peer): void {
    const c = peer.conn;
    if (this.stopped || c.closed || !c.amInterested || this.intake.backlogFull) return;
    if (c.peerChoking && c.peerAllowedFast.size === 0) return;
    const depth = Math.min(peer.pipeline, peer.maxPipeline);
    let want = depth - c.outstandingRequests;
    if (want <= 0 || want < Math.min(8, depth >> 2)) return;
    want = this.gate.take(want);
    if (want === 0) return;
    const picker = this.ctx.picker;
    const picked = pickRequests(picker, peer, want, this.intake.pieceCapacity, Date.now());
    if (picked.length > 0 && c.outstandingRequests === 0) peer.lastBlockAt = Date.now();
    for (const r of picked) c.request(r.piece, r.offset, r.length);
    if (c.outstandingRequests === 0 && !picker.isInteresting(c.peerPieces)) c.notInterested();
  }

  private onBlock(peer: Peer, index: number, begin: number, data: Uint8Array): void {
    const picker = this.ctx.picker;
    answersCancel(peer, index, begin);
    const receipt = picker.blockReceived({ piece: index, offset: begin, length: data.length }, peer.key);
    peer.lastBlockAt = Date.now();
    peer.lastUsefulAt = peer.lastBlockAt;
    peer.snubbed = false;
    // Slow start: grow the pipeline per delivered block; the tick then sizes it to the measured rate.
    if (peer.pipeline < peer.maxPipeline) peer.pipeline++;
    peer.downloadRate.add(data.length);
    this.downloadRate.add(data.length);
    this.downloaded += data.length;
    if (peer.conn.peerPieces.complete) this.downloadedFromSeeds += data.length;
    for (const c of receipt.cancel) this.peers.get(c.peerKey)?.conn.cancel(c.req.piece, c.req.offset, c.req.length);
    if (receipt.accepted) {
      this.ctx.penalties.contributed(index, peer.identity);
      this.intake.add(index, begin, data, receipt.pieceComplete);
    } else {
      this.wasted += data.length;
    }
    this.fill(peer);
  }

  private onVerified(index: number): void {
    this.ctx.penalties.passed(index);
    for (const p of this.peers.values()) if (!p.conn.peerPieces.has(index)) p.conn.have(index);
    this.ctx.pieceVerified(index);
    if (this.complete) return;
    for (const p of this.peers.values()) if (p.conn.amInterested) this.updateInterest(p);
  }

  private onCorrupt(index: number): void {
    this.ctx.log('warn', `piece ${index} failed its hash check; downloading it again`);
    for (const id of this.ctx.penalties.failed(index)) {
      for (const p of [...this.peers.values()]) {
        if (p.identity !== id) continue;
        this.ctx.log('warn', `banned ${p.key} (${p.summary().client}): sent corrupt data`);
        this.ctx.banned(p);
        p.conn.destroy();
      }
    }
    this.fillAll();
  }

  private storageError(err: unknown): void {
    if (this.stopped) return;
    this.ctx.storageFailed(err);
  }
}
