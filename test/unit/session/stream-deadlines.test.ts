import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PIECE_STEP_MS, StreamDeadlines } from '../../../daemon/src/session/stream-deadlines';

const KIB = 1024;

function setup(windowBytes = 4 * KIB): { d: StreamDeadlines; applied: (Map<number, number> | undefined)[]; clock: { t: number } } {
  const applied: (Map<number, number> | undefined)[] = [];
  const clock = { t: 1000 };
  const d = new StreamDeadlines({ pieceLength: KIB, totalLength: 10 * KIB }, (m) => applied.push(m && new Map(m)), () => clock.t, windowBytes);
  return { d, applied, clock };
}

describe('stream deadlines', () => {
  test('a reader gives the pieces of its window deadlines, nearest soonest', () => {
    const { d, applied } = setup();
    d.open(2 * KIB + 5, 10 * KIB);
    assert.deepEqual([...(applied.at(-1) ?? [])], [
      [2, 1000],
      [3, 1000 + PIECE_STEP_MS],
      [4, 1000 + 2 * PIECE_STEP_MS],
      [5, 1000 + 3 * PIECE_STEP_MS],
      [6, 1000 + 4 * PIECE_STEP_MS],
    ]);
  });

  test('the window stops at the end of the range', () => {
    const { d, applied } = setup();
    d.open(0, KIB + 1);
    assert.deepEqual([...(applied.at(-1)?.keys() ?? [])], [0, 1]);
  });

  test('moving on shifts the window; the earliest of two readers wins; release removes', () => {
    const { d, applied, clock } = setup(2 * KIB);
    const a = d.open(0, 10 * KIB);
    clock.t = 2000;
    const b = d.open(KIB, 10 * KIB);
    assert.deepEqual([...(applied.at(-1) ?? [])], [
      [0, 1000],
      [1, 1000 + PIECE_STEP_MS],
      [2, 2000 + PIECE_STEP_MS],
    ]);
    const pushes = applied.length;
    a.move(10);
    assert.equal(applied.length, pushes, 'inside the same piece: nothing to push');
    a.move(5 * KIB);
    assert.deepEqual([...(applied.at(-1)?.keys() ?? [])].sort(), [1, 2, 5, 6]);
    a.release();
    a.release();
    b.release();
    assert.equal(applied.at(-1), undefined);
    assert.equal(d.readerCount, 0);
  });
});
