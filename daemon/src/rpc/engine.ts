/**
 * What the RPC layer needs from the engine, as interfaces: the real Session satisfies them, and unit
 * tests pass small fakes. The RPC layer adapts these shapes; the engine knows nothing of RPC.
 */
import type { EventEmitter } from 'node:events';
import type { PieceMap } from '../picker/piece-map';
import type { Magnet } from '../metainfo/magnet';
import type { DhtStats } from '../dht/dht';
import type { AddMagnetOptions } from '../session/magnet-choices';
import type {
  AddTorrentOptions,
  Metainfo,
  PeerSummary,
  SessionOptions,
  SessionSettings,
  SessionStats,
  TorrentFileReport,
  TorrentSummary,
  TrackerStatus,
} from '../session/types';
import type { FilePriority } from '../picker/priorities';

/** One torrent of the session (see session/Torrent). */
export interface EngineTorrent {
  readonly infoHashHex: string;
  /** Undefined while a magnet's metadata is being fetched. */
  readonly metainfo: Metainfo | undefined;
  /** The magnet link it was added from, while its metadata is being fetched. */
  readonly magnet?: Magnet;
  readonly savePath: string;
  summary(): TorrentSummary;
  peers(): PeerSummary[];
  trackers(): TrackerStatus[];
  pause(): Promise<void>;
  resume(): Promise<void>;
  /**
   * Re-hashes all data; resolves when the check is over. The state is 'checking' as soon as the call
   * returns; a call while a check runs returns at once and starts nothing.
   */
  verify(): Promise<void>;
  /** Files with priority and progress; absent while a magnet's metadata is being fetched. */
  files?(): TorrentFileReport[];
  /** SessionError('invalid') for a bad index, and nothing changes. */
  setFilePriorities?(changes: readonly { index: number; priority: FilePriority }[]): Promise<void>;
  setSequential?(on: boolean): Promise<void>;
  /** Have, under way and availability per piece; absent while a magnet's metadata is being fetched. */
  pieceMap?(): PieceMap;
}

/** The session (see session/Session); emits 'progress', 'state', 'completed', 'peer', 'log', 'torrent-added', 'torrent-removed', 'metadata'. */
export interface EngineSession extends EventEmitter {
  readonly port: number;
  addTorrent(m: Metainfo, opts?: AddTorrentOptions): Promise<EngineTorrent>;
  /** Adds a magnet link; once its metadata is in, 'metadata'(torrent, torrentBytes) is emitted. */
  addMagnet(magnet: Magnet, opts?: AddMagnetOptions): EngineTorrent;
  get(infoHashHex: string): EngineTorrent | undefined;
  list(): EngineTorrent[];
  remove(infoHashHex: string, opts?: { deleteData?: boolean }): Promise<void>;
  setOptions(partial: SessionSettings): Promise<void>;
  stats(): SessionStats;
  /** The DHT's counts; undefined while it is off (fakes may leave it out). */
  dhtStats?(): (DhtStats & { torrents: number }) | undefined;
  /** True while nothing the torrent's snapshot shows can change without a 'progress' or 'state' event (fakes may leave it out: never). */
  quiet?(t: EngineTorrent): boolean;
  close(): Promise<void>;
}

/** Options of createTorrent as the RPC layer passes them. */
export interface CreateOptions {
  trackers?: string[];
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  webSeeds?: string[];
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

/** The built-in tracker server while it runs. */
export interface EngineTracker {
  readonly url: string;
  readonly udpUrl?: string;
  readonly host: string;
  readonly port: number;
  stats(): { torrents: number; seeders: number; leechers: number; announces: number; scrapes: number };
  close(): Promise<void>;
}

/** Everything the daemon starts or parses, injected so tests can replace any part. */
export interface Engine {
  startSession(opts: SessionOptions): Promise<EngineSession>;
  /** Throws on malformed metainfo; may hand the event loop back meanwhile (a torrent of many files). */
  parseMetainfo(bytes: Uint8Array): Metainfo | Promise<Metainfo>;
  createTorrent(input: string, opts: CreateOptions): Promise<{ bytes: Uint8Array; metainfo: Metainfo }>;
  buildMagnet(m: Metainfo | Magnet): string;
  /** Throws on a malformed magnet URI. */
  parseMagnet(uri: string): Magnet;
  startTracker(opts: { host: string; port: number; interval?: number; udp?: boolean; store?: string }): Promise<EngineTracker>;
}
