import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bdecode, bencode } from '../../../daemon/src/bencode';

const text = (v: Uint8Array): string => Buffer.from(v).toString('latin1');

describe('bencode', () => {
  test('every kind of value', () => {
    assert.equal(text(bencode(0)), 'i0e');
    assert.equal(text(bencode(-7)), 'i-7e');
    assert.equal(text(bencode(12345678901234567890n)), 'i12345678901234567890e');
    assert.equal(text(bencode('spam')), '4:spam');
    assert.equal(text(bencode('é')), '2:\u00c3\u00a9', 'strings are UTF-8');
    assert.equal(text(bencode(new Uint8Array([0, 255]))), '2:\u0000\u00ff');
    assert.equal(text(bencode([1, 'a', []])), 'li1e1:alee');
    assert.equal(text(bencode({})), 'de');
  });

  test('dictionary keys sorted as raw bytes, whatever the insertion order', () => {
    assert.equal(text(bencode({ b: 1, a: 2, B: 3 })), 'd1:Bi3e1:ai2e1:bi1ee');
    // 'é' is 0xC3 0xA9 in UTF-8: after 'z' as bytes, though before it in UTF-16 it is also after.
    assert.equal(text(bencode({ '\u00e9': 1, z: 2, '\u{1F600}': 3 })), 'd1:zi2e2:\u00c3\u00a9i1e4:\u00f0\u009f\u0098\u0080i3ee');
    assert.equal(text(bencode(new Map([['\u00ff', 1], ['\u0080', 2], ['a', 3]]))), 'd1:ai3e1:\u0080i2e1:\u00ffi1ee');
  });

  test('undefined values in objects and Maps are skipped', () => {
    assert.equal(text(bencode({ a: undefined, b: 1 })), 'd1:bi1ee');
    assert.equal(text(bencode(new Map([['a', undefined], ['b', 2]]))), 'd1:bi2ee');
  });

  test('refuses what bencode cannot carry', () => {
    assert.throws(() => bencode(1.5), TypeError);
    assert.throws(() => bencode(Number.MAX_SAFE_INTEGER + 1), TypeError);
    assert.throws(() => bencode(NaN), TypeError);
    assert.throws(() => bencode(null as never), TypeError);
    assert.throws(() => bencode(true as never), TypeError);
    assert.throws(() => bencode(new Map([['\u0100', 1]])), /latin1/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => bencode(cyclic as never), /nested too deeply/);
  });

  test('re-encoding a decoded canonical input gives the same bytes', () => {
    const input = 'd4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces0:e1:zli-1e0:ee';
    assert.equal(text(bencode(bdecode(Buffer.from(input, 'latin1')))), input);
  });

  test('grows its buffer for large values', () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    const out = bencode([big, big]);
    assert.equal(out.length, 2 * (big.length + 8) + 2);
    assert.deepEqual(bdecode(out), [big, big]);
  });
});
