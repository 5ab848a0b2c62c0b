import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BLOCK_SIZE, Geometry, bytesOfPieces, pieceCountOf, pieceSizeOf, spansOf } from '../../../daemon/src/util/geometry';
import { Bitfield } from '../../../daemon/src/util/bitfield';

function layout(lengths: number[], pieceLength: number): { pieceLength: number; totalLength: number; files: { length: number; offset: number }[] } {
  let offset = 0;
  const files = lengths.map((length) => {
    const f = { length, offset };
    offset += length;
    return f;
  });
  return { pieceLength, totalLength: offset, files };
}

describe('Geometry', () => {
  test('piece and block sizes, with a short last piece and block', () => {
    const g = new Geometry(layout([100_000], 32768));
    assert.equal(g.pieceCount, 4);
    assert.deepEqual([0, 1, 2, 3].map((i) => g.pieceSize(i)), [32768, 32768, 32768, 1696]);
    assert.equal(g.blockCount(0), 2);
    assert.equal(g.blockCount(3), 1);
    assert.equal(g.blockSize(0, 1), BLOCK_SIZE);
    assert.equal(g.blockSize(3, 0), 1696);
    assert.equal(g.blockIndex(16384), 1);
    assert.equal(g.blockIndex(16383), 0);
    assert.equal(g.pieceOffset(3), 98304);
    assert.throws(() => g.pieceSize(4), RangeError);
    assert.throws(() => g.blockSize(0, 2), RangeError);
    assert.throws(() => g.pieceSize(-1), RangeError);
  });

  test('exact multiple: last piece full', () => {
    const g = new Geometry(layout([65536], 16384));
    assert.equal(g.pieceCount, 4);
    assert.equal(g.pieceSize(3), 16384);
  });

  test('piece spans across files, skipping zero-length ones', () => {
    const g = new Geometry(layout([0, 10_000, 0, 0, 30_000, 5], 16384));
    assert.deepEqual(g.pieceSpans(0), [
      { fileIndex: 1, fileOffset: 0, length: 10_000 },
      { fileIndex: 4, fileOffset: 0, length: 6384 },
    ]);
    assert.deepEqual(g.pieceSpans(2), [
      { fileIndex: 4, fileOffset: 22768, length: 7232 },
      { fileIndex: 5, fileOffset: 0, length: 5 },
    ]);
    assert.deepEqual(g.rangeSpans(1, 16384, 0), []);
    assert.deepEqual(g.rangeSpans(1, 100, 5), [{ fileIndex: 4, fileOffset: 6484, length: 5 }]);
    assert.throws(() => g.rangeSpans(2, 7000, 300), RangeError);
  });
});

describe('spansOf', () => {
  test('refuses ranges outside the data', () => {
    const { files } = layout([10, 10], 16384);
    assert.throws(() => spansOf(files, 15, 6), RangeError);
    assert.throws(() => spansOf(files, -1, 1), RangeError);
    assert.deepEqual(spansOf(files, 20, 0), []);
    assert.deepEqual(spansOf([], 0, 0), []);
  });

  test('property: spans tile the range exactly, in order, never in empty files', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (lengths, a, b) => {
          const { files, totalLength } = layout(lengths, 16384);
          const offset = totalLength === 0 ? 0 : a % (totalLength + 1);
          const length = (totalLength - offset) === 0 ? 0 : b % (totalLength - offset + 1);
          const spans = spansOf(files, offset, length);
          let pos = offset;
          for (const s of spans) {
            assert.ok(s.length > 0 && lengths[s.fileIndex] > 0);
            assert.equal(files[s.fileIndex].offset + s.fileOffset, pos);
            assert.ok(s.fileOffset + s.length <= lengths[s.fileIndex]);
            pos += s.length;
          }
          assert.equal(pos, offset + length);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

test('bytesOfPieces: whole pieces, and the shorter last one only when held', () => {
  const shape = { pieceLength: 100, totalLength: 250, pieceCount: 3 };
  assert.equal(bytesOfPieces(shape, Bitfield.fromString('...')), 0);
  assert.equal(bytesOfPieces(shape, Bitfield.fromString('**.')), 200);
  assert.equal(bytesOfPieces(shape, Bitfield.fromString('.**')), 150);
  assert.equal(bytesOfPieces(shape, Bitfield.fromString('***')), 250);
});

describe('pieceCountOf and pieceSizeOf', () => {
  test('property: the pieces tile the data, each full but a shorter last one, as Geometry says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 5_000_000 }), (exp, totalLength) => {
        const pieceLength = BLOCK_SIZE << exp;
        const pieceCount = pieceCountOf(pieceLength, totalLength);
        const shape = { pieceCount, pieceLength, totalLength };
        const g = new Geometry({ pieceLength, totalLength, files: [{ offset: 0, length: totalLength }] });
        let sum = 0;
        for (let i = 0; i < pieceCount; i++) {
          const size = pieceSizeOf(shape, i);
          assert.ok(size > 0 && size <= pieceLength);
          if (i < pieceCount - 1) assert.equal(size, pieceLength);
          assert.equal(g.pieceSize(i), size);
          sum += size;
        }
        assert.equal(sum, totalLength);
        assert.equal(g.pieceCount, pieceCount);
      }),
      { numRuns: 200 },
    );
  });
});
