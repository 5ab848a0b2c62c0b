/**
 * Two trackers on two ports sharing one real redis-server: peers, stops, expiry and scrapes agree; a
 * Redis that dies or stalls gets announces a failure reason within the bound, and when it is back the
 * trackers serve again without a restart.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { startTracker, STORE_UNAVAILABLE, type RunningTracker } from '../../../daemon/src/tracker/server';
import type { AnnounceEvent } from '../../../daemon/src/tracker/server/params';
import { buildAnnounceUrl, httpGet, scrape } from '../../../daemon/src/tracker/client';
import { decodeCompactPeers } from '../../../daemon/src/tracker/compact';
import { NEEDS_REDIS, startRedis, type RedisProcess } from '../../support/redis';

const HASH = Uint8Array.from({ length: 20 }, (_, i) => 0x40 + i);
const TTL_S = 120;
const peerId = (n: number): Uint8Array => Buffer.from(`-RD0001-${String(n).padStart(12, '0')}`);

interface Answer {
  failure?: string;
  complete?: number;
  incomplete?: number;
  ports: number[];
}

async function announce(t: RunningTracker, n: number, left: number, event?: AnnounceEvent): Promise<Answer> {
  const url = buildAnnounceUrl(t.url, { infoHash: HASH, peerId: peerId(n), port: 7000 + n, uploaded: 0, downloaded: 0, left, ...(event && { event }) });
  const d = bdecode(await httpGet(url, { timeoutMs: 10_000, maxBytes: 1 << 20 })) as BDict;
  const failure = d.get('failure reason');
  if (failure !== undefined) return { failure: Buffer.from(failure as Uint8Array).toString(), ports: [] };
  const ports = decodeCompactPeers(d.get('peers') as Uint8Array, 4).map((p) => p.port).sort();
  return { complete: d.get('complete') as number, incomplete: d.get('incomplete') as number, ports };
}

/** Announces until one succeeds, within `ms`. */
async function announceUntilServed(t: RunningTracker, n: number, ms: number): Promise<Answer> {
  const giveUpAt = Date.now() + ms;
  for (;;) {
    const a = await announce(t, n, 100);
    if (a.failure === undefined) return a;
    if (Date.now() >= giveUpAt) throw new Error(`not served within ${ms} ms: ${a.failure}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two trackers sharing one Redis', { skip: NEEDS_REDIS }, () => {
  let redis: RedisProcess;
  let a: RunningTracker;
  let b: RunningTracker;
  const now = { t: Date.now() };
  before(async () => {
    redis = await startRedis();
    const opts = { port: 0, store: redis.url, interval: 60, peerTtl: TTL_S, clock: () => now.t, storeTimeoutMs: 500 };
    a = await startTracker(opts);
    b = await startTracker(opts);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  test('a peer announced to A is handed out by B; stopped on A removes it from B; scrapes agree', async () => {
    assert.notEqual(a.port, b.port);
    assert.deepEqual(await announce(a, 1, 0, 'started'), { complete: 1, incomplete: 0, ports: [] });
    assert.deepEqual(await announce(b, 2, 100, 'started'), { complete: 1, incomplete: 1, ports: [7001] });
    assert.deepEqual(await announce(a, 3, 100, 'started'), { complete: 1, incomplete: 2, ports: [7001, 7002] });
    const figures = [await scrape(a.url, [HASH]), await scrape(b.url, [HASH])].map((m) => m.get(Buffer.from(HASH).toString('hex')));
    assert.deepEqual(figures, [{ complete: 1, incomplete: 2, downloaded: 0 }, { complete: 1, incomplete: 2, downloaded: 0 }]);
    assert.deepEqual(await announce(a, 1, 0, 'stopped'), { complete: 0, incomplete: 2, ports: [] });
    assert.deepEqual(await announce(b, 2, 100), { complete: 0, incomplete: 2, ports: [7003] });
    assert.deepEqual((await scrape(b.url, [HASH])).get(Buffer.from(HASH).toString('hex')), { complete: 0, incomplete: 2, downloaded: 0 });
  });

  test('a peer that stops announcing expires: B no longer hands it out once its TTL has passed', async () => {
    // Peer 3 last announced in the test before; peer 2 keeps announcing.
    now.t += (TTL_S - 10) * 1000;
    assert.deepEqual(await announce(b, 2, 100), { complete: 0, incomplete: 2, ports: [7003] });
    now.t += 20_000;
    assert.deepEqual(await announce(b, 2, 100), { complete: 0, incomplete: 1, ports: [] });
    assert.deepEqual((await scrape(a.url, [HASH])).get(Buffer.from(HASH).toString('hex')), { complete: 0, incomplete: 1, downloaded: 0 });
  });

  test('totals and rates over both instances show in /stats.json and /stats', async () => {
    const giveUpAt = Date.now() + 10_000;
    let shared: { announces: number } | undefined;
    while ((shared?.announces ?? 0) < 7) {
      if (Date.now() >= giveUpAt) throw new Error(`shared announces stayed at ${shared?.announces}`);
      await new Promise((r) => setTimeout(r, 100));
      shared = ((await (await fetch(`http://127.0.0.1:${a.port}/stats.json`)).json()) as { shared: { announces: number } }).shared;
    }
    const stats = (await (await fetch(`http://127.0.0.1:${a.port}/stats.json`)).json()) as { announces: number; peers: number; store: { kind: string; available: boolean } };
    assert.ok(stats.announces < 7, 'this instance counts its own announces');
    assert.deepEqual(stats.store.kind, 'redis');
    assert.equal(stats.store.available, true);
    assert.equal(stats.peers, 1);
    assert.match(await (await fetch(`http://127.0.0.1:${b.port}/stats`)).text(), /Swarms in redis: reachable/);
  });

  test('Redis stalls: announces get the failure reason within the bound; it continues: served again', async () => {
    redis.pause();
    try {
      const started = Date.now();
      const answers = await Promise.all([announce(a, 4, 100), announce(b, 5, 100)]);
      const took = Date.now() - started;
      assert.deepEqual(answers.map((x) => x.failure), [STORE_UNAVAILABLE, STORE_UNAVAILABLE]);
      assert.ok(took >= 450 && took < 2000, `answered after ${took} ms, bound 500 ms`);
    } finally {
      redis.resume();
    }
    assert.equal((await announceUntilServed(a, 4, 5000)).failure, undefined);
  });

  test('Redis is killed: failure reason at once, /stats shows the outage; restarted: served with no tracker restart', async () => {
    await redis.kill();
    const started = Date.now();
    assert.equal((await announce(a, 6, 100)).failure, STORE_UNAVAILABLE);
    assert.equal((await announce(b, 6, 100)).failure, STORE_UNAVAILABLE);
    assert.ok(Date.now() - started < 1000);
    const stats = a.stats();
    assert.equal(stats.store?.available, false);
    assert.ok((stats.store?.outages ?? 0) >= 1 && stats.store?.unavailableSince !== undefined);
    assert.match(await (await fetch(`http://127.0.0.1:${a.port}/stats`)).text(), /unavailable<\/b> since/);
    await redis.restart();
    // A restarted Redis is empty and has no scripts loaded: EVALSHA falls back to EVAL.
    assert.deepEqual(await announceUntilServed(a, 6, 10_000), { complete: 0, incomplete: 1, ports: [] });
    assert.deepEqual(await announceUntilServed(b, 7, 10_000), { complete: 0, incomplete: 2, ports: [7006] });
    assert.equal(a.stats().store?.available, true);
  });
});
