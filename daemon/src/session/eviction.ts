/**
 * Who gives way when a torrent's connections are full. Idle or hostile connections (peers that only
 * send keep-alives, fake seeders that never unchoke) must not lock real peers out, so the one that
 * has moved the fewest payload bytes in the last minute goes, as in libtorrent; a newcomer gets a
 * grace period, and a connection with blocks in flight either way is never closed.
 */
import type { Peer } from './peer';

/** A connection younger than this is not evicted: it has had no chance to be useful yet. */
export const EVICTION_GRACE_MS = 30_000;
/** A connection that sent nothing useful (request, have, bitfield with pieces, block) this long may go despite its grace period. */
export const IDLE_GIVE_WAY_MS = 10_000;
/** Traffic is judged over this window. */
export const USEFULNESS_WINDOW_MS = 60_000;
/** Snapshots of a peer's byte count are kept this often. */
const SNAPSHOT_MS = 10_000;
const SNAPSHOTS = USEFULNESS_WINDOW_MS / SNAPSHOT_MS + 1;

/** Payload bytes of one connection over the last minute, from snapshots taken on the session's tick. */
export class TrafficWindow {
  private readonly totals: number[] = [];
  private lastSnapshot = -Infinity;

  /** Records the connection's running total (downloaded + uploaded payload bytes). */
  sample(now: number, total: number): void {
    if (now - this.lastSnapshot < SNAPSHOT_MS) return;
    this.lastSnapshot = now;
    this.totals.push(total);
    if (this.totals.length > SNAPSHOTS) this.totals.shift();
  }

  /** Bytes moved since the oldest snapshot (about a minute ago), given the total now. */
  recent(total: number): number {
    return total - (this.totals[0] ?? 0);
  }
}

/** The connection's payload bytes both ways so far. */
export function trafficOf(peer: Peer): number {
  return peer.conn.downloadedBytes + peer.conn.uploadedBytes;
}

/** Blocks in flight either way: our requests, its queued requests, reads for it. */
export function midTransfer(peer: Peer): boolean {
  return peer.conn.outstandingRequests > 0 || peer.uploads.length > 0 || peer.reading > 0;
}

/**
 * Whether a connection is past its youth protection: older than the grace period, or idle (nothing
 * useful from it) for IDLE_GIVE_WAY_MS, so idle connections cannot hold slots for the whole grace period.
 */
export function pastGrace(peer: { connectedAt: number; lastUsefulAt: number }, now: number): boolean {
  return now - peer.connectedAt >= EVICTION_GRACE_MS || now - peer.lastUsefulAt >= IDLE_GIVE_WAY_MS;
}

/**
 * Nothing useful came from it since it connected (see Peer.lastUsefulAt). A newcomer, which has
 * completed its handshake, may take such a connection's place at once: of two peers that have done
 * nothing, the one that had the longer chance goes. An honest peer proves itself within a round trip
 * (its bitfield, a have, or a request for the allowed-fast pieces every new connection is offered), so
 * connections that only hold a slot cannot keep newcomers out.
 */
export function neverUseful(peer: { connectedAt: number; lastUsefulAt: number }): boolean {
  return peer.lastUsefulAt <= peer.connectedAt;
}

/**
 * The connection to close to make room, among those `eligible` says may go: past the grace period
 * (see pastGrace) or, for a `newcomer` that has connected, an incoming one never useful (see
 * neverUseful: a connection we dialled was chosen, and its bitfield may still be on its way); not
 * mid-transfer; fewest bytes in the last minute (the oldest connection on a tie). Undefined when none may go.
 */
export function leastUseful(peers: Iterable<Peer>, now: number, eligible: (p: Peer) => boolean = () => true, newcomer = false): Peer | undefined {
  let best: Peer | undefined;
  let bestBytes = Infinity;
  for (const p of peers) {
    if (!(pastGrace(p, now) || (newcomer && neverUseful(p) && p.conn.direction === 'incoming')) || midTransfer(p) || !eligible(p)) continue;
    const bytes = p.traffic.recent(trafficOf(p));
    if (bytes < bestBytes || (bytes === bestBytes && best !== undefined && p.connectedAt < best.connectedAt)) {
      best = p;
      bestBytes = bytes;
    }
  }
  return best;
}
