import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetainfoError, autoPieceLength, isValidPieceLength, parsePieceLength } from '../../../daemon/src/metainfo';

const MiB = 1024 * 1024;

test('automatic piece length aims at 1000–2000 pieces within 16 KiB..16 MiB', () => {
  assert.equal(autoPieceLength(1), 16384);
  assert.equal(autoPieceLength(1024 * MiB), MiB);
  assert.equal(autoPieceLength(10 * 1024 * MiB), 8 * MiB);
  assert.equal(autoPieceLength(10 * 1024 * 1024 * MiB), 16 * MiB);
  for (const size of [50 * MiB, 700 * MiB, 4000 * MiB]) {
    const n = size / autoPieceLength(size);
    assert.ok(n > 1000 && n <= 2000, `${size}: ${n} pieces`);
  }
});

test('valid piece lengths are powers of two from 16 KiB to 128 MiB', () => {
  assert.ok(isValidPieceLength(16384) && isValidPieceLength(128 * MiB));
  for (const n of [0, 8192, 20000, 256 * MiB, 1.5, -16384]) assert.equal(isValidPieceLength(n), false, String(n));
});

test('parsePieceLength reads bytes and K/M suffixes', () => {
  assert.equal(parsePieceLength('262144'), 262144);
  assert.equal(parsePieceLength('256K'), 262144);
  assert.equal(parsePieceLength('1m'), MiB);
  assert.equal(parsePieceLength('4MiB'), 4 * MiB);
  for (const t of ['', '1.5M', 'abc', '3000', '1G', '-1M']) assert.throws(() => parsePieceLength(t), MetainfoError, t);
});
