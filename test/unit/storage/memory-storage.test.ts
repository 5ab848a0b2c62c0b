import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStorage, StorageError } from '../../../daemon/src/storage';
import { makeTorrent, pieceOf } from './fixtures';

const isCode = (code: string) => (err: unknown) => err instanceof StorageError && err.code === code;

test('memory storage: written pieces read back and verify; a changed byte does not', async () => {
  const { m, data } = makeTorrent([{ path: [], length: 40000 }], 16384);
  const s = createMemoryStorage(m);
  for (let p = 0; p < m.pieceCount; p++) {
    assert.equal(await s.verifyPiece(p), false, 'nothing written yet');
    await s.write(p, 0, pieceOf(m, data, p));
    assert.equal(await s.verifyPiece(p), true);
  }
  assert.deepEqual(await s.read(2, 100, 50), data.subarray(2 * 16384 + 100, 2 * 16384 + 150));
  await s.write(1, 7, Uint8Array.of(data[16384 + 7] ^ 1));
  assert.equal(await s.verifyPiece(1), false);
});

test('memory storage: unwritten ranges, bad ranges and closed storage reject with typed errors', async () => {
  const { m } = makeTorrent([{ path: [], length: 40000 }], 16384);
  const s = createMemoryStorage(m);
  await s.write(0, 0, new Uint8Array(10));
  await assert.rejects(s.read(0, 5, 10), isCode('missing'));
  await assert.rejects(s.read(2, 0, 16384), isCode('range'), 'last piece is short');
  await assert.rejects(s.write(3, 0, new Uint8Array(1)), isCode('range'));
  await assert.rejects(s.read(0, -1, 1), isCode('range'));
  await s.close();
  await assert.rejects(s.read(0, 0, 1), isCode('closed'));
});
