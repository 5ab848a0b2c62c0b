/** How a swarm serves readers' deadlines: fastest peers first, and queued blocks give way on a seek. */
import type { Picker } from '../picker';
import type { Peer } from './peer';

/** Blocks a peer keeps of its queue when deadline blocks must go first: these are likely on their way already. */
export const YIELD_KEEP = 4;
/** At least this many give way: a swarm refills a pipeline in batches of up to 8 requests. */
export const YIELD_BATCH = 8;

/**
 * The peers in the order to fill them while deadlines exist: fastest first, so deadline pieces go to
 * them. A peer that unchokes us and has a near deadline piece nobody was asked for gets `cancel`s for
 * its newest queued blocks without a deadline (the picker takes them back), so the next requests, for
 * the deadline piece, are not answered only after everything queued before them.
 */
export function yieldToDeadlines(peers: Iterable<Peer>, picker: Picker, now: number): Peer[] {
  const order = [...peers].sort((a, b) => b.downloadRate.rate() - a.downloadRate.rate());
  for (const p of order) {
    const c = p.conn;
    if (c.closed || c.peerChoking) continue;
    for (const r of picker.yieldToDeadlines(c.peerPieces, p.key, YIELD_KEEP, now, YIELD_BATCH)) {
      c.cancel(r.piece, r.offset, r.length);
      if (c.fast) noteCancel(p, r.piece, r.offset);
    }
  }
  return order;
}

/** Most blocks with cancels remembered per peer; beyond, the oldest are forgotten. */
const MAX_REMEMBERED = 1024;
/** Per peer: block → cancels of ours not answered yet (a block may be given way more than once). */
const cancels = new WeakMap<Peer, Map<string, number>>();

function noteCancel(peer: Peer, piece: number, offset: number): void {
  let map = cancels.get(peer);
  if (!map) cancels.set(peer, (map = new Map()));
  const key = `${piece}:${offset}`;
  map.set(key, (map.get(key) ?? 0) + 1);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
}

/**
 * A reject or block of `piece` at `offset` came from `peer`: true if it answers a cancel of ours (BEP 6
 * answers every cancel with the block or a reject). A block given way can be asked for again at once;
 * the reject of the cancel then looks like a reject of the new request, and must not make the swarm
 * stop asking this peer for the piece.
 */
export function answersCancel(peer: Peer, piece: number, offset: number): boolean {
  const map = cancels.get(peer);
  const key = `${piece}:${offset}`;
  const n = map?.get(key) ?? 0;
  if (!map || n === 0) return false;
  if (n === 1) map.delete(key);
  else map.set(key, n - 1);
  return true;
}
