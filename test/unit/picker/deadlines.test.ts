import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_NEAR_MS, PiecePriority } from '../../../daemon/src/picker';
import { orderDeadlines } from '../../../daemon/src/picker/deadlines';
import { BLOCK, all, bf, pieces, swarm } from './fixtures';

const deadlines = (entries: [number, number][]): Map<number, number> => new Map(entries);

describe('piece deadlines', () => {
  test('a deadline piece pre-empts rarest first', () => {
    const p = swarm('3313');
    p.setDeadlines(deadlines([[0, 100]]));
    assert.deepEqual(pieces(p.pick(all(4), 3, 'a')), [0, 0, 2], 'the deadline piece, then the rarest');
  });

  test('soonest deadline first, then the next', () => {
    const p = swarm('2222');
    p.setDeadlines(deadlines([[3, 200], [1, 100]]));
    assert.deepEqual(pieces(p.pick(all(4), 4, 'a')), [1, 1, 3, 3]);
  });

  test('a deadline pre-empts priorities and partial pieces', () => {
    const p = swarm('1111', '    ', { blocksPerPiece: 4 });
    p.setPriorities(Uint8Array.from([PiecePriority.high, PiecePriority.low, PiecePriority.normal, PiecePriority.normal]));
    assert.deepEqual(pieces(p.pick(all(4), 1, 'a')), [0], 'high priority first without deadlines');
    p.setDeadlines(deadlines([[1, 50]]));
    assert.deepEqual(pieces(p.pick(all(4), 5, 'b')), [1, 1, 1, 1, 0], 'the low piece with a deadline before the started high one');
  });

  test('a deadline piece starts even without room for new pieces', () => {
    const p = swarm('1111');
    p.setDeadlines(deadlines([[2, 0]]));
    assert.deepEqual(pieces(p.pick(all(4), 4, 'a', 0)), [2, 2]);
  });

  test('never a piece the peer lacks, we have, or skip', () => {
    const p = swarm('2222', ' *  ');
    p.setPriorities(Uint8Array.from([2, 2, 0, 2]));
    p.setDeadlines(deadlines([[0, 10], [1, 10], [2, 10]]));
    assert.deepEqual(pieces(p.pick(bf(' ***'), 2, 'a')), [3, 3], 'piece 0 it lacks, 1 we have, 2 skipped: rarest first goes on');
  });

  test('near its deadline a block is asked of a second peer, never a third', () => {
    const p = swarm('2222');
    p.setDeadlines(deadlines([[0, 1000]]));
    assert.deepEqual(pieces(p.pick(all(4), 2, 'a', Infinity, { now: 0 })), [0, 0]);
    const second = p.pick(all(4), 2, 'b', Infinity, { now: 1000 - DEADLINE_NEAR_MS - 1 });
    assert.equal(second.length, 2);
    assert.ok(!pieces(second).includes(0), 'not near yet: b gets other work');
    const near = p.pick(all(4), 2, 'c', Infinity, { now: 0 });
    assert.deepEqual(near.map((r) => [r.piece, r.offset]), [[0, 0], [0, BLOCK]], 'near: c duplicates a');
    assert.deepEqual(pieces(p.pick(all(4), 2, 'd', Infinity, { now: 0 })).includes(0), false, 'two requesters are enough');
    const receipt = p.blockReceived({ piece: 0, offset: 0, length: BLOCK }, 'c');
    assert.deepEqual(receipt.cancel.map((c) => c.peerKey), ['a'], 'the slower copy is cancelled');
  });

  test('a verified piece leaves the deadlines; clearing them restores rarest first', () => {
    const p = swarm('2213', '    ', { blocksPerPiece: 1 });
    p.setDeadlines(deadlines([[3, 0], [0, 5]]));
    assert.equal(p.deadlineCount, 2);
    assert.deepEqual(pieces(p.pick(all(4), 1, 'a')), [3]);
    p.blockReceived({ piece: 3, offset: 0, length: BLOCK }, 'a');
    p.pieceVerified(3, true);
    assert.equal(p.deadlineCount, 1);
    p.setDeadlines(undefined);
    assert.deepEqual(pieces(p.pick(all(4), 1, 'a')), [2], 'rarest again');
  });

  test('orderDeadlines sorts soonest first and drops pieces out of range', () => {
    assert.deepEqual(orderDeadlines(deadlines([[2, 5], [1, 5], [0, 9], [7, 1], [-1, 0]]), 4), [
      { piece: 1, at: 5 },
      { piece: 2, at: 5 },
      { piece: 0, at: 9 },
    ]);
    assert.deepEqual(orderDeadlines(undefined, 4), []);
  });
});

describe('yielding to a near deadline', () => {
  test('a seek: the newest blocks without a deadline go back, as many as the deadline piece lacks', () => {
    const p = swarm('1111', '    ', { blocksPerPiece: 2 });
    p.setSequential(true);
    assert.deepEqual(pieces(p.pick(all(4), 6, 'a')), [0, 0, 1, 1, 2, 2]);
    assert.deepEqual(p.yieldToDeadlines(all(4), 'a', 2, 0), [], 'no deadline: nothing to yield');
    p.setDeadlines(deadlines([[3, 100]]));
    const given = p.yieldToDeadlines(all(4), 'a', 2, 0);
    assert.deepEqual(given.map((r) => [r.piece, r.offset]), [[2, 0], [2, BLOCK]], 'the newest two, not the first two on their way');
    assert.equal(p.outstanding('a'), 4);
    assert.deepEqual(pieces(p.pick(all(4), 2, 'a')), [3, 3], 'the deadline piece takes their place');
    assert.deepEqual(p.yieldToDeadlines(all(4), 'a', 2, 0), [], 'the deadline piece is asked for: nothing more to yield');
  });

  test('a deadline far off, or of a piece the peer lacks, yields nothing; deadline blocks never yield', () => {
    const p = swarm('1111', '    ', { blocksPerPiece: 2 });
    p.setDeadlines(deadlines([[1, 0]]));
    assert.deepEqual(pieces(p.pick(all(4), 4, 'a')).slice(0, 2), [1, 1]);
    p.setDeadlines(deadlines([[1, 0], [3, 10_000]]));
    assert.deepEqual(p.yieldToDeadlines(all(4), 'a', 0, 0), [], 'piece 3 is not near');
    p.setDeadlines(deadlines([[1, 0], [3, 0]]));
    assert.deepEqual(p.yieldToDeadlines(bf('*** '), 'a', 0, 0), [], 'the peer lacks piece 3');
    const given = p.yieldToDeadlines(all(4), 'a', 0, 0);
    assert.ok(given.every((r) => r.piece !== 1), 'blocks of a deadline piece stay asked for');
  });
});
