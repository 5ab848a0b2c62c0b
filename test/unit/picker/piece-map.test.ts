import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pieceMap } from '../../../daemon/src/picker/piece-map';
import { Bitfield } from '../../../daemon/src/util/bitfield';

describe('pieceMap', () => {
  test('have, under way and availability (capped at 255), from compact fixtures', () => {
    const have = new Bitfield(10);
    for (const i of [0, 1, 9]) have.set(i);
    const avail = [0, 1, 2, 300, 4, 5, 6, 7, 8, 9];
    const m = pieceMap({ have, partialPieces: () => [3, 4, 12], availability: (i) => avail[i] });
    assert.equal(m.pieceCount, 10);
    assert.deepEqual([...m.have], [0b1100_0000, 0b0100_0000]);
    assert.deepEqual([...m.downloading], [0b0001_1000, 0], 'an index out of range is ignored');
    assert.deepEqual([...m.availability], [0, 1, 2, 255, 4, 5, 6, 7, 8, 9]);
    have.set(5);
    assert.equal(m.have[0], 0b1100_0000, 'a copy, not a view of the live bitfield');
  });
});
