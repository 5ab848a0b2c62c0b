/** The Redis store's bound, outage tracking and URL parsing, over a fake client and fake timers. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { parseRedisUrl, RedisSwarmStore, StoreUrlError, STORE_UNAVAILABLE, type AnnounceParams, type RedisClient } from '../../../daemon/src/tracker/server';

const LIMITS = { maxTorrents: 10, maxPeersPerTorrent: 10, maxPeers: 100, peerTtlMs: 60_000 };

const PARAMS: AnnounceParams = {
  infoHash: Buffer.alloc(20, 1).toString('latin1'),
  peerId: Buffer.alloc(20, 2).toString('latin1'),
  port: 6881,
  uploaded: 0,
  downloaded: 0,
  left: 0,
  event: 'started',
  numwant: 50,
  compact: true,
  noPeerId: true,
  ipv4: '10.0.0.1',
  ipv6: undefined,
  key: undefined,
};

/** A client whose script calls hang until answered by the test. */
class FakeClient extends EventEmitter {
  status = 'ready';
  calls: { args: unknown[]; resolve: (v: unknown) => void }[] = [];
  defineCommand(name: string): void {
    (this as unknown as Record<string, unknown>)[`${name}Buffer`] = (...args: unknown[]) => new Promise((resolve) => this.calls.push({ args, resolve }));
    (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => new Promise((resolve) => this.calls.push({ args, resolve }));
  }
  disconnect(): void {}
}

function setup() {
  const clock = sinon.useFakeTimers({ now: 1_800_000_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] });
  const client = new FakeClient();
  const store = new RedisSwarmStore(client as unknown as RedisClient, { limits: LIMITS, timeoutMs: 2000 });
  return { clock, client, store };
}

const failureOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'served', (err: Error) => err.message);

describe('Redis store', () => {
  test('an announce Redis does not answer is refused after the bound, not before', async () => {
    const { clock, client, store } = setup();
    try {
      const answer = failureOf(store.announce(PARAMS, () => 'encoded'));
      assert.equal(client.calls.length, 1, 'one script call per announce');
      let settled = false;
      void answer.then(() => (settled = true));
      await clock.tickAsync(1999);
      assert.equal(settled, false);
      await clock.tickAsync(1);
      assert.equal(await answer, STORE_UNAVAILABLE);
      assert.equal(store.health().failures, 1);
      assert.equal(store.health().available, true, 'a slow answer is a failure, not an outage');
    } finally {
      clock.restore();
    }
  });

  test('an answered announce is encoded from the script reply: counts and compact entries', async () => {
    const { clock, client, store } = setup();
    try {
      const answer = store.announce(PARAMS, (o) => ({ complete: o.complete, incomplete: o.incomplete, size: o.selection.size, v4: Buffer.from(o.selection.pools[0]?.v4 ?? []).toString('hex') }));
      const entry = Buffer.from([10, 0, 0, 2, 0x1a, 0xe1]);
      client.calls[0].resolve([1, 1, 1, 1, 1, 1, 1, entry, Buffer.alloc(0), 0, 0, Buffer.alloc(0)]);
      assert.deepEqual(await answer, { complete: 1, incomplete: 1, size: 1, v4: entry.toString('hex') });
      assert.deepEqual(store.totals(), { torrents: 1, seeders: 1, leechers: 0, peers: 1 });
    } finally {
      clock.restore();
    }
  });

  test('refusal codes from the script become the memory store’s failure reasons', async () => {
    const { clock, client, store } = setup();
    try {
      const answer = failureOf(store.announce(PARAMS, () => 'x'));
      client.calls[0].resolve([-2, 10, 0, 0, 0, 0]);
      assert.equal(await answer, 'swarm is full: at most 10 peers per torrent');
    } finally {
      clock.restore();
    }
  });

  test('a closed connection is an outage: refused at once, shown in health, over when ready again', async () => {
    const { clock, client, store } = setup();
    try {
      client.status = 'reconnecting';
      client.emit('close');
      assert.equal(await failureOf(store.announce(PARAMS, () => 'x')), STORE_UNAVAILABLE);
      assert.equal(client.calls.length, 0, 'no call while disconnected');
      const h = store.health();
      assert.deepEqual([h.available, h.outages, h.unavailableSince], [false, 1, new Date(1_800_000_000_000).toISOString()]);
      client.status = 'ready';
      client.emit('ready');
      assert.equal(store.health().available, true);
      assert.equal(store.health().unavailableSince, undefined);
    } finally {
      clock.restore();
    }
  });

  test('the allow-list is checked before Redis is asked', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const client = new FakeClient();
      const store = new RedisSwarmStore(client as unknown as RedisClient, { limits: LIMITS, allowList: new Set(['x'.repeat(20)]) });
      assert.equal(await failureOf(store.announce(PARAMS, () => 'x')), 'info hash is not allowed on this tracker');
      assert.equal(client.calls.length, 0);
    } finally {
      clock.restore();
    }
  });
});

describe('store URLs', () => {
  test('redis:// and rediss:// with port, database and user; defaults', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2, tls: false });
    assert.deepEqual(parseRedisUrl('rediss://tracker@[::1]'), { host: '::1', port: 6379, db: 0, tls: true, username: 'tracker' });
  });

  test('a password, another scheme, a bad database are refused with the reason', () => {
    assert.throws(() => parseRedisUrl('redis://:secret@127.0.0.1'), (e: Error) => e instanceof StoreUrlError && /BTD_REDIS_PASSWORD/.test(e.message));
    assert.throws(() => parseRedisUrl('http://127.0.0.1'), /unknown store scheme http:/);
    assert.throws(() => parseRedisUrl('redis://127.0.0.1/x'), /database must be a number/);
    assert.throws(() => parseRedisUrl('redis://127.0.0.1/16'), /database must be a number/);
    assert.throws(() => parseRedisUrl('nonsense'), /not a store URL/);
  });
});
