import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fillFreeSlots, runChokeRound, unchokeIfFree } from '../../../daemon/src/session/choking';
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
