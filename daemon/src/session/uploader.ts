import type { Throttle } from '../util/throttle';
import type { Bitfield } from '../util/bitfield';
import type { LentBlock } from './read-cache';
import { UPLOAD_QUEUE_LENGTH, type Peer } from './peer';

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

/** We may send this peer blocks of `index` now: it is unchoked, or the piece is in its allowed-fast set. */
function mayServe(peer: Peer, index: number): boolean {
  return !peer.conn.amChoking || peer.allowedFast.has(index);
}

/**
 * Queues a peer's request if we serve it: unchoked (or an allowed-fast piece), a piece we have,
 * queue not full. Any other request is rejected (BEP 6), or dropped for a peer without the fast
 * extension, as BEP 3 has it.
 */
export function queueUpload(ctx: UploadContext, peer: Peer, index: number, begin: number, length: number): void {
  if (!mayServe(peer, index) || !ctx.have.has(index) || peer.uploads.length >= UPLOAD_QUEUE_LENGTH) {
    peer.conn.reject(index, begin, length);
    return;
  }
  peer.uploads.push({ index, begin, length });
  pumpUploads(ctx, peer);
}

/** Drops a queued request the peer cancelled; with the fast extension the cancel is answered with a reject. */
export function cancelUpload(peer: Peer, index: number, begin: number, length: number): void {
  const i = peer.uploads.findIndex((r) => r.index === index && r.begin === begin && r.length === length);
  if (i < 0) return;
  peer.uploads.splice(i, 1);
  peer.conn.reject(index, begin, length);
}

/** We choked the peer: queued requests we no longer serve are rejected (fast extension) or forgotten. */
export function dropChokedUploads(peer: Peer): void {
  const kept = peer.uploads.filter((r) => mayServe(peer, r.index));
  for (const r of peer.uploads) if (!mayServe(peer, r.index)) peer.conn.reject(r.index, r.begin, r.length);
  peer.uploads.length = 0;
  peer.uploads.push(...kept);
}

/** Sends queued blocks while the socket keeps up and the rate limit allows; blocks go out as their reads complete. */
export function pumpUploads(ctx: UploadContext, peer: Peer): void {
  const conn = peer.conn;
  while (
    peer.uploads.length > 0 &&
    !conn.closed &&
    mayServe(peer, peer.uploads[0].index) &&
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
        if (conn.closed || !mayServe(peer, req.index)) {
          // Choked while the read ran: the request still gets its one answer.
          block.release();
          conn.reject(req.index, req.begin, req.length);
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
