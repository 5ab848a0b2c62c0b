import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { askerSlot, fillFreeSlots, handOverUnusedUnchokes, runChokeRound, swapUnusedUnchoke, unchokeIfFree, UNUSED_SWAP_MS } from '../../../daemon/src/session/choking';
import { DEFAULT_UNCHOKE_SLOTS } from '../../../daemon/src/choke';
import { Peer } from '../../../daemon/src/session/peer';
import type { PeerConnection } from '../../../daemon/src/wire/connection';

/** A peer over a stand-in connection that records choke state. */
function peer(n: number, interested: boolean, downloaded: number): Peer {
  const conn = {
    peerInterested: interested,
    amChoking: true,
    choke() {
      this.amChoking = true;
    },
    unchoke() {
      this.amChoking = false;
    },
    chokeChangedAt: 0,
    reject: () => undefined,
  };
  const p = new Peer(conn as unknown as PeerConnection, '10.0.0.1', 1000 + n, 0);
  p.downloadRate.add(downloaded);
  p.uploads.push({ index: 0, begin: 0, length: 1 });
  return p;
}

describe('runChokeRound', () => {
  test('unchokes the best interested peers plus one optimistic, chokes and clears the rest', () => {
    const peers = [peer(1, true, 100), peer(2, true, 500), peer(3, true, 300), peer(4, false, 900), peer(5, true, 200), peer(6, true, 0)];
    const optimistic = runChokeRound(peers, { seeding: false, slots: 3, optimistic: undefined, rotate: true, now: 0, random: () => 0 });
    const unchoked = peers.filter((p) => !p.conn.amChoking).map((p) => p.port);
    assert.ok(optimistic === '10.0.0.1:1001' || optimistic === '10.0.0.1:1006', `optimistic ${optimistic}`);
    const expected = [1002, 1003, 1005, Number(optimistic?.split(':')[1])].sort();
    assert.deepEqual(unchoked, expected, 'the three fastest interested peers and the optimistic one');
    for (const p of peers) if (p.conn.amChoking) assert.equal(p.uploads.length, 0, 'a choked peer loses its queued requests');
  });

  test('keeps the optimistic peer between rotations', () => {
    const peers = [peer(1, true, 100), peer(2, true, 0)];
    const kept = runChokeRound(peers, { seeding: true, slots: 0, optimistic: '10.0.0.1:1002', rotate: false, now: 0 });
    assert.equal(kept, '10.0.0.1:1002');
    assert.equal(peers[1].conn.amChoking, false);
    assert.equal(peers[0].conn.amChoking, true);
  });

  test('a freed slot goes at once to the peer that waited longest while seeding, and no one is choked', () => {
    const peers = [1, 2, 3, 4, 5, 6, 7].map((n) => peer(n, true, 0));
    for (const p of peers.slice(0, 5)) p.conn.unchoke();
    peers[5].conn.chokeChangedAt = 2_000;
    peers[6].conn.chokeChangedAt = 1_000; // choked earlier: waited longer
    assert.equal(fillFreeSlots(peers, { seeding: true, slots: 4, optimistic: undefined, now: 5_000 }), 0, 'every slot is taken');
    const left = peers.slice(1); // peer 1, unchoked, has gone
    assert.equal(fillFreeSlots(left, { seeding: true, slots: 4, optimistic: undefined, now: 5_000 }), 1);
    assert.deepEqual(left.filter((p) => !p.conn.amChoking).map((p) => p.port), [1002, 1003, 1004, 1005, 1007]);
  });

  test('a freed slot goes to the waiting peer that gives us most while leeching; peers not interested hold none', () => {
    const peers = [peer(1, true, 0), peer(2, false, 0), peer(3, true, 100), peer(4, true, 900), peer(5, true, 50)];
    peers[0].conn.unchoke();
    peers[1].conn.unchoke(); // unchoked but lost interest
    // One regular slot and the optimistic one; only peer 1 holds one.
    assert.equal(fillFreeSlots(peers, { seeding: false, slots: 1, optimistic: undefined, now: 0 }), 1);
    assert.equal(peers[3].conn.amChoking, false, 'the fastest waiting peer');
    peers[0].conn.peerInterested = false;
    assert.equal(fillFreeSlots(peers, { seeding: false, slots: 1, optimistic: undefined, now: 0 }), 1);
    assert.deepEqual(peers.filter((p) => !p.conn.amChoking).map((p) => p.port), [1001, 1002, 1003, 1004]);
  });

  test('an interested newcomer is unchoked while a slot is free, unless it left an unchoke unused', () => {
    const peers = [1, 2, 3, 4, 5].map((n) => peer(n, true, 0));
    for (const p of peers.slice(0, 4)) p.conn.unchoke();
    const idle = peer(6, true, 0);
    idle.unusedUnchoke = true;
    unchokeIfFree(idle, peers, 4);
    assert.equal(idle.conn.amChoking, true);
    unchokeIfFree(peers[4], peers, 4);
    assert.equal(peers[4].conn.amChoking, false, 'four regular slots and the optimistic one');
    const late = peer(7, true, 0);
    unchokeIfFree(late, [...peers, late], 4);
    assert.equal(late.conn.amChoking, true, 'all five slots are taken');
  });
});

/** The unchokes held by interested peers that a choked asker finds free: the regular slots and the optimistic one. */
const FREE = DEFAULT_UNCHOKE_SLOTS + 1;

describe('unused unchokes go to peers that ask', () => {
  /** Unchoked at `since` (or choked then, with `choked`), last request at `askedAt` (0: never). */
  function holder(n: number, since: number, askedAt: number, choked = false): Peer {
    const p = peer(n, true, 0);
    p.uploads.length = 0;
    p.conn.chokeChangedAt = since;
    (p.conn as unknown as { amChoking: boolean }).amChoking = choked;
    p.lastRequestAt = askedAt;
    return p;
  }

  test('the longest unused unchoke of at least UNUSED_SWAP_MS is taken back', () => {
    const now = 10_000;
    const fresh = holder(1, now - UNUSED_SWAP_MS + 1, 0);
    const used = holder(2, 1_000, 5_000);
    const old = holder(3, 2_000, 0);
    const older = holder(4, 1_500, 0);
    assert.equal(swapUnusedUnchoke([fresh, used, old, older], now), older);
    assert.equal(older.conn.amChoking, true);
    assert.equal(older.unusedUnchoke, true, 'passed over by the regular slots until it requests');
    assert.equal(swapUnusedUnchoke([fresh, used], now), null, 'a fresh unchoke and a used one stay');
  });

  test('choked peers that asked before get them, the longest waiting first; the others keep waiting', () => {
    const now = 20_000;
    const idleA = holder(1, 1_000, 0);
    const idleB = holder(2, 2_000, 0);
    const waitedLong = holder(3, 3_000, 2_500, true);
    const waitedLess = holder(4, 8_000, 7_000, true);
    const neverAsked = holder(5, 500, 0, true);
    const moves = handOverUnusedUnchokes([idleA, idleB, waitedLess, neverAsked, waitedLong], now);
    assert.deepEqual(moves.map(([from, to]) => [from.port, to.port]), [[1001, 1003], [1002, 1004]]);
    assert.equal(neverAsked.conn.amChoking, true);
    assert.equal(waitedLong.conn.amChoking, false);
    assert.deepEqual(handOverUnusedUnchokes([idleA, idleB, waitedLess, neverAsked, waitedLong], now), [], 'nothing left to hand over');
  });

  test('an asker gets a free slot, an unused one, an extra one while holders are unproven, else waits', () => {
    const now = 30_000;
    const some = (n: number, since: number, askedAt: number): Peer[] => Array.from({ length: n }, (_, i) => holder(10 + i, since, askedAt));
    assert.equal(askerSlot(some(FREE - 1, now - 100, 0), now), 'free');
    const stale = some(FREE, now - UNUSED_SWAP_MS, 0);
    assert.equal(askerSlot(stale, now), stale[0], 'a holder unused for the swap time gives way');
    assert.equal(askerSlot(some(FREE, now - 100, 0), now), 'extra', 'just unchoked, not asked yet: the asker does not wait on them');
    assert.equal(askerSlot(some(2 * FREE, now - 100, 0), now), null, 'bounded');
    assert.equal(askerSlot(some(FREE, now - 5_000, now - 1_000), now), null, 'every holder uses its slot');
  });
});
