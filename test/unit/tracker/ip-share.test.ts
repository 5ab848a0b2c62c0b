/** Per-IP entries, the eviction rule and the new-swarm rate, over tiny fixtures and a fake clock. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evictionVictim, ipKeyOf, IpEntries, NewSwarmRate, victimAmong } from '../../../daemon/src/tracker/server/ip-share';

describe('IP shares', () => {
  test('the IP key is the 4 IPv4 bytes, else the 16 IPv6 bytes, ordered as bytes', () => {
    assert.equal(ipKeyOf({ ipv4: '10.0.0.2', ipv6: '::1' }), '\x0a\x00\x00\x02');
    assert.equal(ipKeyOf({ ipv4: undefined, ipv6: '::1' }).length, 16);
    assert.ok(ipKeyOf({ ipv4: '10.0.0.10', ipv6: undefined }) > ipKeyOf({ ipv4: '10.0.0.9', ipv6: undefined }), 'numeric, not text, order');
  });

  test('entries keep each IP oldest first, one entry or many', () => {
    const e = new IpEntries();
    e.add('A', 'a1');
    e.add('A', 'a2');
    e.add('B', 'b1');
    assert.deepEqual([e.count('A'), e.oldest('A'), e.count('B'), e.oldest('B')], [2, 'a1', 1, 'b1']);
    e.remove('A', 'a1');
    e.add('A', 'a3');
    assert.deepEqual([e.count('A'), e.oldest('A')], [2, 'a2']);
    e.remove('A', 'missing');
    e.remove('B', 'a2');
    e.remove('C', 'a2');
    assert.deepEqual([e.count('A'), e.count('B')], [2, 1]);
    e.remove('A', 'a2');
    e.remove('A', 'a3');
    e.remove('B', 'b1');
    assert.deepEqual([e.count('A'), e.oldest('A'), e.count('B'), e.top()], [0, undefined, 0, undefined]);
  });

  test('top is the IP with the most entries, the greatest address among ties', () => {
    const e = new IpEntries();
    assert.equal(e.top(), undefined);
    for (const [ip, key] of [['A', '1'], ['C', '2'], ['B', '3'], ['B', '4'], ['A', '5']]) e.add(ip, key);
    assert.deepEqual(e.top(), { ip: 'B', count: 2 });
    e.add('C', '6');
    assert.deepEqual(e.top(), { ip: 'C', count: 2 });
  });

  test('an IP gives way only when it holds two more than the newcomer', () => {
    assert.equal(evictionVictim(undefined, 0), undefined);
    assert.equal(evictionVictim({ ip: 'F', count: 1 }, 0), undefined, 'everyone holds one: the table is truly full');
    assert.equal(evictionVictim({ ip: 'F', count: 2 }, 0), 'F');
    assert.equal(evictionVictim({ ip: 'F', count: 3 }, 2), undefined, 'no taking turns');
    assert.equal(evictionVictim({ ip: 'F', count: 4 }, 2), 'F');
  });

  test('new swarms per IP are counted per minute of the clock', () => {
    const now = { t: 120_000 };
    const rate = new NewSwarmRate(2, () => now.t);
    rate.record('A');
    rate.record('A');
    assert.deepEqual([rate.allows('A'), rate.allows('B')], [false, true]);
    now.t = 179_999;
    assert.equal(rate.allows('A'), false);
    now.t = 180_000;
    assert.equal(rate.allows('A'), true);
  });
});

describe('IP shares: the bound that spares scans', () => {
  test('rises with additions, becomes exact at a scan, and decides like a scan would', () => {
    const e = new IpEntries();
    assert.equal(e.mayExceed(0), false);
    e.add('A', '1');
    e.add('A', '2');
    e.add('B', '3');
    assert.deepEqual([e.mayExceed(1), e.mayExceed(2)], [true, false]);
    e.remove('A', '1');
    assert.equal(e.mayExceed(1), true, 'a removal leaves the bound high');
    assert.equal(victimAmong(e, 0), undefined, 'A and B hold one each: nobody gives way');
    assert.equal(e.mayExceed(1), false, 'the scan made the bound exact');
    e.add('B', '4');
    assert.equal(victimAmong(e, 0), 'B');
  });
});
