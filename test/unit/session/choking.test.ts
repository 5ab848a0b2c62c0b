import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChokeRound } from '../../../daemon/src/session/choking';
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
});
