import type { PeerConnection } from '../wire/connection';
import { RateMeter } from '../util/rate';
import { clientName } from '../util/peer-id';
import type { PeerSummary } from './types';

/** Fewest and most requests kept in flight on one connection. */
export const MIN_PIPELINE = 4;
export const MAX_PIPELINE = 250;
/** Requests a peer may queue with us; more are dropped (a well-behaved peer sends far fewer). */
export const MAX_QUEUED_UPLOADS = 512;

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

  constructor(
    readonly conn: PeerConnection,
    readonly ip: string,
    readonly port: number,
    now: number,
  ) {
    this.key = `${ip}:${port}`;
    this.peerIdHex = conn.remote ? Buffer.from(conn.remote.peerId).toString('hex') : '';
    this.identity = `${ip}/${this.peerIdHex}`;
    this.connectedAt = now;
    this.lastBlockAt = now;
  }

  /** Hex of the remote peer id (for bans and duplicate detection); fixed once connected. */
  readonly peerIdHex: string;
  /** Who this peer is for bans: its address and peer id, which survive a reconnect from another port. */
  readonly identity: string;

  /** Resizes the pipeline to about one second of this peer's delivery rate. */
  adjustPipeline(blockLength: number): void {
    const perSecond = Math.ceil(this.downloadRate.rate() / blockLength);
    this.pipeline = this.snubbed ? 1 : Math.min(MAX_PIPELINE, Math.max(MIN_PIPELINE, perSecond, this.pipeline >> 1));
  }

  /** A snapshot for display. */
  summary(): PeerSummary {
    const c = this.conn;
    return {
      id: this.key,
      ip: this.ip,
      port: this.port,
      client: c.remote ? clientName(c.remote.peerId) : '',
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
    };
  }
}
