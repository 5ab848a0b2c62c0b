/**
 * A torrent added from a magnet link whose metadata is not here yet: its place in the session's list
 * while the metadata is fetched. Once the metadata comes, the session replaces it with a Torrent.
 */
import { EventEmitter } from 'node:events';
import type { Magnet } from '../metainfo';
import type { PeerConnection } from '../wire/connection';
import type { PeerSource } from './address-book';
import { MetadataFetch, type FetchContext, type FetchedTorrent } from './metadata-fetch';
import { type LogEntry, type PeerChange, type PeerSummary, type TorrentState, type TorrentSummary, type TrackerStatus } from './types';

/** Events as a Torrent's ('state', 'progress', 'peer', 'log'), plus 'fetched' once the metadata is in. */
export class MagnetTorrent extends EventEmitter {
  readonly infoHashHex: string;
  /** No metainfo until the metadata is fetched. */
  readonly metainfo = undefined;
  readonly addedAt = Date.now();
  private state: TorrentState;
  private error: string | undefined;
  private readonly fetch: MetadataFetch;
  private closed = false;

  constructor(
    readonly magnet: Magnet,
    readonly savePath: string,
    ctx: Omit<FetchContext, 'log'>,
    paused: boolean,
  ) {
    super();
    this.infoHashHex = magnet.infoHashHex;
    this.state = paused ? 'paused' : 'downloading';
    this.fetch = new MetadataFetch(magnet, { ...ctx, log: (level, message) => this.log(level, message) });
    this.fetch.on('status', () => this.emit('progress'));
    this.fetch.on('peer', (kind, peer) => this.emit('peer', { kind, peer: peer.summary() } satisfies PeerChange));
    this.fetch.on('fetched', (t: FetchedTorrent) => {
      this.closed = true;
      this.emit('fetched', t);
    });
    this.fetch.on('failed', (message) => {
      this.error = message;
      this.log('error', message);
      this.setState('error');
    });
  }

  /** Begins fetching unless added paused. */
  start(): void {
    if (this.state === 'downloading') this.fetch.start();
  }

  get connectionCount(): number {
    return this.fetch.connectionCount;
  }

  /** A snapshot: no sizes yet, `metadataPending` set. */
  summary(): TorrentSummary {
    const { received, pieces } = this.fetch.progress;
    const s: TorrentSummary = {
      infoHash: this.infoHashHex,
      name: this.magnet.name ?? this.infoHashHex,
      state: this.state,
      progress: 0,
      totalLength: 0,
      wantedLength: 0,
      verifiedBytes: 0,
      pieceCount: 0,
      havePieces: 0,
      downloaded: 0,
      uploaded: 0,
      downloadRate: 0,
      uploadRate: 0,
      ratio: 0,
      peers: this.fetch.peers().length,
      seeds: 0,
      savePath: this.savePath,
      addedAt: this.addedAt,
      metadataPending: true,
      metadataPeers: this.fetch.metadataPeers,
      metadataProgress: pieces === 0 ? 0 : received / pieces,
    };
    if (this.error !== undefined) s.error = this.error;
    return s;
  }

  peers(): PeerSummary[] {
    return this.fetch.peers();
  }

  trackers(): TrackerStatus[] {
    return this.fetch.trackers();
  }

  async pause(): Promise<void> {
    if (this.closed || this.state === 'paused') return;
    await this.fetch.stop();
    this.setState('paused');
  }

  async resume(): Promise<void> {
    if (this.closed || this.state === 'downloading') return;
    this.error = undefined;
    this.setState('downloading');
    this.fetch.start();
  }

  /** Nothing to verify before the metadata is here: a no-op, as a verify while checking is. */
  async verify(): Promise<void> {}

  /** Learns addresses to dial (e.g. from the DHT). */
  learnPeers(peers: readonly { ip: string; port: number; source: PeerSource }[]): void {
    if (!this.closed && this.state === 'downloading') this.fetch.learnPeers(peers);
  }

  /** Dials a known peer directly. */
  addPeer(ip: string, port: number): void {
    this.fetch.addPeer(ip, port);
  }

  /** Takes an incoming connection for this info hash; false if refused. */
  acceptIncoming(conn: PeerConnection, ip: string, port: number): boolean {
    return !this.closed && this.fetch.acceptIncoming(conn, ip, port);
  }

  /** Always true: a fetch ticks while it is in the list. */
  tick(now: number): boolean {
    this.fetch.tick(now);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.fetch.stop();
  }

  /** Nothing was written yet. */
  async deleteData(): Promise<string[]> {
    return [];
  }

  private setState(state: TorrentState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state');
  }

  private log(level: LogEntry['level'], message: string): void {
    this.emit('log', { level, message, infoHash: this.infoHashHex } satisfies LogEntry);
  }
}
