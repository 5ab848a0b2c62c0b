import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../daemon/src/util/bitfield';

test('set, has and count follow the wire bit order', () => {
  const bf = new Bitfield(10);
  bf.set(0);
  bf.set(9);
  assert.deepEqual([...bf.bytes], [0x80, 0x40]);
  assert.equal(bf.count, 2);
  assert.ok(bf.has(9) && !bf.has(8) && !bf.has(10));
  bf.set(9, false);
  assert.equal(bf.count, 1);
});

test('refuses wrong sizes and spare bits', () => {
  assert.throws(() => new Bitfield(10, new Uint8Array(1)), RangeError);
  assert.throws(() => new Bitfield(10, Uint8Array.of(0, 1)), /spare bits/);
  assert.throws(() => new Bitfield(3).set(3), RangeError);
});

test('fixture strings round-trip', () => {
  const bf = Bitfield.fromString('* *  *');
  assert.equal(bf.toString(), '*.*..*');
  assert.deepEqual([...bf.indices()], [0, 2, 5]);
  assert.ok(Bitfield.full(9).complete);
});
