import { chooseUnchoked, pickOptimistic, OPTIMISTIC_INTERVAL_MS, type ChokePeer } from '../choke';
import type { Peer } from './peer';
import { dropChokedUploads } from './uploader';

/**
 * A peer we unchoked that has asked for nothing in this long is choked again, and the regular unchoke
 * slots pass it over until it requests (see chooseUnchoked's `unused`).
 */
export const UNUSED_UNCHOKE_MS = 10_000;

/** Unchokes given at once, between choke rounds, while fewer peers than this are unchoked (the regular slots and the optimistic one). */
export const FREE_UNCHOKES = 5;
/** An unchoke left unused this long goes at once to a choked peer that asks for data. */
export const UNUSED_SWAP_MS = 1_000;

/** Most peers unchoked at once: the free unchokes plus as many for askers waiting on unused ones (see askerSlot). */
export const MAX_UNCHOKED = 2 * FREE_UNCHOKES;

/**
 * What a choked peer that asks for data gets: 'free' while fewer than FREE_UNCHOKES peers are
 * unchoked; the peer whose unchoke has gone unused the longest, for at least UNUSED_SWAP_MS, which
 * is choked for it (see swapUnusedUnchoke); 'extra' while a holder has asked nothing since its
 * unchoke (too recent to take back) and fewer than MAX_UNCHOKED are unchoked, so an asker never waits
 * on a slot that may go unused (the choke rounds bring the count back to the slots); null otherwise.
 */
export function askerSlot(peers: readonly Peer[], now: number): 'free' | 'extra' | Peer | null {
  const unchoked = unchokedCount(peers);
  if (unchoked < FREE_UNCHOKES) return 'free';
  const holder = swapUnusedUnchoke(peers, now);
  if (holder) return holder;
  const unproven = peers.some((p) => !p.conn.amChoking && p.lastRequestAt < p.conn.chokeChangedAt);
  return unproven && unchoked < MAX_UNCHOKED ? 'extra' : null;
}

/** Peers we unchoke. */
export function unchokedCount(peers: Iterable<Peer>): number {
  let n = 0;
  for (const p of peers) if (!p.conn.amChoking) n++;
  return n;
}

/**
 * A choked peer asked for data while every unchoke is taken: the peer that has held its unchoke the
 * longest without a request, for at least UNUSED_SWAP_MS, is choked (and passed over by the regular
 * slots until it requests) and returned so its slot goes to the asker; null if every holder uses its slot.
 */
export function swapUnusedUnchoke(peers: Iterable<Peer>, now: number): Peer | null {
  let oldest: Peer | null = null;
  for (const p of peers) {
    const c = p.conn;
    if (c.amChoking || p.lastRequestAt >= c.chokeChangedAt || now - c.chokeChangedAt < UNUSED_SWAP_MS) continue;
    if (!oldest || c.chokeChangedAt < oldest.conn.chokeChangedAt) oldest = p;
  }
  if (oldest) {
    oldest.conn.choke();
    oldest.unusedUnchoke = true;
  }
  return oldest;
}

/**
 * Choked, interested peers that have asked for data before get the unchokes others leave unused (see
 * swapUnusedUnchoke), the longest waiting first; returns the pairs [choked holder, unchoked peer].
 */
export function handOverUnusedUnchokes(peers: readonly Peer[], now: number): [Peer, Peer][] {
  const waiting = peers
    .filter((p) => p.conn.amChoking && p.conn.peerInterested && p.lastRequestAt > 0 && !p.unusedUnchoke)
    .sort((a, b) => a.conn.chokeChangedAt - b.conn.chokeChangedAt);
  const moves: [Peer, Peer][] = [];
  for (const p of waiting) {
    const holder = swapUnusedUnchoke(peers, now);
    if (!holder) break;
    p.conn.unchoke();
    moves.push([holder, p]);
  }
  return moves;
}

/** Unchoked a while ago and never asked for anything: chokes it so the slot goes to someone who will; true if it did. */
export function takeBackUnusedUnchoke(peer: Peer, now: number): boolean {
  const c = peer.conn;
  if (c.amChoking || peer.lastRequestAt >= c.chokeChangedAt || now - c.chokeChangedAt <= UNUSED_UNCHOKE_MS) return false;
  c.choke();
  peer.unusedUnchoke = true;
  return true;
}

/** Options of one choke round. */
export interface ChokeRound {
  seeding: boolean;
  slots: number;
  optimistic: string | undefined;
  /** Move the optimistic slot to another peer this round. */
  rotate: boolean;
  now: number;
  random?: () => number;
}

/** Applies the choke policy to live peers; returns the optimistic peer's key to keep for next time. */
export function runChokeRound(peers: readonly Peer[], round: ChokeRound): string | undefined {
  const view: ChokePeer[] = peers.map((p) => ({
    key: p.key,
    interested: p.conn.peerInterested,
    downloadRate: p.downloadRate.rate(),
    snubbed: p.snubbed,
    newConnection: round.now - p.connectedAt < OPTIMISTIC_INTERVAL_MS * 2,
    choked: p.conn.amChoking,
    chokeChangedAt: p.conn.chokeChangedAt,
    unused: p.unusedUnchoke,
    asked: p.lastRequestAt > 0,
  }));
  let optimistic = round.optimistic;
  if (round.rotate || optimistic === undefined) {
    const regular = chooseUnchoked(view, { seeding: round.seeding, slots: round.slots, now: round.now });
    optimistic = pickOptimistic(view, optimistic, round.random ?? Math.random, regular);
  }
  const chosen = chooseUnchoked(view, { seeding: round.seeding, slots: round.slots, optimistic, now: round.now });
  for (const p of peers) {
    if (chosen.has(p.key)) {
      p.conn.unchoke();
    } else {
      p.conn.choke();
      dropChokedUploads(p);
    }
  }
  return optimistic;
}
