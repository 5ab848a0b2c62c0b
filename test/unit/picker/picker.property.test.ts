import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Picker, type BlockRequest } from '../../../daemon/src/picker';
import { BLOCK, seeded } from './fixtures';

interface Swarm {
  pieceCount: number;
  blocksPerPiece: number;
  lastLength: number;
  peers: boolean[][];
  seed: number;
}

const swarmArb: fc.Arbitrary<Swarm> = fc
  .record({ pieceCount: fc.integer({ min: 1, max: 24 }), blocksPerPiece: fc.integer({ min: 1, max: 4 }), seed: fc.integer() })
  .chain((s) =>
    fc.record({
      pieceCount: fc.constant(s.pieceCount),
      blocksPerPiece: fc.constant(s.blocksPerPiece),
      seed: fc.constant(s.seed),
      lastLength: fc.integer({ min: 1, max: s.blocksPerPiece * BLOCK }),
      peers: fc.array(fc.array(fc.boolean(), { minLength: s.pieceCount, maxLength: s.pieceCount }), { minLength: 1, maxLength: 5 }),
    }),
  );

const keyOf = (r: BlockRequest): string => `${r.piece}:${r.offset}`;

/** Drives a picker with random picks, arrivals, timeouts, chokes and failed hashes until it is done. */
function simulate(s: Swarm, withDeadlines = false): void {
  const rnd = seeded(s.seed);
  const pieceLength = s.blocksPerPiece * BLOCK;
  const totalLength = pieceLength * (s.pieceCount - 1) + s.lastLength;
  const picker = new Picker({ pieceCount: s.pieceCount, pieceLength, totalLength }, undefined, { random: rnd });
  const bitfields = s.peers.map((bits) => Bitfield.fromString(bits.map((b) => (b ? '*' : ' ')).join('')));
  bitfields.forEach((bf) => picker.addPeer(bf));
  const reachable = [...Array(s.pieceCount).keys()].filter((p) => s.peers.some((b) => b[p])).length;
  /** Outstanding requests: block key → peers asked. */
  const outstanding = new Map<string, Set<string>>();
  const asked = (peer: string): string[] => [...outstanding].filter(([, ps]) => ps.has(peer)).map(([k]) => k);
  const parse = (k: string): BlockRequest => {
    const [piece, offset] = k.split(':').map(Number);
    const size = piece === s.pieceCount - 1 ? s.lastLength : pieceLength;
    return { piece, offset, length: Math.min(BLOCK, size - offset) };
  };
  for (let step = 0; picker.have.count < reachable; step++) {
    assert.ok(step < 20000, 'no progress');
    const i = Math.floor(rnd() * bitfields.length);
    const peer = `p${i}`;
    const action = rnd();
    const now = step * 100;
    if (withDeadlines && rnd() < 0.05) {
      // A reader at a random piece: its piece and the next two are due soon, some already near.
      const at = Math.floor(rnd() * s.pieceCount);
      picker.setDeadlines(rnd() < 0.2 ? undefined : new Map([at, at + 1, at + 2].filter((p) => p < s.pieceCount).map((p, k) => [p, now + k * 1000])));
    }
    if (action < 0.45) {
      const reqs = picker.pick(bitfields[i], 1 + Math.floor(rnd() * 6), peer, Infinity, { now });
      for (const r of reqs) {
        assert.ok(bitfields[i].has(r.piece) && !picker.have.has(r.piece), 'picked a piece the peer lacks or we have');
        assert.deepEqual(r, parse(keyOf(r)), 'block geometry');
        const set = outstanding.get(keyOf(r)) ?? new Set<string>();
        assert.ok(!set.has(peer), 'same block twice to one peer');
        assert.ok(set.size === 0 || picker.endgame || (withDeadlines && set.size === 1), 'duplicate request outside endgame and deadlines');
        outstanding.set(keyOf(r), set.add(peer));
      }
    } else if (action < 0.85) {
      const mine = asked(peer);
      if (mine.length === 0) continue;
      const k = mine[Math.floor(rnd() * mine.length)];
      const others = [...(outstanding.get(k) as Set<string>)].filter((p) => p !== peer).sort();
      const receipt = picker.blockReceived(parse(k), peer);
      assert.ok(receipt.accepted);
      assert.deepEqual(receipt.cancel.map((c) => c.peerKey).sort(), others);
      outstanding.delete(k);
      if (receipt.pieceComplete) picker.pieceVerified(parse(k).piece, rnd() > 0.15);
    } else if (action < 0.95) {
      const mine = asked(peer);
      if (mine.length === 0) continue;
      const k = mine[0];
      picker.releaseBlock(parse(k), peer);
      outstanding.get(k)?.delete(peer);
      if (outstanding.get(k)?.size === 0) outstanding.delete(k);
    } else {
      picker.releasePeer(peer);
      for (const k of asked(peer)) {
        outstanding.get(k)?.delete(peer);
        if (outstanding.get(k)?.size === 0) outstanding.delete(k);
      }
    }
    assert.equal(picker.outstanding(peer), asked(peer).length);
  }
  for (let p = 0; p < s.pieceCount; p++) assert.equal(picker.have.has(p), s.peers.some((b) => b[p]));
}

test('random swarms: picks stay valid and every available piece is eventually had', () => {
  fc.assert(fc.property(swarmArb, (s) => simulate(s)), { numRuns: 200 });
});

test('random swarms with readers setting deadlines: picks stay valid, at most two peers per block outside endgame, everything is had', () => {
  fc.assert(
    fc.property(swarmArb, (s) => simulate(s, true)),
    { numRuns: 200 },
  );
});
