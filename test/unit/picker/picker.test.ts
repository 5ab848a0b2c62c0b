import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Picker } from '../../../daemon/src/picker';
import { BLOCK, all, bf, pieces, seeded, swarm } from './fixtures';

describe('rarest first', () => {
  test('picks the rarest piece the peer has', () => {
    const p = swarm('2213333');
    assert.deepEqual(pieces(p.pick(all(7), 2, 'a')), [2, 2]);
    const next = pieces(p.pick(all(7), 4, 'b'));
    assert.deepEqual([...next].sort(), [0, 0, 1, 1], 'the two pieces seen twice, before the common ones');
  });

  test('never a piece the peer lacks or we have', () => {
    const p = swarm('1111', '*  *');
    assert.deepEqual(pieces(p.pick(bf('** *'), 10, 'a')), [1, 1]);
    assert.deepEqual(p.pick(bf('** *'), 10, 'b'), []);
    assert.deepEqual(p.pick(bf('*  *'), 10, 'c'), []);
  });

  test('rarest first skips what we have', () => {
    const p = swarm('2223333', '* *  * ', { random: seeded(3) });
    assert.deepEqual(pieces(p.pick(all(7), 2, 'a')), [1, 1]);
    const rest = pieces(p.pick(all(7), 6, 'b'));
    assert.deepEqual([...new Set(rest)].sort(), [3, 4, 6]);
    assert.equal(rest.length, 6);
    assert.ok(p.endgame);
  });

  test('pieces nobody announced are not picked', () => {
    const p = swarm('0100');
    assert.deepEqual(pieces(p.pick(all(4), 10, 'a')), [1, 1]);
  });

  test('follows availability changes from have and departures', () => {
    const p = swarm('2222');
    p.peerHave(0);
    p.peerHave(1);
    p.peerHave(3);
    assert.deepEqual(pieces(p.pick(all(4), 1, 'a')), [2]);
    p.removePeer(bf('* **'));
    p.removePeer(bf('* **'));
    assert.equal(p.availability(0), 1);
    assert.equal(p.availability(1), 3);
    const next = pieces(p.pick(all(4), 2, 'b'));
    assert.equal(next[0], 2, 'partial piece first');
    assert.ok(next[1] === 0 || next[1] === 3, `rarest of the rest, got ${next[1]}`);
  });

  test('ties break randomly with the injected random', () => {
    const seen = new Set<number>();
    const rnd = seeded(7);
    for (let i = 0; i < 64; i++) seen.add(swarm('3222223', '       ', { random: rnd }).pick(all(7), 1, 'a')[0].piece);
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5]);
    const first = swarm('2222', '    ', { random: () => 0 }).pick(all(4), 1, 'a')[0].piece;
    const last = swarm('2222', '    ', { random: () => 0.999 }).pick(all(4), 1, 'a')[0].piece;
    assert.notEqual(first, last);
  });
});

describe('partial pieces first', () => {
  test('a started piece is finished before a rarer one is begun', () => {
    const p = swarm('3132', '    ', { blocksPerPiece: 4 });
    assert.deepEqual(pieces(p.pick(bf('* **'), 1, 'a')), [3]);
    assert.deepEqual(pieces(p.pick(all(4), 5, 'b')), [3, 3, 3, 1, 1]);
  });

  test('no more than newPieces pieces are started; started pieces are served without room', () => {
    const p = swarm('1111', '    ', { blocksPerPiece: 4 });
    const first = pieces(p.pick(all(4), 6, 'a', 1));
    assert.equal(first.length, 4, 'the blocks of one piece, nothing of a second');
    assert.equal(new Set(first).size, 1);
    assert.equal(p.partialCount, 1);
    assert.deepEqual(p.pick(all(4), 6, 'b', 0), [], 'nothing left in the started piece, no room for another');
    p.blockReceived({ piece: first[0], offset: 0, length: BLOCK }, 'a');
    p.releasePeer('a'); // three blocks back to the pool; the piece stays started
    assert.deepEqual(pieces(p.pick(all(4), 6, 'b', 0)), [first[0], first[0], first[0]]);
    const more = pieces(p.pick(all(4), 8, 'c', 2));
    assert.equal(more.length, 8);
    assert.equal(new Set(more).size, 2);
    assert.equal(p.partialCount, 3);
  });

  test('requests carry offsets and the short last block', () => {
    const p = swarm('11', '  ', { lastPieceLength: BLOCK + 100 });
    const reqs = p.pick(bf(' *'), 5, 'a');
    assert.deepEqual(reqs, [
      { piece: 1, offset: 0, length: BLOCK },
      { piece: 1, offset: BLOCK, length: 100 },
    ]);
  });
});

describe('block states', () => {
  test('received blocks complete a piece; verification ends it', () => {
    const p = swarm('11');
    const reqs = p.pick(all(2), 2, 'a');
    assert.deepEqual(p.blockReceived(reqs[0], 'a'), { accepted: true, cancel: [], pieceComplete: false });
    assert.equal(p.blockReceived(reqs[0], 'a').accepted, false, 'duplicate');
    assert.equal(p.blockReceived(reqs[1], 'a').pieceComplete, true);
    p.pieceVerified(reqs[0].piece, true);
    assert.equal(p.missingPieces, 1);
    assert.ok(p.have.has(reqs[0].piece));
    assert.equal(p.outstanding('a'), 0);
  });

  test('a failed piece resets its blocks', () => {
    const p = swarm('1');
    const reqs = p.pick(all(1), 2, 'a');
    for (const r of reqs) p.blockReceived(r, 'a');
    assert.deepEqual(p.pick(all(1), 2, 'b'), []);
    p.pieceVerified(0, false);
    assert.deepEqual(p.pick(all(1), 2, 'b'), reqs);
    assert.equal(p.missingPieces, 1);
  });

  test('unrequested and malformed blocks are refused', () => {
    const p = swarm('11');
    assert.equal(p.blockReceived({ piece: 0, offset: 0, length: BLOCK }, 'a').accepted, false);
    p.pick(bf('* '), 2, 'a');
    assert.equal(p.blockReceived({ piece: 0, offset: 1, length: BLOCK }, 'a').accepted, false);
    assert.equal(p.blockReceived({ piece: 0, offset: 0, length: 5 }, 'a').accepted, false);
    assert.equal(p.blockReceived({ piece: 9, offset: 0, length: BLOCK }, 'a').accepted, false);
    assert.equal(p.blockReceived({ piece: 0, offset: 0, length: BLOCK }, 'a').accepted, true);
  });

  test('releasePeer returns its blocks; releaseBlock returns one', () => {
    const p = swarm('11');
    const reqs = p.pick(all(2), 4, 'a');
    assert.ok(p.endgame);
    p.releasePeer('a');
    assert.equal(p.endgame, false);
    assert.equal(p.outstanding('a'), 0);
    assert.deepEqual(p.pick(all(2), 4, 'b'), reqs);
    p.releaseBlock(reqs[3], 'b');
    assert.equal(p.blockReceived(reqs[3], 'b').accepted, false, 'released, so unrequested');
    assert.deepEqual(p.pick(all(2), 1, 'c'), [reqs[3]]);
    const late = p.blockReceived(reqs[3], 'b');
    assert.deepEqual(late.cancel, [{ peerKey: 'c', req: reqs[3] }], 'a late copy still completes the block');
  });

  test('isInteresting and missingPieces follow our have', () => {
    const p = swarm('11', '* ');
    assert.equal(p.missingPieces, 1);
    assert.equal(p.isInteresting(bf('* ')), false);
    assert.equal(p.isInteresting(bf(' *')), true);
    assert.equal(p.isInteresting(new Bitfield(3)), false);
    assert.throws(() => p.addPeer(new Bitfield(3)), RangeError);
    const seed = new Picker({ pieceCount: 2, pieceLength: BLOCK, totalLength: 2 * BLOCK }, all(2));
    assert.deepEqual(seed.pick(all(2), 4, 'a'), []);
    assert.equal(seed.endgame, false);
  });
});

describe('endgame', () => {
  test('outstanding blocks go to several peers; the first arrival cancels the rest', () => {
    const p = swarm('2');
    const a = p.pick(all(1), 4, 'a');
    assert.equal(a.length, 2);
    assert.ok(p.endgame);
    const b = p.pick(all(1), 4, 'b');
    assert.deepEqual(b, a);
    assert.deepEqual(p.pick(all(1), 4, 'b'), [], 'never twice to the same peer');
    const got = p.blockReceived(a[0], 'b');
    assert.deepEqual(got, { accepted: true, cancel: [{ peerKey: 'a', req: a[0] }], pieceComplete: false });
    assert.equal(p.blockReceived(a[0], 'a').accepted, false);
    assert.equal(p.outstanding('a'), 1);
    p.releasePeer('b');
    assert.equal(p.blockReceived(a[1], 'a').pieceComplete, true);
  });

  test('duplicates are bounded and spread over the least-asked blocks', () => {
    const p = swarm('9', ' ', { blocksPerPiece: 2, endgameRequesters: 2 });
    p.pick(all(1), 1, 'a');
    p.pick(all(1), 1, 'b');
    assert.ok(p.endgame);
    assert.equal(p.pick(all(1), 4, 'c').length, 2);
    assert.deepEqual(p.pick(all(1), 4, 'd'), []);
  });

  test('a deep pipeline is not filled with duplicates: a peer gets some only while it has few outstanding', () => {
    // 4 pieces of 64 blocks; peer a took every block, so b is in endgame with a pipeline of 250.
    const p = swarm('2222', '    ', { blocksPerPiece: 64, endgameBurst: 4 });
    assert.equal(p.pick(all(4), 1000, 'a').length, 256);
    assert.ok(p.endgame);
    const first = p.pick(all(4), 250, 'b');
    assert.equal(first.length, 4, 'at most endgameBurst duplicates at once');
    assert.deepEqual(p.pick(all(4), 250, 'b'), [], 'none while it still has its burst outstanding');
    p.blockReceived(first[0], 'b');
    assert.equal(p.pick(all(4), 250, 'b').length, 1, 'one more once one arrived');
  });
});
