import type { PeerConnection } from '../wire/connection';
import { RateMeter } from '../util/rate';
import { clientName } from '../util/peer-id';
import type { PeerSource } from './address-book';
import { TrafficWindow } from './eviction';
import type { PeerSummary } from './types';

/** Fewest and most requests kept in flight on one connection. */
export const MIN_PIPELINE = 4;
export const MAX_PIPELINE = 250;
/**
 * Requests a peer may queue with us. We advertise it as `reqq` in the extended handshake (BEP 10),
 * so a peer keeps at most this many outstanding; past it a request is rejected (BEP 6) or, for a
 * peer with neither extension, dropped. Transmission without a `reqq` keeps thousands in flight.
 */
export const UPLOAD_QUEUE_LENGTH = 1024;
/** Pieces in the allowed-fast set we give a peer (BEP 6; libtorrent gives 5, the BEP's example 7–9). */
export const ALLOWED_FAST_COUNT = 10;

/** A block a peer asked us for. */
export interface UploadRequest {
  index: number;
  begin: number;
  length: number;
}

/** The session's view of one live connection: rates, pipeline depth, upload queue, snubbing. */
export class Peer {
  readonly key: string;
  readonly downloadRate = new RateMeter();
  readonly uploadRate = new RateMeter();
  readonly uploads: UploadRequest[] = [];
  /** Requests we keep in flight; follows the rate it delivers at. */
  pipeline = 16;
  /** Sent nothing for a while although we asked. */
  snubbed = false;
  /** When a block last arrived, or when we started waiting for one. */
  lastBlockAt: number;
  readonly connectedAt: number;
  /** Reads from storage in progress for this peer's uploads. */
  reading = 0;
  /** A throttle retry timer is pending. */
  uploadWaiting = false;
  /** Counted in the picker's availability (its bitfield or first have arrived). */
  counted = false;
  /** Pieces we let this peer request while we choke it (BEP 6), those we have when it connected. */
  allowedFast: ReadonlySet<number> = new Set();
  /** Pieces the peer rejected a request of while it unchoked us; not asked of it again. */
  readonly rejectedPieces = new Set<number>();
  /** Payload bytes over the last minute, for eviction when the torrent is full. */
  readonly traffic = new TrafficWindow();
  /** When it last asked us for a block (0: never). */
  lastRequestAt = 0;
  /** When it last sent something useful (a request, a have, a bitfield with pieces, a block); starts at connectedAt. */
  lastUsefulAt: number;
  /** We unchoked it and it asked for nothing: the regular unchoke slots pass it over until it requests. */
  unusedUnchoke = false;

  constructor(
    readonly conn: PeerConnection,
    readonly ip: string,
    readonly port: number,
    now: number,
    /** How we came to know this peer. */
    readonly source: PeerSource = conn.direction === 'incoming' ? 'incoming' : 'manual',
  ) {
    this.key = `${ip}:${port}`;
    this.peerIdHex = conn.remote ? Buffer.from(conn.remote.peerId).toString('hex') : '';
    this.identity = `${ip}/${this.peerIdHex}`;
    this.connectedAt = now;
    this.lastBlockAt = now;
    this.lastUsefulAt = now;
  }

  /** Hex of the remote peer id (for bans and duplicate detection); fixed once connected. */
  readonly peerIdHex: string;
  /** Who this peer is for bans: its address and peer id, which survive a reconnect from another port. */
  readonly identity: string;

  /** Most requests we may keep in flight: ours, or less when the peer's `reqq` says so. */
  get maxPipeline(): number {
    const reqq = this.conn.ext.peer?.reqq;
    return reqq === undefined ? MAX_PIPELINE : Math.max(1, Math.min(MAX_PIPELINE, reqq));
  }

  /** Resizes the pipeline to about one second of this peer's delivery rate. */
  adjustPipeline(blockLength: number): void {
    const perSecond = Math.ceil(this.downloadRate.rate() / blockLength);
    this.pipeline = this.snubbed ? 1 : Math.min(this.maxPipeline, Math.max(MIN_PIPELINE, perSecond, this.pipeline >> 1));
  }

  /** A snapshot for display. */
  summary(): PeerSummary {
    const c = this.conn;
    return {
      id: this.key,
      ip: this.ip,
      port: this.port,
      client: c.ext.peer?.v ?? (c.remote ? clientName(c.remote.peerId) : ''),
      progress: c.peerPieces.length === 0 ? 0 : c.peerPieces.count / c.peerPieces.length,
      downloadRate: this.downloadRate.rate(),
      uploadRate: this.uploadRate.rate(),
      downloaded: c.downloadedBytes,
      uploaded: c.uploadedBytes,
      amChoking: c.amChoking,
      amInterested: c.amInterested,
      peerChoking: c.peerChoking,
      peerInterested: c.peerInterested,
      direction: c.direction,
      source: this.source,
    };
  }
}
