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
    for (const r of picker.yieldToDeadlines(c.peerPieces, p.key, YIELD_KEEP, now, YIELD_BATCH)) c.cancel(r.piece, r.offset, r.length);
  }
  return order;
}
