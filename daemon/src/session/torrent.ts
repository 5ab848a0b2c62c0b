import { EventEmitter } from 'node:events';
import { Picker, type FilePriority } from '../picker';
import { pieceMap, type PieceMap } from '../picker/piece-map';
import type { TrackerClient } from '../tracker/client/client';
import type { PeerConnection, PieceShape } from '../wire/connection';
import type { PeerSource } from './address-book';
import type { HandedOver } from './metadata-fetch';
import { startAnnouncing } from './announcer';
import { ExtensionRegistry } from './extensions';
import { TorrentPeers } from './torrent-peers';
import type { TorrentData } from './data';
import { FileControl } from './files';
import { summarize } from './torrent-summary';
import { figuresMoved, swarmIdle, type MovingFigures } from './progress-figures';
import type { TorrentContext } from './torrent-context';
import type { Peer } from './peer';
import { Penalties } from './penalties';
import { Swarm } from './swarm';
import { StreamDeadlines } from './stream-deadlines';
import type { LogEntry, Metainfo, PeerChange, PeerSummary, TorrentFileReport, TorrentState, TorrentSummary, TrackerStatus } from './types';

/** How long a seed we dropped while seeding is not redialled (wake() on resume lifts it). */
const SEED_PARK_MS = 10 * 60_000;
export { INCOMING_SHARE, MAX_CONNECTIONS_PER_IP } from './admission';
/** Regular unchoke slots per torrent (plus one optimistic). */
const UNCHOKE_SLOTS = 4;

export type { TorrentContext } from './torrent-context';

/** One swarm: wires picker, storage, connections and tracker announces. Events: see session/index.ts, and 'piece'(index) once a piece is verified. */
export class Torrent extends EventEmitter {
  readonly infoHashHex: string;
  /** Readers of the data (streaming) and the piece deadlines they set. */
  readonly readers: StreamDeadlines;
  readonly addedAt = Date.now();
  private state: TorrentState = 'checking';
  /** Pieces checked so far while a check runs, else undefined; a pause or resume meanwhile only sets `pauseAfterCheck`. */
  private checkedPieces: number | undefined;
  /** When the running check ends: stay paused rather than download or seed. */
  private pauseAfterCheck = false;
  private error: string | undefined;
  private picker: Picker;
  private swarm: Swarm | undefined;
  private tracker: TrackerClient | undefined;
  private readonly penalties = new Penalties();
  private readonly connections: TorrentPeers;
  private readonly geometry: PieceShape;
  private downloadedBefore = 0;
  private uploadedBefore = 0;
  private duplicateBefore = 0;
  private ticks = 0;
  /** The figures of the last 'progress' a tick emitted (undefined: none yet since the swarm started). */
  private tickFigures: MovingFigures | undefined;
  private closed = false;
  private readonly fileControl: FileControl;
  private completeAnnounced = false;

  constructor(
    readonly metainfo: Metainfo,
    readonly savePath: string,
    private readonly data: TorrentData,
    private readonly ctx: TorrentContext,
  ) {
    super();
    this.infoHashHex = metainfo.infoHashHex;
    this.geometry = { pieceCount: metainfo.pieceCount, pieceLength: metainfo.pieceLength, totalLength: metainfo.totalLength };
    this.picker = new Picker(metainfo);
    this.fileControl = new FileControl(metainfo, data);
    this.readers = new StreamDeadlines(metainfo, (deadlines) => {
      this.picker.setDeadlines(deadlines);
      this.swarm?.fillAll();
    });
    this.connections = new TorrentPeers(metainfo, this.geometry, ctx, () => (this.closed ? undefined : this.swarm));
  }

  /** Checks existing data, then downloads, seeds, or stays paused. */
  async start(opts: { paused?: boolean; verify?: 'fast' | 'full' }): Promise<void> {
    this.pauseAfterCheck = opts.paused ?? false;
    await this.checkThenRun(opts.verify ?? 'fast');
  }

  /** A check runs. */
  private get checking(): boolean {
    return this.checkedPieces !== undefined;
  }

  /** The verified pieces (for reading). */
  get verifiedPieces(): { has(piece: number): boolean } {
    return this.picker.have;
  }

  get complete(): boolean {
    return this.picker.missingPieces === 0;
  }

  /** Live connections (half-open dials included). */
  get connectionCount(): number {
    return this.connections.connectionCount;
  }

  /** Reads stored bytes of a piece; only pieces in `verifiedPieces` hold data to trust. */
  read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    return this.data.storage.read(piece, offset, length);
  }

  /** A snapshot for display. */
  summary(): TorrentSummary {
    const { metainfo: m, state, picker, complete, downloaded, uploaded, savePath, addedAt, error, checkedPieces } = this;
    const wanted = this.fileControl.figures(picker.have);
    return summarize({ m, state, have: picker.have, complete, wanted, sequential: this.fileControl.sequential, downloaded, uploaded, savePath, addedAt, error, checkedPieces }, this.swarm, this.duplicateBefore);
  }

  /** Each file with its priority and progress. */
  files(): TorrentFileReport[] {
    return this.fileControl.reports(this.picker.have);
  }

  /** Changes the priority of some files (saved); SessionError('invalid') for a bad index, and nothing changes. */
  async setFilePriorities(changes: readonly { index: number; priority: FilePriority }[]): Promise<void> {
    await this.fileControl.setPriorities(changes);
    this.wantsChanged();
  }

  /** Pieces in order (true) or rarest first (saved). */
  async setSequential(on: boolean): Promise<void> {
    await this.fileControl.setSequential(on, this.picker);
    this.emit('progress');
  }

  /** Have, under way and availability of every piece. */
  pieceMap(): PieceMap {
    return pieceMap(this.picker);
  }

  /** Snapshots of live connections. */
  peers(): PeerSummary[] {
    return this.swarm ? [...this.swarm.peers.values()].map((p) => p.summary()) : [];
  }

  /** Snapshots of the trackers. */
  trackers(): TrackerStatus[] {
    return this.tracker ? this.tracker.status() : this.metainfo.announceList.flatMap((urls, tier) => urls.map((url) => ({ url, tier })));
  }

  /** Stops transfers and announces 'stopped'; keeps the data. */
  async pause(): Promise<void> {
    if (this.state === 'paused' || this.closed) return;
    if (this.checking) {
      this.pauseAfterCheck = true;
      return;
    }
    await this.deactivate();
    this.setState('paused');
  }

  /** Restarts a paused (or failed) torrent. */
  async resume(): Promise<void> {
    if (this.closed) return;
    if (this.checking) {
      this.pauseAfterCheck = false;
      return;
    }
    if (this.state === 'error') {
      this.error = undefined;
      this.pauseAfterCheck = false;
      await this.checkThenRun('full');
    } else if (this.state !== 'downloading' && this.state !== 'seeding') this.activate();
  }

  /** Re-hashes all data; transfers pause meanwhile and restart after unless paused before. */
  async verify(): Promise<void> {
    if (this.closed || this.checking) return;
    this.checkedPieces = 0; // before the first await: a second verify, a pause or a resume meanwhile see it
    this.pauseAfterCheck = this.state === 'paused';
    this.error = undefined;
    this.setState('checking');
    await this.deactivate().catch((err: unknown) => {
      this.checkedPieces = undefined;
      throw err;
    });
    await this.checkThenRun('full');
  }

  /** Dials a known peer directly. */
  addPeer(ip: string, port: number): void {
    this.connections.addPeer(ip, port);
  }

  /**
   * Takes over the connections that fetched this torrent's metadata: they join the swarm as soon as
   * it runs (after the check of existing data), so nobody has to dial them again.
   */
  adopt(connections: readonly HandedOver[]): void {
    this.connections.adopt(connections);
  }

  /** Learns addresses to dial when due (e.g. those a magnet's metadata came from). */
  learnPeers(peers: readonly { ip: string; port: number; source?: PeerSource }[]): void {
    this.connections.learnPeers(peers);
  }

  /** Takes an incoming connection for this torrent, from its 'handshake' event; false if refused. */
  acceptIncoming(conn: PeerConnection, ip: string, port: number): boolean {
    if (this.closed) return false;
    return this.connections.acceptIncoming(conn, ip, port);
  }

  /** Once a second from the session: rates, timeouts, choking, dialling, progress. False: idle until `ctx.wake`. */
  tick(now: number): boolean {
    if (!this.swarm) return false;
    this.ticks++;
    if (swarmIdle({ connections: this.swarm.peers.size, pendingDials: this.connections.dialer.pending, knownAddresses: this.connections.book.size, lastFigures: this.tickFigures })) return false;
    this.swarm.tick(now);
    if (this.ticks % 10 === 0) this.swarm.choke(this.ticks % 30 === 0, UNCHOKE_SLOTS);
    if (!this.complete) this.connections.makeRoomIfDue(now);
    this.connections.dialMore();
    const figures = this.movingFigures(this.swarm);
    if (figuresMoved(this.tickFigures, figures)) {
      this.tickFigures = figures;
      this.emit('progress');
    }
    for (const p of this.swarm.peers.values()) this.emitPeer('updated', p);
    return true;
  }

  private movingFigures(swarm: Swarm): MovingFigures {
    const { downloaded, uploaded } = this;
    return { downloaded, uploaded, downloadRate: swarm.downloadRate.rate(), uploadRate: swarm.uploadRate.rate(), peers: swarm.peers.size, seeds: swarm.seeds, havePieces: this.picker.have.count };
  }

  /** Stops everything and saves resume data; the storage stays open for deleteData. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.deactivate();
    this.closed = true;
    await this.saveState();
    await this.data.storage.close().catch(() => undefined);
  }

  /** Deletes the torrent's files; call after close(). */
  async deleteData(): Promise<string[]> {
    return this.data.storage.deleteData(this.picker.have);
  }

  get downloaded(): number {
    return this.downloadedBefore + (this.swarm?.downloaded ?? 0);
  }

  get uploaded(): number {
    return this.uploadedBefore + (this.swarm?.uploaded ?? 0);
  }

  /** Checks, then downloads or seeds, or stays paused if `pauseAfterCheck` says so by then. */
  private async checkThenRun(mode: 'fast' | 'full'): Promise<void> {
    await this.check(mode);
    if (this.pauseAfterCheck) this.setState('paused');
    else this.activate();
  }

  private async check(mode: 'fast' | 'full'): Promise<void> {
    this.checkedPieces = 0;
    this.setState('checking');
    try {
      const { have, mode: how, hashed } = await this.data.check(mode, (checked) => {
        this.checkedPieces = checked;
        this.emit('progress');
      });
      this.log('debug', `${this.metainfo.name}: ${how} check, ${hashed} pieces hashed, ${have.count} had`);
      this.picker = new Picker(this.metainfo, have);
      this.picker.setDeadlines(this.readers.current());
      this.fileControl.apply(this.picker);
      this.completeAnnounced = this.complete;
    } catch (err) {
      this.fail(err);
      throw err;
    } finally {
      this.checkedPieces = undefined;
    }
  }

  private activate(): void {
    if (this.closed) return;
    this.swarm = new Swarm({
      metainfo: this.metainfo,
      peerId: this.ctx.peerId,
      storage: this.data.storage,
      picker: this.picker,
      readCache: this.ctx.readCache,
      heldBudget: this.ctx.heldBudget,
      penalties: this.penalties,
      uploadThrottle: this.ctx.uploadThrottle,
      downloadThrottle: this.ctx.downloadThrottle,
      log: (level, message) => this.log(level, message),
      pieceVerified: (piece) => this.onPieceVerified(piece),
      storageFailed: (err) => this.fail(err),
      peerChanged: (kind, peer) => this.emitPeer(kind, peer),
      banned: (peer) => this.connections.book.ban(peer.ip, peer.port),
      useless: (peer) => this.connections.book.park(peer.ip, peer.port, Date.now(), SEED_PARK_MS),
      extensions: new ExtensionRegistry(this.connections.extensions(), () => this.ctx.port()),
    });
    this.tickFigures = undefined;
    this.setState(this.complete ? 'seeding' : 'downloading');
    // Says, before blocks land, that the files may hold pieces the state does not (resume.ts).
    if (!this.complete) void this.saveState(true);
    this.connections.started(this.swarm);
    this.startTracker();
  }

  private async deactivate(): Promise<void> {
    this.connections.stopped();
    const swarm = this.swarm;
    const tracker = this.tracker;
    this.swarm = undefined;
    this.tracker = undefined;
    // Writes and hash checks in flight land before the state is saved, so its mtimes stay true.
    const settled = swarm?.stop();
    if (swarm) {
      this.downloadedBefore += swarm.downloaded;
      this.uploadedBefore += swarm.uploaded;
      this.duplicateBefore += swarm.duplicateBytes;
    }
    await Promise.all([settled, tracker?.stop().catch(() => undefined)]);
    await this.saveState();
  }

  /** Saves the resume state (`writing`: downloading goes on, see storage/resume.ts); a failure is a warning. */
  private saveState(writing = false): Promise<void> {
    return this.data.save(writing).catch((err) => this.log('warn', `cannot save resume data: ${(err as Error).message}`));
  }

  private startTracker(): void {
    const ip = this.ctx.announceIp();
    this.tracker = startAnnouncing({
      announceList: this.metainfo.announceList,
      infoHash: this.metainfo.infoHash,
      peerId: this.ctx.peerId,
      port: this.ctx.port(),
      ...(ip ? { ip } : {}),
      getStats: () => {
        const { wantedLength, wantedDone } = this.fileControl.figures(this.picker.have);
        return { uploaded: this.uploaded, downloaded: this.downloaded, left: wantedLength - wantedDone };
      },
      peers: (peers) => {
        for (const p of peers) this.connections.book.add(p.ip, p.port);
        this.connections.dialMore();
      },
      log: (level, message) => this.log(level, message),
    });
  }

  /** Priorities changed: the picker follows, peers are asked again, and the state flips between downloading and seeding. */
  private wantsChanged(): void {
    this.fileControl.apply(this.picker);
    if (!this.complete) this.completeAnnounced = false;
    if (this.state === 'seeding' && !this.complete) this.setState('downloading');
    if (!this.complete && this.swarm) void this.saveState(true);
    this.connections.book.wake();
    this.swarm?.wantsChanged();
    this.connections.dialMore();
    this.emit('progress');
    if (this.state === 'downloading' && this.complete) this.onComplete();
  }

  private onPieceVerified(piece: number): void {
    this.data.pieceVerified(piece);
    this.fileControl.pieceVerified(piece);
    this.emit('piece', piece);
    this.emit('progress');
    if (this.complete) this.onComplete();
  }

  /** Once per completion: a piece of a skipped file finishing later (it was in flight) completes nothing. */
  private onComplete(): void {
    if (this.completeAnnounced) return;
    this.completeAnnounced = true;
    this.swarm?.onComplete();
    this.tracker?.complete();
    // A piece verified after a pause completes the data but must not un-pause the torrent.
    if (this.state === 'downloading') this.setState('seeding');
    this.log('info', `${this.metainfo.name} complete`);
    void this.saveState();
    this.emit('completed');
  }

  private fail(err: unknown): void {
    this.error = err instanceof Error ? err.message : String(err);
    this.log('error', `${this.metainfo.name}: ${this.error}`);
    void this.deactivate();
    this.setState('error');
  }

  private setState(state: TorrentState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state');
  }

  private emitPeer(kind: PeerChange['kind'], peer: Peer): void {
    const change: PeerChange = { kind, peer: peer.summary() };
    this.emit('peer', change);
  }

  private log(level: LogEntry['level'], message: string): void {
    const entry: LogEntry = { level, message, infoHash: this.infoHashHex };
    this.emit('log', entry);
  }
}
