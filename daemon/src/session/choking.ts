import { chooseUnchoked, pickOptimistic, DEFAULT_UNCHOKE_SLOTS, OPTIMISTIC_INTERVAL_MS, type ChokePeer } from '../choke';
import type { Peer } from './peer';
import { dropChokedUploads } from './uploader';

/**
 * A peer we unchoked that has asked for nothing in this long is choked again, and the regular unchoke
 * slots pass it over until it requests (see chooseUnchoked's `unused`).
 */
export const UNUSED_UNCHOKE_MS = 10_000;

/** An unchoke left unused this long goes at once to a choked peer that asks for data. */
export const UNUSED_SWAP_MS = 1_000;

/**
 * What a choked peer that asks for data gets, with `slots` regular slots: 'free' while fewer than
 * slots + 1 (the optimistic one) are held by interested peers (see unchokeIfFree); the peer whose
 * unchoke has gone unused the longest, for at least UNUSED_SWAP_MS, which is choked for it (see
 * swapUnusedUnchoke); 'extra' while a holder has asked nothing since its unchoke (too recent to take
 * back) and fewer than twice slots + 1 are unchoked, so an asker never waits on a slot that may go
 * unused (the choke rounds bring the count back to the slots); null otherwise.
 */
export function askerSlot(peers: readonly Peer[], now: number, slots = DEFAULT_UNCHOKE_SLOTS): 'free' | 'extra' | Peer | null {
  if (slotsInUse(peers) < slots + 1) return 'free';
  const holder = swapUnusedUnchoke(peers, now);
  if (holder) return holder;
  const unproven = peers.some((p) => !p.conn.amChoking && p.lastRequestAt < p.conn.chokeChangedAt);
  return unproven && unchokedCount(peers) < 2 * (slots + 1) ? 'extra' : null;
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

function chokeView(peers: readonly Peer[], now: number): ChokePeer[] {
  return peers.map((p) => ({
    key: p.key,
    interested: p.conn.peerInterested,
    downloadRate: p.downloadRate.rate(),
    snubbed: p.snubbed,
    newConnection: now - p.connectedAt < OPTIMISTIC_INTERVAL_MS * 2,
    choked: p.conn.amChoking,
    chokeChangedAt: p.conn.chokeChangedAt,
    unused: p.unusedUnchoke,
    asked: p.lastRequestAt > 0,
  }));
}

/** Applies the choke policy to live peers; returns the optimistic peer's key to keep for next time. */
export function runChokeRound(peers: readonly Peer[], round: ChokeRound): string | undefined {
  const view = chokeView(peers, round.now);
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

/** Peers we unchoke that want data: they hold the regular slots and the optimistic one. */
function slotsInUse(peers: Iterable<Peer>): number {
  let n = 0;
  for (const p of peers) if (!p.conn.amChoking && p.conn.peerInterested) n++;
  return n;
}

/**
 * A peer became interested: a newcomer need not wait for the next choke round while a slot (of
 * `slots` regular ones and the optimistic one) is free; one that left an unchoke unused waits for the rounds.
 */
export function unchokeIfFree(peer: Peer, peers: Iterable<Peer>, slots = DEFAULT_UNCHOKE_SLOTS): void {
  if (peer.unusedUnchoke || !peer.conn.amChoking) return;
  if (slotsInUse(peers) < slots + 1) peer.conn.unchoke();
}

/**
 * A peer we unchoked left or lost interest: its slot goes at once to the waiting peers the policy
 * ranks first (seeding: those that waited longest; leeching: those that give us most), instead of
 * standing empty until the next round, up to 10 s later. No one is choked here. Returns how many were unchoked.
 */
export function fillFreeSlots(peers: readonly Peer[], round: Omit<ChokeRound, 'rotate' | 'random'>): number {
  let free = round.slots + 1 - slotsInUse(peers);
  if (free <= 0) return 0;
  const byKey = new Map(peers.map((p) => [p.key, p]));
  const ranked = chooseUnchoked(chokeView(peers, round.now), { seeding: round.seeding, slots: peers.length, now: round.now });
  let unchoked = 0;
  for (const key of ranked) {
    const p = byKey.get(key);
    if (free === 0) break;
    if (!p || !p.conn.amChoking) continue;
    p.conn.unchoke();
    free--;
    unchoked++;
  }
  return unchoked;
}
