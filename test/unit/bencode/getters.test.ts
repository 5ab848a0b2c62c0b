import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BencodeError,
  asInt,
  asString,
  bdecode,
  getBytes,
  getInt,
  getString,
  keyBytes,
  optDict,
  optInt,
  typeName,
} from '../../../daemon/src/bencode';
import type { BDict } from '../../../daemon/src/bencode';

const dict = bdecode(Buffer.from('d1:ai1e1:b3:h\u00c3\u00a9e', 'latin1')) as BDict;

test('typed getters return the value or a BencodeError naming the field', () => {
  assert.equal(getInt(dict, 'a'), 1);
  assert.equal(getString(dict, 'b'), 'hé');
  assert.deepEqual(getBytes(dict, 'b'), new Uint8Array([0x68, 0xc3, 0xa9]));
  assert.equal(optInt(dict, 'missing'), undefined);
  assert.equal(optDict(dict, 'missing'), undefined);
  assert.throws(() => getInt(dict, 'b', 'info.thing'), (e: unknown) => e instanceof BencodeError && e.code === 'wrong-type' && /info\.thing: expected an integer, got byte string/.test(e.message));
  assert.throws(() => getBytes(dict, 'zz'), (e: unknown) => e instanceof BencodeError && e.code === 'missing-key' && e.offset === -1 && /zz: missing/.test(e.message));
  assert.throws(() => optDict(dict, 'a'), /a: expected a dictionary, got integer/);
  assert.throws(() => asInt([], 'x'), /got list/);
  assert.throws(() => asString(new Map(), 'y'), /got dictionary/);
  assert.equal(typeName(3), 'integer');
});

test('keyBytes gives back the raw key bytes', () => {
  assert.deepEqual(keyBytes('\u00ff\u0001'), new Uint8Array([0xff, 1]));
});
