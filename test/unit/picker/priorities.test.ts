import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Picker, piecePriorities, type FilePriority } from '../../../daemon/src/picker';
import { BLOCK, all, bf, pieces, seeded, swarm } from './fixtures';

/**
 * Files from a compact layout: one letter per block, pieces separated by spaces, the letters naming
 * files in order ("aaab bbcc": a is 3 blocks, b is 3, c is 2, pieces of 4 blocks). A '.' is padding.
 * `prio` gives a priority per file letter, others normal.
 */
function layoutOf(blocks: string, prio: Record<string, FilePriority>) {
  const pieceBlocks = blocks.split(' ')[0].length;
  const flat = blocks.replaceAll(' ', '');
  const files: { offset: number; length: number; padding?: boolean }[] = [];
  const priorities: FilePriority[] = [];
  let prev = '';
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] !== prev || flat[i] === '.') {
      files.push({ offset: i * BLOCK, length: 0, ...(flat[i] === '.' ? { padding: true } : {}) });
      priorities.push(prio[flat[i]] ?? 'normal');
      prev = flat[i];
    }
    files[files.length - 1].length += BLOCK;
  }
  return { pieceLength: pieceBlocks * BLOCK, totalLength: flat.length * BLOCK, files, priorities };
}

/** Piece priorities as digits (0 skip .. 3 high). */
function prioString(blocks: string, prio: Record<string, FilePriority>): string {
  const l = layoutOf(blocks, prio);
  return [...piecePriorities(l, l.priorities)].join('');
}

/** A picker over `blocks` with availability per piece and the file priorities applied. */
function filePicker(blocks: string, availability: string, prio: Record<string, FilePriority>, have?: string): Picker {
  const l = layoutOf(blocks, prio);
  const p = swarm(availability, have, { blocksPerPiece: l.pieceLength / BLOCK });
  p.setPriorities(piecePriorities(l, l.priorities));
  return p;
}

describe('piece priorities from file priorities', () => {
  test('a piece takes the highest priority of the files it touches; boundary pieces of a skipped file are wanted', () => {
    assert.equal(prioString('aaab bbbb bccc', { b: 'skip' }), '202');
    assert.equal(prioString('aaab bbbb bccc', { a: 'skip', c: 'skip' }), '222', 'b touches every piece');
  });

  test('boundary, priorities and padding in one table', () => {
    // b skipped: its inner piece 1 is skipped, pieces 0 and 2 touch a or c and are wanted.
    assert.equal(prioString('aaab bbbb bccc', { b: 'skip' }), '202');
    // a high, c low: the piece a shares with b is high, the one b shares with c is normal.
    assert.equal(prioString('aaab bbbb bccc', { a: 'high', c: 'low' }), '322');
    // Everything skipped but c, which is low: only c's piece.
    assert.equal(prioString('aaab bbbb bccc', { a: 'skip', b: 'skip', c: 'low' }), '001');
    // Padding never makes a piece wanted: a's piece ends in padding, the next piece is b's.
    assert.equal(prioString('aa.. bbbb', { a: 'skip' }), '02');
    assert.equal(prioString('aa.. bbbb', { b: 'skip' }), '20');
  });
});

describe('picker with priorities', () => {
  test('pieces of skipped files are never picked, and the torrent completes without them', () => {
    const p = filePicker('aaaa bbbb cccc dddd', '1111', { b: 'skip', d: 'skip' });
    assert.equal(p.missingPieces, 2);
    const got = new Set(pieces(p.pick(all(4), 100, 'x')));
    assert.deepEqual([...got].sort(), [0, 2]);
    assert.ok(p.endgame);
    p.pieceVerified(0, true);
    p.pieceVerified(2, true);
    assert.equal(p.missingPieces, 0, 'complete: every wanted piece is here');
    assert.equal(p.isInteresting(all(4)), false, 'nothing wanted is left to get');
    assert.deepEqual(p.pick(all(4), 10, 'x'), []);
  });

  test('a boundary piece between a skipped and a wanted file is picked whole', () => {
    const p = filePicker('aaab bbbb bccc', '111', { b: 'skip' });
    const reqs = p.pick(all(3), 100, 'x');
    assert.deepEqual([...new Set(pieces(reqs))].sort(), [0, 2]);
    assert.equal(reqs.length, 8, 'every block of both boundary pieces, the skipped file part included');
  });

  test('higher priority first, rarest first within a priority', () => {
    // pieces: 0,1 = a (low); 2,3 = b (high); 4,5 = c (normal). Availability makes 0 and 4 rarest overall.
    const p = filePicker('aa aa bb bb cc cc', '133213', { a: 'low', b: 'high' });
    const order: number[] = [];
    for (let i = 0; i < 6; i++) order.push(p.pick(all(6), 2, `peer${i}`)[0].piece);
    assert.deepEqual(order, [3, 2, 4, 5, 0, 1], 'high (rarer 3 before 2), normal (4 before 5), low (0 before 1)');
  });

  test('interest follows wanted pieces only', () => {
    const p = filePicker('aa bb cc', '111', { b: 'skip' });
    assert.equal(p.isInteresting(bf(' * ')), false, 'the peer only has the skipped piece');
    assert.equal(p.isInteresting(bf('  *')), true);
  });

  test('turning a skipped file on again makes its pieces wanted; in-flight blocks of a newly skipped piece still finish', () => {
    const l = layoutOf('aa bb cc', {});
    const p = swarm('111', undefined, { blocksPerPiece: 2 });
    const first = p.pick(bf(' * '), 1, 'x');
    assert.deepEqual(pieces(first), [1]);
    p.setPriorities(piecePriorities(l, ['normal', 'skip', 'normal']));
    assert.equal(p.missingPieces, 2);
    assert.ok(!pieces(p.pick(all(3), 10, 'y')).includes(1), 'nothing more of the skipped piece is asked');
    assert.equal(p.blockReceived(first[0], 'x').accepted, true, 'the block in flight is taken');
    p.setPriorities(piecePriorities(l, ['normal', 'normal', 'normal']));
    assert.equal(p.missingPieces, 3);
    assert.deepEqual(pieces(p.pick(all(3), 1, 'z')), [1], 'the rest of the partial piece comes first');
  });

  test('rejects a priority table of the wrong length', () => {
    const p = new Picker({ pieceCount: 2, pieceLength: BLOCK, totalLength: 2 * BLOCK }, new Bitfield(2));
    assert.throws(() => p.setPriorities(new Uint8Array(3)), RangeError);
  });
});

describe('sequential', () => {
  test('pieces in index order, not rarest first; priorities still come first', () => {
    const p = swarm('3213', undefined, { blocksPerPiece: 1 });
    p.setSequential(true);
    assert.deepEqual(pieces(p.pick(all(4), 4, 'x')), [0, 1, 2, 3]);
    const q = filePicker('a b c d', '3213', { c: 'high', a: 'skip' });
    q.setSequential(true);
    assert.deepEqual(pieces(q.pick(all(4), 4, 'x')), [2, 1, 3]);
    const r = swarm('3213', undefined, { blocksPerPiece: 1 });
    assert.deepEqual(pieces(r.pick(all(4), 1, 'x')), [2], 'rarest first without it');
  });
});

describe('skipped pieces leave the rarity order', () => {
  test('random skips and un-skips: only wanted pieces are picked, rarest first, and every wanted one is reached', () => {
    const rnd = seeded(11);
    for (let round = 0; round < 40; round++) {
      const n = 24;
      const avail = Array.from({ length: n }, () => 1 + Math.floor(rnd() * 4)).join('');
      const p = swarm(avail, undefined, { blocksPerPiece: 1 });
      let prio = new Uint8Array(n);
      for (let flips = 0; flips < 3; flips++) {
        prio = Uint8Array.from({ length: n }, () => (rnd() < 0.5 ? 0 : 2));
        p.setPriorities(prio);
      }
      const picked = pieces(p.pick(all(n), n, 'x'));
      const wanted = [...prio.keys()].filter((i) => prio[i] !== 0);
      assert.deepEqual([...picked].sort((a, b) => a - b), wanted, `round ${round}`);
      const order = picked.map((i) => Number(avail[i]));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), 'rarest first');
    }
  });
});
