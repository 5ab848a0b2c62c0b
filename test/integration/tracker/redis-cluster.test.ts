/**
 * A Redis Cluster of three redis-server nodes on loopback: the tracker finds it is a cluster, and 1,000
 * swarms land on all three nodes (their keys hash-tagged by info hash) with every announce served, over
 * HTTP and UDP.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { buildAnnounceUrl, httpGet, scrape, udpAnnounce } from '../../../daemon/src/tracker/client';
import { NEEDS_REDIS, startRedisCluster } from '../../support/redis';

const SWARMS = 1000;
const hashOf = (i: number): Uint8Array => createHash('sha1').update(`swarm ${i}`).digest();
const peerId = (n: number): Uint8Array => Buffer.from(`-RC0001-${String(n).padStart(12, '0')}`);

async function announce(t: RunningTracker, infoHash: Uint8Array, n: number, left: number): Promise<BDict> {
  const url = buildAnnounceUrl(t.url, { infoHash, peerId: peerId(n), port: 7000 + n, uploaded: 0, downloaded: 0, left, event: 'started' });
  return bdecode(await httpGet(url, { timeoutMs: 10_000, maxBytes: 1 << 20 })) as BDict;
}

describe('a three-node Redis Cluster', { skip: NEEDS_REDIS }, () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let a: RunningTracker;
  let b: RunningTracker;
  before(async () => {
    cluster = await startRedisCluster();
    // Every swarm is created from 127.0.0.1: no per-address rate of new swarms here.
    const unlimited = { maxNewSwarmsPerIpPerMinute: 1_000_000, maxPeersPerIp: 1_000 };
    a = await startTracker({ port: 0, store: cluster.url, udp: true, ...unlimited });
    b = await startTracker({ port: 0, store: cluster.nodes[2].url, ...unlimited });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  });

  test('1,000 swarms spread over all three nodes, every announce served, both instances agree', { timeout: 120_000 }, async () => {
    for (let from = 0; from < SWARMS; from += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, k) => {
          const i = from + k;
          const seeder = await announce(a, hashOf(i), 1, 0);
          assert.equal(seeder.get('failure reason'), undefined);
          const leecher = await announce(b, hashOf(i), 2, 100);
          assert.equal(leecher.get('failure reason'), undefined, `swarm ${i}`);
          assert.deepEqual([leecher.get('complete'), leecher.get('incomplete'), (leecher.get('peers') as Uint8Array).length], [1, 1, 6]);
        }),
      );
    }
    const keysPerNode = await Promise.all(cluster.nodes.map(async (n) => Number((await n.cli('DBSIZE')).trim())));
    for (const [i, keys] of keysPerNode.entries()) assert.ok(keys > 500, `node ${i} holds ${keys} keys`);
    // Three keys per swarm, plus the totals and the swarm index once flushed.
    assert.ok(keysPerNode.reduce((x, y) => x + y, 0) >= 3 * SWARMS);
    const figures = await scrape(b.url, [hashOf(0), hashOf(999)]);
    assert.deepEqual([...figures.values()], [{ complete: 1, incomplete: 1, downloaded: 0 }, { complete: 1, incomplete: 1, downloaded: 0 }]);
  });

  test('a swarm of 200 peers spreads over buckets on its node: all served, counted and handed out', { timeout: 60_000 }, async () => {
    const big = hashOf(SWARMS + 1);
    for (let from = 0; from < 200; from += 50) {
      await Promise.all(Array.from({ length: 50 }, async (_, k) => assert.equal((await announce(from + k < 100 ? a : b, big, 100 + from + k, 100)).get('failure reason'), undefined)));
    }
    const last = await announce(b, big, 99, 0);
    assert.deepEqual([last.get('complete'), last.get('incomplete'), (last.get('peers') as Uint8Array).length], [1, 200, 50 * 6]);
    const hex = Buffer.from(big).toString('hex');
    const keys = (await Promise.all(cluster.nodes.map(async (n) => (await n.cli('KEYS', `btd:{${hex}}:*`)).trim())))
      .join('\n')
      .split('\n')
      .filter((k) => k !== '');
    assert.ok(keys.includes(`btd:{${hex}}:p:1`), `bucket keys: ${keys.join(' ')}`);
  });

  test('UDP announces go through the same cluster store', async () => {
    const answer = await udpAnnounce(a.udpUrl as string, { infoHash: hashOf(7), peerId: peerId(3), port: 7003, uploaded: 0, downloaded: 0, left: 100, event: 'started' }, { timeoutMs: 5000 });
    assert.equal(answer.peers.length, 2);
  });
});
