/** The session's DHT work: a first lookup at once, re-announce every 15–30 min, retries while nothing is found, no DHT for private torrents. */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Dht } from '../../../daemon/src/dht/dht';
import type { NodeAddress } from '../../../daemon/src/dht/krpc';
import { DhtPeers, REANNOUNCE_MAX_MS, REANNOUNCE_MIN_MS, RETRY_MIN_MS, type DhtTarget } from '../../../daemon/src/session/dht-peers';

/** A DHT whose lookups answer with `peers` (set per test). */
function fakeDht(): { dht: Dht; calls: string[]; peers: NodeAddress[] } {
  const state = { calls: [] as string[], peers: [] as NodeAddress[] };
  const result = { closest: [], queries: 1, answers: 1, peers: 0, ms: 1 };
  const dht = {
    port: 6881,
    announce: (_h: Uint8Array, port: number | undefined, onPeers: (p: NodeAddress[]) => void) => {
      state.calls.push(`announce:${port}`);
      if (state.peers.length) onPeers(state.peers);
      return Promise.resolve({ lookup: result, announced: state.peers.length ? 1 : 0 });
    },
    getPeers: (_h: Uint8Array, onPeers: (p: NodeAddress[]) => void) => {
      state.calls.push('get_peers');
      if (state.peers.length) onPeers(state.peers);
      return Promise.resolve(result);
    },
    stats: () => ({}),
  } as unknown as Dht;
  return Object.assign(state, { dht });
}

function target(announce: boolean, got: NodeAddress[][], active = () => true): DhtTarget {
  return { infoHash: new Uint8Array(20), announce, active, peers: (list) => got.push(list) };
}

describe('DHT peers for the session', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  test('a torrent with metadata announces at once with our peer port, then every 15–30 minutes', async () => {
    const f = fakeDht();
    f.peers = [{ ip: '127.0.0.1', port: 1 }];
    const got: NodeAddress[][] = [];
    const dp = new DhtPeers(f.dht, () => 7000, () => undefined);
    dp.add('aa', target(true, got));
    dp.tick(Date.now());
    await clock.tickAsync(0);
    assert.deepEqual(f.calls, ['announce:7000']);
    assert.deepEqual(got, [[{ ip: '127.0.0.1', port: 1 }]]);
    clock.tick(REANNOUNCE_MIN_MS - 1000);
    dp.tick(Date.now());
    assert.equal(f.calls.length, 1, 'not before 15 minutes');
    clock.tick(REANNOUNCE_MAX_MS - REANNOUNCE_MIN_MS + 1000);
    dp.tick(Date.now());
    assert.equal(f.calls.length, 2, 'by 30 minutes');
  });

  test('a magnet looks up without announcing; while nothing is found it retries after 5 s, 10 s, ...', async () => {
    const f = fakeDht();
    const got: NodeAddress[][] = [];
    const dp = new DhtPeers(f.dht, () => 7000, () => undefined);
    dp.add('bb', target(false, got));
    dp.tick(Date.now());
    await clock.tickAsync(0);
    assert.deepEqual(f.calls, ['get_peers']);
    clock.tick(RETRY_MIN_MS);
    dp.tick(Date.now());
    await clock.tickAsync(0);
    assert.equal(f.calls.length, 2);
    clock.tick(RETRY_MIN_MS);
    dp.tick(Date.now());
    assert.equal(f.calls.length, 2, 'the second retry waits twice as long');
    clock.tick(RETRY_MIN_MS);
    dp.tick(Date.now());
    await clock.tickAsync(0);
    assert.equal(f.calls.length, 3);
    assert.deepEqual(got, []);
  });

  test('inactive (paused) torrents wait; removed ones stop; peers not allowed in loopback-only mode are dropped', async () => {
    const saved = process.env.BTD_LOOPBACK_ONLY;
    process.env.BTD_LOOPBACK_ONLY = '1';
    try {
      const f = fakeDht();
      f.peers = [{ ip: '10.0.0.1', port: 1 }, { ip: '127.0.0.2', port: 2 }, { ip: '127.0.0.3', port: 0 }];
      const got: NodeAddress[][] = [];
      let active = false;
      const dp = new DhtPeers(f.dht, () => 7000, () => undefined);
      dp.add('cc', target(false, got, () => active));
      dp.tick(Date.now());
      assert.deepEqual(f.calls, []);
      active = true;
      dp.tick(Date.now());
      await clock.tickAsync(0);
      assert.deepEqual(got, [[{ ip: '127.0.0.2', port: 2 }]]);
      dp.remove('cc');
      clock.tick(REANNOUNCE_MAX_MS);
      dp.tick(Date.now());
      assert.equal(f.calls.length, 1);
      assert.equal(dp.size, 0);
    } finally {
      process.env.BTD_LOOPBACK_ONLY = saved;
    }
  });

  test('a followed torrent gets its peers tagged dht; a private torrent is never followed; a magnet that turns out private is dropped', async () => {
    const f = fakeDht();
    f.peers = [{ ip: '127.0.0.1', port: 5 }];
    const dp = new DhtPeers(f.dht, () => 7000, () => undefined);
    const learned: unknown[] = [];
    const magnet = { infoHashHex: 'dd', metainfo: undefined, magnet: { infoHash: new Uint8Array(20) }, summary: () => ({ state: 'downloading' }), learnPeers: (p: unknown[]) => learned.push(...p) };
    dp.follow(magnet as never, () => true);
    assert.equal(dp.size, 1);
    dp.tick(Date.now());
    await clock.tickAsync(0);
    assert.deepEqual(learned, [{ ip: '127.0.0.1', port: 5, source: 'dht' }]);
    const priv = { infoHashHex: 'dd', metainfo: { private: true, infoHash: new Uint8Array(20) }, summary: () => ({ state: 'downloading' }), learnPeers: () => undefined };
    dp.follow(priv as never, () => true);
    assert.equal(dp.size, 0);
  });
});
