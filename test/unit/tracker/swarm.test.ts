import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import fc from 'fast-check';
import { bencode } from '../../../daemon/src/bencode';
import { encodeCompactPeer } from '../../../daemon/src/tracker/compact';
import { CompactAnnounceEncoder } from '../../../daemon/src/tracker/server/responses';
import { SwarmTable, scrapeEntryOf, type SwarmLimits } from '../../../daemon/src/tracker/server/swarm';
import { TrackerRequestError, type AnnounceParams } from '../../../daemon/src/tracker/server/params';
import { announceOf, hash, id } from './fixtures';

const LIMITS: SwarmLimits = { maxTorrents: 3, maxPeersPerTorrent: 4, maxPeers: 6, peerTtlMs: 60_000 };
function announce(over: Partial<AnnounceParams> & { name: string }): AnnounceParams {
  const { name, ...rest } = over;
  return announceOf(name, rest);
}

const names = (peers: { peerId: string }[]): string[] => peers.map((p) => p.peerId.replace(/\.+$/, '')).sort();

describe('swarm table', () => {
  let clock: sinon.SinonFakeTimers;
  let table: SwarmTable;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
    table = new SwarmTable(LIMITS, () => Date.now(), () => 0);
  });
  afterEach(() => clock.restore());

  test('never returns the announcing peer and counts seeders and leechers', () => {
    assert.deepEqual(table.announce(announce({ name: 'a' })).selection.peers(), []);
    table.announce(announce({ name: 'b', left: 0 }));
    const out = table.announce(announce({ name: 'c' }));
    assert.deepEqual(names(out.selection.peers()), ['a', 'b']);
    assert.deepEqual([out.complete, out.incomplete], [1, 2]);
    assert.deepEqual([table.peers, table.seeders, table.leechers, table.torrents], [3, 1, 2, 1]);
  });

  test('a seeder gets leechers only when there are enough of them', () => {
    for (const n of ['l1', 'l2', 'l3']) table.announce(announce({ name: n }));
    table.announce(announce({ name: 's1', left: 0 }));
    assert.deepEqual(names(table.announce(announce({ name: 's1', left: 0, numwant: 3 })).selection.peers()), ['l1', 'l2', 'l3']);
    assert.deepEqual(names(table.announce(announce({ name: 's1', left: 0, numwant: 2 })).selection.peers()).length, 2);
    assert.ok(names(table.announce(announce({ name: 's1', left: 0, numwant: 2 })).selection.peers()).every((n) => n.startsWith('l')));
  });

  test('numwant bounds the answer', () => {
    for (const n of ['a', 'b', 'c', 'd']) table.announce(announce({ name: n }));
    assert.equal(table.announce(announce({ name: 'a', numwant: 2 })).selection.peers().length, 2);
    assert.equal(table.announce(announce({ name: 'a', numwant: 0 })).selection.peers().length, 0);
  });

  test('stopped removes the peer at once, and the swarm when it empties', () => {
    table.announce(announce({ name: 'a' }));
    table.announce(announce({ name: 'b', left: 0 }));
    table.announce(announce({ name: 'b', event: 'stopped' }));
    assert.deepEqual([table.peers, table.seeders], [1, 0]);
    table.announce(announce({ name: 'a', event: 'stopped' }));
    assert.equal(table.torrents, 0);
    assert.deepEqual(table.announce(announce({ name: 'ghost', event: 'stopped' })).selection.peers(), []);
    assert.equal(table.torrents, 0);
  });

  test('peers expire after the TTL unless they announce again', () => {
    table.announce(announce({ name: 'quiet' }));
    table.announce(announce({ name: 'chatty' }));
    clock.tick(40_000);
    table.announce(announce({ name: 'chatty' }));
    clock.tick(30_000);
    assert.equal(table.sweep(), 1);
    assert.deepEqual(names([...(table.entries().next().value?.peers.values() ?? [])]), ['chatty']);
    clock.tick(60_001);
    assert.equal(table.sweep(), 1);
    assert.equal(table.torrents, 0);
  });

  test('completed moves a leecher to the seeders and is counted once per event', () => {
    table.announce(announce({ name: 'a' }));
    table.announce(announce({ name: 'a', left: 0, event: 'completed' }));
    assert.deepEqual(table.scrape(hash(1)), { complete: 1, incomplete: 0, downloaded: 1 });
    assert.equal(table.scrape(hash(9)), undefined);
    // A scrape of all walks the swarms with the same builder: the same figures as the scrape that names it.
    assert.deepEqual([...table.entries()].map(scrapeEntryOf), [{ complete: 1, incomplete: 0, downloaded: 1 }]);
  });

  test('caps on torrents, peers per torrent and peers give a clear failure', () => {
    for (const n of ['a', 'b', 'c', 'd']) table.announce(announce({ name: n }));
    assert.throws(() => table.announce(announce({ name: 'e' })), /swarm is full: at most 4 peers/);
    table.announce(announce({ name: 'x', infoHash: hash(2) }));
    table.announce(announce({ name: 'y', infoHash: hash(3) }));
    assert.throws(() => table.announce(announce({ name: 'z', infoHash: hash(4) })), /at most 3 torrents/);
    assert.throws(() => table.announce(announce({ name: 'z', infoHash: hash(2) })), /at most 6 peers/);
    assert.equal(table.announce(announce({ name: 'a', port: 7000 })).complete, 0, 'known peers still re-announce');
  });

  test('allow-list refuses other info hashes', () => {
    const strict = new SwarmTable(LIMITS, Date.now, Math.random, new Set([hash(1)]));
    strict.announce(announce({ name: 'a' }));
    assert.throws(() => strict.announce(announce({ name: 'a', infoHash: hash(2) })), TrackerRequestError);
  });

  test('a peer id announced with a key cannot be moved to another address without that key', () => {
    table.announce(announce({ name: 'a', key: 'k1' }));
    assert.throws(() => table.announce(announce({ name: 'a', ipv4: '10.9.9.9' })), /another address/);
    table.announce(announce({ name: 'a', ipv4: '10.9.9.9', key: 'k1' }));
    const peer = table.announce(announce({ name: 'b' })).selection.peers()[0];
    assert.equal(peer.ipv4, '10.9.9.9');
    const pool = table.entries().next().value?.leechers;
    assert.deepEqual([...(pool?.v4.subarray(peer.index * 6, peer.index * 6 + 6) ?? [])], [10, 9, 9, 9, 0x1a, 0xe1]);
  });

  test('fuzz: any announce sequence gives compact answers equal to bencode of the selected peers', () => {
    const step = fc.record({
      name: fc.integer({ min: 0, max: 11 }),
      v4: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.9.9'), { nil: undefined }),
      v6: fc.option(fc.constantFrom('::1', '2001:db8::7'), { nil: undefined }),
      port: fc.integer({ min: 1, max: 65535 }),
      left: fc.constantFrom(0, 5),
      event: fc.constantFrom('', 'started', 'completed', 'stopped' as const),
      numwant: fc.integer({ min: 0, max: 14 }),
      random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    });
    const encoder = new CompactAnnounceEncoder({ interval: 60, minInterval: 30 });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let r = 0;
        const wide = new SwarmTable({ ...LIMITS, maxPeersPerTorrent: 100, maxPeers: 100 }, () => 0, () => r);
        for (const st of steps) {
          r = st.random;
          const ipv4 = st.v4 ?? (st.v6 === undefined ? '10.0.0.3' : undefined);
          const outcome = wide.announce(announce({ name: `p${st.name}`, ipv4, ipv6: st.v6, port: st.port, left: st.left, event: st.event, numwant: st.numwant }));
          const peers = outcome.selection.peers();
          const body = encoder.encode(outcome);
          assert.ok(peers.every((p) => p.peerId !== id(`p${st.name}`)), 'never the announcer');
          assert.ok(peers.length <= st.numwant);
          assert.equal(new Set(peers).size, peers.length);
          const leechers = peers.filter((p) => !p.seeder).length;
          if (st.left === 0 && st.event !== 'stopped') assert.equal(leechers, Math.min(outcome.incomplete, st.numwant), 'a seeder gets leechers first');
          const expected = new Map<string, number | Uint8Array>([['complete', outcome.complete], ['incomplete', outcome.incomplete], ['interval', 60], ['min interval', 30]]);
          expected.set('peers', Buffer.concat(peers.flatMap((p) => (p.ipv4 ? [encodeCompactPeer(p.ipv4, p.port)] : []))));
          const six = Buffer.concat(peers.flatMap((p) => (p.ipv6 ? [encodeCompactPeer(p.ipv6, p.port)] : [])));
          if (six.length > 0) expected.set('peers6', six);
          assert.deepEqual([...body], [...bencode(expected)]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
