import { chooseUnchoked, pickOptimistic, OPTIMISTIC_INTERVAL_MS, type ChokePeer } from '../choke';
import type { Peer } from './peer';
import { dropChokedUploads } from './uploader';

/**
 * A peer we unchoked that has asked for nothing in this long is choked again, and the regular unchoke
 * slots pass it over until it requests (see chooseUnchoked's `unused`).
 */
export const UNUSED_UNCHOKE_MS = 10_000;

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
