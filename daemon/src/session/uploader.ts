import type { Throttle } from '../util/throttle';
import type { Bitfield } from '../util/bitfield';
import type { LentBlock } from './read-cache';
import { MAX_QUEUED_UPLOADS, type Peer } from './peer';

/** Bytes we let pile up in one socket before reading more blocks for it. */
const WRITE_HIGH_WATER = 512 * 1024;
/** Storage reads in flight per peer. */
const READS_PER_PEER = 8;

/** What serving needs from the torrent. */
export interface UploadContext {
  /** Reads a block of a piece we have; released once sent. */
  read(index: number, begin: number, length: number): Promise<LentBlock>;
  have: Bitfield;
  throttle: Throttle;
  /** Payload bytes sent, for totals and rates. */
  uploaded(peer: Peer, bytes: number): void;
  readFailed(err: unknown): void;
}

/** Queues a peer's request if we serve it: unchoked, a piece we have, queue not full. */
export function queueUpload(ctx: UploadContext, peer: Peer, index: number, begin: number, length: number): void {
  if (peer.conn.amChoking || !ctx.have.has(index) || peer.uploads.length >= MAX_QUEUED_UPLOADS) return;
  peer.uploads.push({ index, begin, length });
  pumpUploads(ctx, peer);
}

/** Drops a queued request the peer cancelled. */
export function cancelUpload(peer: Peer, index: number, begin: number, length: number): void {
  const i = peer.uploads.findIndex((r) => r.index === index && r.begin === begin && r.length === length);
  if (i >= 0) peer.uploads.splice(i, 1);
}

/** Sends queued blocks while the socket keeps up and the rate limit allows; blocks go out as their reads complete. */
export function pumpUploads(ctx: UploadContext, peer: Peer): void {
  const conn = peer.conn;
  while (
    peer.uploads.length > 0 &&
    !conn.closed &&
    !conn.amChoking &&
    peer.reading < READS_PER_PEER &&
    conn.writeBuffered < WRITE_HIGH_WATER &&
    !peer.uploadWaiting
  ) {
    const req = peer.uploads[0];
    if (!ctx.throttle.tryTake(req.length)) {
      peer.uploadWaiting = true;
      setTimeout(() => {
        peer.uploadWaiting = false;
        pumpUploads(ctx, peer);
      }, Math.max(1, ctx.throttle.waitMs(req.length))).unref?.();
      return;
    }
    peer.uploads.shift();
    peer.reading++;
    ctx.read(req.index, req.begin, req.length).then(
      (block) => {
        peer.reading--;
        if (conn.closed || conn.amChoking) {
          block.release();
          return;
        }
        conn.piece(req.index, req.begin, block.data, block.release);
        ctx.uploaded(peer, block.data.length);
        pumpUploads(ctx, peer);
      },
      (err) => {
        peer.reading--;
        ctx.readFailed(err);
      },
    );
  }
}
