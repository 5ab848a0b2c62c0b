/** Public data shapes of the session, shared by the RPC layer and the CLI. */
import type { FilePriority } from '../picker/priorities';
import type { PeerSource } from './address-book';

/** Construction options of a Session; all but downloadDir have defaults. */
export interface SessionOptions {
  /** Default save folder. */
  downloadDir: string;
  /** Resume data etc.; default path.join(downloadDir, '.btd'). */
  stateDir?: string;
  /** Default '0.0.0.0'; tests use '127.0.0.1'. */
  listenHost?: string;
  /** 0 = any free port; default 6881. */
  port?: number;
  /** `ip` sent to trackers. */
  announceIp?: string;
  /** Global connection cap, default 200. */
  maxConnections?: number;
  /** Per-torrent connection cap, default 50. */
  maxConnectionsPerTorrent?: number;
  /** Connections a torrent takes from one IP address (loopback exempt), default 3. */
  maxConnectionsPerIp?: number;
  /** Bytes/s, 0 = unlimited. */
  uploadRateLimit?: number;
  /** Bytes/s, 0 = unlimited. */
  downloadRateLimit?: number;
  /** Default '-BT0100-' + 12 random bytes. */
  peerId?: Uint8Array;
  /** Run a DHT node (BEP 5) for torrents that are not private. Default off here; the daemon and the CLI turn it on. */
  dht?: boolean;
  /** UDP port of the DHT; default the peer port (another free one if that is taken). */
  dhtPort?: number;
  /** DHT bootstrap nodes as 'host:port'; default the well-known routers (DEFAULT_BOOTSTRAP). */
  dhtBootstrap?: string[];
}

/** Lifecycle state of one torrent. */
export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'error';

/** A snapshot of one torrent for display. */
export interface TorrentSummary {
  infoHash: string;
  name: string;
  state: TorrentState;
  error?: string;
  /** 0..1, verified pieces only. */
  progress: number;
  /** 0..1, the share of pieces checked so far, while state is 'checking'. */
  checkProgress?: number;
  totalLength: number;
  /** Bytes of the files that are not skipped (padding aside); progress and `left` count these only. */
  wantedLength: number;
  verifiedBytes: number;
  /** Seeding what it has: some files are skipped and every wanted one is complete. */
  partial?: boolean;
  /** Pieces are picked in order. */
  sequential?: boolean;
  pieceCount: number;
  havePieces: number;
  downloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  ratio: number;
  peers: number;
  seeds: number;
  savePath: string;
  etaSeconds?: number;
  addedAt: number;
  /** Added from a magnet link whose metadata is still being fetched: sizes are 0 until then. */
  metadataPending?: boolean;
  /** While metadataPending: connected peers that offer the metadata. */
  metadataPeers?: number;
  /** While metadataPending: 0..1 of the metadata received. */
  metadataProgress?: number;
  /** Bytes received that were not needed (endgame duplicates, answers to cancelled requests). */
  duplicateBytes?: number;
  /** Peers connected to so far while running, by how we came to know them. */
  peersMet?: Partial<Record<PeerSource, number>>;
  /** Of the bytes downloaded since the torrent last started, those sent by peers that had every piece. */
  downloadedFromSeeds?: number;
}

/** A snapshot of one connection for display. */
export interface PeerSummary {
  /** 'ip:port' */
  id: string;
  ip: string;
  port: number;
  /** From the peer id, e.g. 'Transmission 3.00'. */
  client: string;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  direction: 'incoming' | 'outgoing';
  /** How we came to know the peer: a tracker, peer exchange, the magnet link, by hand, or it dialled us. */
  source: PeerSource;
}

/** A snapshot of one tracker of a torrent: the tracker client's own type. */
export type { TrackerStatus } from '../tracker/client/client';

/** Options of Session.addTorrent. */
export interface AddTorrentOptions {
  /** Folder holding the torrent's name; default downloadDir. */
  savePath?: string;
  paused?: boolean;
  verify?: 'fast' | 'full';
  /** A priority per file (torrent order, padding files included); default the saved ones, else all normal. */
  filePriorities?: readonly FilePriority[];
  /** Pieces in order; default the saved mode, else rarest first. */
  sequential?: boolean;
  /**
   * The torrent goes into the list only once this settled (its files are opened meanwhile): a
   * restore that opens several at once keeps their order.
   */
  after?: Promise<unknown>;
}

/** One file of a torrent and how far it is (BEP 47 padding files are not listed). */
export interface TorrentFileReport {
  /** The file's index in the torrent (padding files count), as torrent/setFilePriorities takes it. */
  index: number;
  path: string[];
  length: number;
  priority: FilePriority;
  /** Bytes of the file inside verified pieces. */
  bytesDone: number;
  /** Pieces touching the file, and how many of them are verified. */
  pieceCount: number;
  piecesDone: number;
  attr?: string;
}

/** Live-changeable session options. */
export type SessionSettings = Partial<Omit<SessionOptions, 'downloadDir' | 'stateDir' | 'peerId' | 'dhtPort'>> & { downloadDir?: string };

/** Session-wide totals. */
export interface SessionStats {
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  torrents: number;
  peers: number;
  port: number;
  /** Bytes SHA-1 hashed since the session started: checks of existing data and downloaded pieces. */
  hashedBytes: number;
  /** Nodes in the DHT routing table, when the DHT runs. */
  dhtNodes?: number;
}

/** Entry of the 'log' event. */
export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  infoHash?: string;
}

/** Change reported by the 'peer' event. */
export interface PeerChange {
  kind: 'added' | 'removed' | 'updated';
  peer: PeerSummary;
}

/** Error codes of SessionError. */
export type SessionErrorCode = 'duplicate-torrent' | 'unknown-torrent' | 'io' | 'invalid';

/** A failure of a session operation that callers can map to a protocol error. */
export class SessionError extends Error {
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** The parsed metainfo the session works from. */
export type { Metainfo } from '../metainfo/types';
