/** Node ids: XOR distance, prefixes, and the BEP 42 test vectors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bep42Id, commonPrefixLength, compareDistance, crc32c, distance, isBep42Valid, randomId, randomIdWithPrefix } from '../../../daemon/src/dht/node-id';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('node ids', () => {
  test('XOR distance orders ids; the common prefix counts leading equal bits', () => {
    const zero = new Uint8Array(20);
    const a = hex('00'.repeat(19) + '01');
    const b = hex('80' + '00'.repeat(19));
    assert.ok(compareDistance(zero, a, b) < 0);
    assert.ok(compareDistance(zero, b, a) > 0);
    assert.equal(compareDistance(zero, a, a), 0);
    assert.deepEqual(distance(a, b), hex('80' + '00'.repeat(18) + '01'));
    assert.equal(commonPrefixLength(zero, b), 0);
    assert.equal(commonPrefixLength(zero, a), 159);
    assert.equal(commonPrefixLength(a, a), 160);
  });

  test('randomIdWithPrefix lands in the bucket it was asked for', () => {
    const own = randomId();
    for (const bits of [0, 1, 7, 8, 9, 63, 159, 160]) assert.equal(commonPrefixLength(own, randomIdWithPrefix(own, bits)), bits);
  });

  test('crc32c of "123456789" is the standard check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  test('BEP 42 test vectors', () => {
    const vectors: [string, number, string][] = [
      ['124.31.75.21', 1, '5fbfbf'],
      ['21.75.31.124', 86, '5a3ce9'],
      ['65.23.51.170', 22, 'a5d432'],
      ['84.124.73.14', 65, '1b0321'],
      ['43.213.53.83', 90, 'e56f6c'],
    ];
    for (const [ip, r, prefix] of vectors) {
      const rand = randomId();
      rand[19] = r;
      const id = bep42Id(ip, rand);
      assert.equal(id[19], r);
      assert.equal(Buffer.from(id.subarray(0, 2)).toString('hex'), prefix.slice(0, 4), ip);
      assert.equal(id[2] & 0xf8, parseInt(prefix.slice(4), 16) & 0xf8, ip);
      assert.ok(isBep42Valid(id, ip));
      assert.ok(!isBep42Valid(id, '8.8.4.4'), 'not valid for another address');
    }
    assert.ok(isBep42Valid(randomId(), '127.0.0.1'), 'loopback is exempt');
    assert.ok(isBep42Valid(randomId(), '192.168.1.5'), 'private ranges are exempt');
  });
});
