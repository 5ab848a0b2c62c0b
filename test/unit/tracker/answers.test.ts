import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bencode, bdecode } from '../../../daemon/src/bencode';
import { decodeCompactPeers, encodeCompactPeer } from '../../../daemon/src/tracker/compact';
import { CompactAnnounceEncoder, encodeAnnounce, encodeFailure, encodeScrape } from '../../../daemon/src/tracker/server/responses';
import { parseAnnounceResponse, parseScrapeResponse, TrackerResponseError } from '../../../daemon/src/tracker/client/response';
import type { AnnounceOutcome, SwarmPeer } from '../../../daemon/src/tracker/server/swarm';
import { PeerPool } from '../../../daemon/src/tracker/server/pool';
import { PeerSelection } from '../../../daemon/src/tracker/server/selection';
import type { AnnounceParams } from '../../../daemon/src/tracker/server/params';

function peer(name: string, ipv4: string | undefined, ipv6: string | undefined, port: number): SwarmPeer {
  return { peerId: name.padEnd(20, '.'), ipv4, ipv6, port, seeder: false, lastSeen: 0, key: undefined, index: 0 };
}

/** An outcome handing out all of `peers`, through a pool as the swarm table builds it. */
function outcome(complete: number, incomplete: number, peers: SwarmPeer[]): AnnounceOutcome {
  const pool = new PeerPool();
  for (const p of peers) pool.add(p);
  const selection = new PeerSelection();
  selection.push(pool, 0, pool.length);
  return { complete, incomplete, selection };
}

const PEERS = [peer('a', '10.0.0.1', undefined, 6881), peer('b', undefined, '2001:db8::5', 51413), peer('c', '192.168.0.2', '::1', 1)];
const INTERVALS = { interval: 1800, minInterval: 900 };
const params = (over: Partial<AnnounceParams>): AnnounceParams => ({ compact: true, noPeerId: false, ...over }) as AnnounceParams;

describe('compact peers', () => {
  test('IPv4 and IPv6 round-trip, including :: forms and mapped tails', () => {
    for (const ip of ['1.2.3.4', '255.255.255.255', '::1', '2001:db8::5', 'fe80::1:0:0:2', '1:2:3:4:5:6:7:8', '::102:304']) {
      const family = ip.includes(':') ? 6 : 4;
      assert.deepEqual(decodeCompactPeers(encodeCompactPeer(ip, 65535), family), [{ ip, port: 65535 }]);
    }
    assert.deepEqual([...encodeCompactPeer('::ffff:1.2.3.4', 1)].slice(10, 16), [0xff, 0xff, 1, 2, 3, 4]);
    assert.deepEqual(decodeCompactPeers(Uint8Array.of(1, 2, 3, 4, 0, 80, 9), 4), [{ ip: '1.2.3.4', port: 80 }]);
    assert.throws(() => encodeCompactPeer('host', 1), RangeError);
  });
});

describe('server answers read by the client', () => {
  test('compact model: peers and peers6 split by family', () => {
    const body = encodeAnnounce(outcome(2, 3, PEERS), params({}), INTERVALS);
    const d = bdecode(body) as Map<string, unknown>;
    assert.equal((d.get('peers') as Uint8Array).length, 12);
    assert.equal((d.get('peers6') as Uint8Array).length, 36);
    const r = parseAnnounceResponse(body);
    assert.deepEqual([r.interval, r.minInterval, r.complete, r.incomplete], [1800, 900, 2, 3]);
    assert.deepEqual(r.peers.map((p) => `${p.ip}/${p.port}`).sort(), ['10.0.0.1/6881', '192.168.0.2/1', '2001:db8::5/51413', '::1/1']);
  });
  test('fuzz: the compact encoder writes exactly what bencode writes', () => {
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const swarmPeer = fc.record({ v4: maybe(fc.ipV4()), v6: maybe(fc.ipV6()), port: fc.integer({ min: 1, max: 65535 }) });
    fc.assert(
      fc.property(fc.array(swarmPeer, { maxLength: 30 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 86400 }), (raw, complete, incomplete, interval) => {
        const peers = raw.map((r, i) => peer(String(i), r.v4, r.v6, r.port));

        const intervals = { interval, minInterval: Math.floor(interval / 2) };
        const expected = new Map<string, Uint8Array | number>([['complete', complete], ['incomplete', incomplete], ['interval', interval], ['min interval', intervals.minInterval]]);
        expected.set('peers', Buffer.concat(peers.flatMap((p) => (p.ipv4 ? [encodeCompactPeer(p.ipv4, p.port)] : []))));
        const six = Buffer.concat(peers.flatMap((p) => (p.ipv6 ? [encodeCompactPeer(p.ipv6, p.port)] : [])));
        if (six.length > 0) expected.set('peers6', six);
        assert.deepEqual([...new CompactAnnounceEncoder(intervals).encode(outcome(complete, incomplete, peers))], [...bencode(expected)]);
      }),
    );
  });

  test('dictionary model with and without peer ids', () => {
    const withIds = bdecode(encodeAnnounce(outcome(0, 0, PEERS), params({ compact: false }), INTERVALS)) as Map<string, unknown>;
    const list = withIds.get('peers') as Map<string, unknown>[];
    assert.equal(list.length, 4);
    assert.equal(Buffer.from(list[0].get('peer id') as Uint8Array).toString(), 'a...................');
    const noIds = encodeAnnounce(outcome(0, 0, PEERS), params({ compact: false, noPeerId: true }), INTERVALS);
    assert.ok(((bdecode(noIds) as Map<string, unknown>).get('peers') as Map<string, unknown>[]).every((e) => !e.has('peer id')));
    assert.equal(parseAnnounceResponse(noIds).peers.length, 4);
  });
  test('failure, warning and scrape answers', () => {
    assert.equal(Buffer.from(encodeFailure('bad port')).toString(), 'd14:failure reason8:bad porte');
    assert.deepEqual(parseAnnounceResponse(encodeFailure('nope')), { failureReason: 'nope', peers: [] });
    const warned = parseAnnounceResponse(bencode({ 'warning message': 'slow down', interval: 60, peers: new Uint8Array(0) }));
    assert.equal(warned.warningMessage, 'slow down');
    const scrape = parseScrapeResponse(encodeScrape([['\xab'.repeat(20), { complete: 1, incomplete: 2, downloaded: 3 }]]));
    assert.deepEqual(scrape.get('ab'.repeat(20)), { complete: 1, incomplete: 2, downloaded: 3 });
  });
  test('client drops invalid dictionary peers and duplicates', () => {
    const body = bencode({ peers: [{ ip: '1.1.1.1', port: 1 }, { ip: 'evil.example', port: 2 }, { ip: '1.1.1.1', port: 1 }, { ip: '2.2.2.2', port: 0 }, 7] });
    assert.deepEqual(parseAnnounceResponse(body).peers, [{ ip: '1.1.1.1', port: 1 }]);
  });
  test('fuzz: arbitrary bytes give an answer or a TrackerResponseError', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200, size: 'max' }),
      fc.constantFrom('d5:peers', 'd5:peersi1ee', 'd8:intervali-5ee', 'le', 'd14:failure reasoni3ee', 'd6:peers63:abce').map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        try {
          parseAnnounceResponse(b);
        } catch (err) {
          assert.ok(err instanceof TrackerResponseError, String(err));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
