/** BEP 15 packets: the requests byte for byte, the answers of every kind, and garbage refused with a typed error. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeAnnounce, encodeConnect, parseUdpAnswer, parseUdpTrackerUrl, TrackerUdpError } from '../../../daemon/src/tracker/client';

const INFO_HASH = Buffer.alloc(20, 0xab);
const PEER_ID = Buffer.from('-BT0001-abcdefghijkl');

describe('UDP tracker codec', () => {
  test('connect request: protocol id, action 0, transaction id', () => {
    assert.equal(encodeConnect(0xdeadbeef).toString('hex'), '0000041727101980' + '00000000' + 'deadbeef');
  });

  test('announce request: every field at its offset', () => {
    const b = encodeAnnounce(0x0102030405060708n, 7, {
      infoHash: INFO_HASH,
      peerId: PEER_ID,
      port: 6881,
      uploaded: 3,
      downloaded: 1,
      left: 2 ** 40,
      event: 'stopped',
      numwant: 50,
      key: '0a0b0c0d',
      ip: '10.1.2.3',
    });
    assert.equal(b.length, 98);
    assert.equal(b.readBigUInt64BE(0), 0x0102030405060708n);
    assert.deepEqual([b.readUInt32BE(8), b.readUInt32BE(12)], [1, 7]);
    assert.deepEqual(b.subarray(16, 36), INFO_HASH);
    assert.deepEqual(b.subarray(36, 56), PEER_ID);
    assert.deepEqual([b.readBigUInt64BE(56), b.readBigUInt64BE(64), b.readBigUInt64BE(72)], [1n, 2n ** 40n, 3n]);
    assert.equal(b.readUInt32BE(80), 3, 'stopped is 3');
    assert.equal(b.subarray(84, 88).join('.'), '10.1.2.3');
    assert.equal(b.readUInt32BE(88), 0x0a0b0c0d);
    assert.equal(b.readInt32BE(92), 50);
    assert.equal(b.readUInt16BE(96), 6881);
  });

  test('announce request defaults: no event, no ip, numwant -1; started and completed codes', () => {
    const base = { infoHash: INFO_HASH, peerId: PEER_ID, port: 1, uploaded: -5, downloaded: Number.NaN, left: 0 };
    const b = encodeAnnounce(1n, 1, base);
    assert.deepEqual([b.readUInt32BE(80), b.readUInt32BE(84), b.readInt32BE(92)], [0, 0, -1]);
    assert.deepEqual([b.readBigUInt64BE(56), b.readBigUInt64BE(72)], [0n, 0n], 'bad counts are sent as 0');
    assert.equal(encodeAnnounce(1n, 1, { ...base, event: 'completed' }).readUInt32BE(80), 1);
    assert.equal(encodeAnnounce(1n, 1, { ...base, event: 'started' }).readUInt32BE(80), 2);
    assert.equal(encodeAnnounce(1n, 1, { ...base, ip: '::1' }).readUInt32BE(84), 0, 'an IPv6 address is not sent');
    assert.throws(() => encodeAnnounce(1n, 1, { ...base, infoHash: new Uint8Array(19) }), TrackerUdpError);
  });

  test('answers: connect, announce with IPv4 and IPv6 peers, error', () => {
    const connect = Buffer.alloc(16);
    connect.writeUInt32BE(0, 0);
    connect.writeUInt32BE(9, 4);
    connect.writeBigUInt64BE(0xfeedn, 8);
    assert.deepEqual(parseUdpAnswer(connect, 4), { action: 'connect', transactionId: 9, connectionId: 0xfeedn });

    const announce = Buffer.concat([Buffer.from('00000001' + '00000009' + '00000708' + '00000002' + '00000003', 'hex'), Buffer.from([127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 80, 1])]);
    assert.deepEqual(parseUdpAnswer(announce, 4), {
      action: 'announce',
      transactionId: 9,
      interval: 1800,
      leechers: 2,
      seeders: 3,
      peers: [{ ip: '127.0.0.1', port: 6881 }, { ip: '10.0.0.2', port: 80 }],
    });
    const six = Buffer.concat([announce.subarray(0, 20), Buffer.alloc(15), Buffer.from([1, 0x1a, 0xe1])]);
    const overIpv6 = parseUdpAnswer(six, 6);
    assert.equal(overIpv6.action, 'announce');
    assert.deepEqual(overIpv6.action === 'announce' && overIpv6.peers, [{ ip: '::1', port: 6881 }]);

    const error = Buffer.concat([Buffer.from('0000000300000009', 'hex'), Buffer.from('torrent not\nregistered')]);
    assert.deepEqual(parseUdpAnswer(error, 4), { action: 'error', transactionId: 9, message: 'torrent not registered' });
  });

  test('short, unknown and oversized packets are typed errors', () => {
    for (const bad of [Buffer.alloc(0), Buffer.alloc(7), Buffer.from('0000000000000001', 'hex'), Buffer.from('0000000100000001', 'hex'), Buffer.from('0000000700000001', 'hex'), Buffer.alloc(70_000)]) {
      assert.throws(() => parseUdpAnswer(bad, 4), TrackerUdpError, bad.toString('hex').slice(0, 40));
    }
  });

  test('fuzz: any bytes parse or fail with TrackerUdpError, never anything else', () => {
    const parsed = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400, size: 'max' }), fc.constantFrom(4, 6), fc.nat(3), (bytes, family, action) => {
        const packet = Buffer.from(bytes);
        if (packet.length >= 4) packet.writeUInt32BE(action, 0);
        try {
          const a = parseUdpAnswer(packet, family as 4 | 6);
          parsed.add(a.action);
          if (a.action === 'announce') assert.ok(a.peers.every((p) => p.port >= 0 && p.port <= 65535));
        } catch (err) {
          if (!(err instanceof TrackerUdpError)) throw err;
        }
      }),
      { numRuns: 5000 },
    );
    assert.deepEqual([...parsed].sort(), ['announce', 'connect', 'error'], 'every kind of packet was read');
  });

  test('tracker URLs: host, port, family; anything else refused', () => {
    assert.deepEqual(parseUdpTrackerUrl('udp://tracker.example:1337/announce'), { host: 'tracker.example', port: 1337, family: 4 });
    assert.deepEqual(parseUdpTrackerUrl('udp://[::1]:80'), { host: '::1', port: 80, family: 6 });
    for (const bad of ['udp://nohost', 'udp://h:0', 'http://h:1', 'udp://:5', 'not a url']) assert.throws(() => parseUdpTrackerUrl(bad), TrackerUdpError, bad);
  });
});
