/**
 * A large swarm in a real redis-server: its peers spread over buckets that each stay compact (listpack),
 * and counts, scrapes, peer selection, stops and expiry stay right across the rehash as it grows.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisSwarmStore, type AnnounceParams } from '../../../daemon/src/tracker/server';
import type { AnnounceOutcome } from '../../../daemon/src/tracker/server/swarm';
import { NEEDS_REDIS, startRedis, type RedisProcess } from '../../support/redis';

const HASH = Buffer.alloc(20, 0x5a).toString('latin1');
const HEX = Buffer.from(HASH, 'latin1').toString('hex');
const LIMITS = { maxTorrents: 10, maxPeersPerTorrent: 10_000, maxPeers: 100_000, peerTtlMs: 60_000 };
const PEERS = 300;

const params = (n: number, event: AnnounceParams['event'] = 'started'): AnnounceParams => ({
  infoHash: HASH,
  peerId: `-BK0001-${String(n).padStart(12, '0')}`,
  port: 7000 + (n % 1000),
  uploaded: 0,
  downloaded: 0,
  left: n % 4 === 0 ? 0 : 100,
  event,
  numwant: 50,
  compact: false,
  noPeerId: false,
  ipv4: `10.1.${n >> 8}.${n & 255}`,
  ipv6: undefined,
  key: undefined,
});

describe('a large swarm in Redis', { skip: NEEDS_REDIS }, () => {
  let redis: RedisProcess;
  let client: Redis;
  before(async () => {
    redis = await startRedis();
    client = new Redis({ host: '127.0.0.1', port: redis.port });
    await client.ping();
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  test('spreads over compact buckets; counts, scrape, selection, stops and expiry hold', async () => {
    await client.flushall();
    const now = { t: 1_800_000_000_000 };
    const store = new RedisSwarmStore(client, { limits: LIMITS, clock: () => now.t, flushMs: 3_600_000, ownsClient: false });
    const seen = (o: AnnounceOutcome) => ({ complete: o.complete, incomplete: o.incomplete, ids: o.selection.peers().map((p) => p.peerId) });
    try {
      let last = { complete: 0, incomplete: 0, ids: [] as string[] };
      for (let n = 0; n < PEERS; n++) last = await store.announce(params(n), seen);
      const seeders = PEERS / 4;
      assert.deepEqual([last.complete, last.incomplete], [seeders, PEERS - seeders]);
      assert.equal(last.ids.length, 50);
      assert.equal(new Set(last.ids).size, 50, 'no peer twice');
      assert.ok(!last.ids.includes(params(PEERS - 1).peerId), 'not the announcer');

      const keys = await client.keys(`btd:{${HEX}}:*`);
      assert.ok(keys.length >= 4 * 4, `${PEERS} peers over at least 4 buckets: ${keys.length} keys`);
      // Every hash and sorted set stays compact; `:p:e` is a string (the buckets' expiry bounds).
      for (const k of keys) if (!k.endsWith(':p:e')) assert.equal(await client.object('ENCODING', k), 'listpack', `${k} stays compact`);
      assert.ok(keys.includes(`btd:{${HEX}}:p:e`));
      assert.deepEqual(await store.scrape([HASH]), [{ complete: seeders, incomplete: PEERS - seeders, downloaded: 0 }]);

      // A re-announce changes nothing; a stop removes exactly one peer, from whichever bucket holds it.
      last = await store.announce(params(7, ''), seen);
      assert.deepEqual([last.complete, last.incomplete], [seeders, PEERS - seeders]);
      last = await store.announce(params(8, 'stopped'), seen);
      assert.deepEqual([last.complete, last.incomplete], [seeders - 1, PEERS - seeders]);

      // Half the peers announce again later; past the others' TTL an announce sees only the fresh half.
      now.t += 40_000;
      for (let n = 0; n < PEERS; n += 2) if (n !== 8) await store.announce(params(n, ''), seen);
      now.t += 30_000;
      last = await store.announce(params(0, ''), seen);
      const fresh = PEERS / 2 - 1;
      const freshSeeders = seeders - 1;
      assert.equal(last.complete + last.incomplete, fresh, 'the expired half is gone from every bucket');
      assert.equal(last.complete, freshSeeders);
      for (const id of last.ids) assert.equal(Number(id.slice(8)) % 2, 0, `${id} is a fresh peer`);

      // Past everyone's TTL the sweep leaves no key of the swarm behind.
      now.t += 120_000;
      await store.flush();
      await store.sweep();
      assert.deepEqual(await client.keys(`btd:{${HEX}}:*`), []);
      assert.deepEqual(await store.scrape([HASH]), [{ complete: 0, incomplete: 0, downloaded: 0 }]);
    } finally {
      await store.close();
    }
  });
});
