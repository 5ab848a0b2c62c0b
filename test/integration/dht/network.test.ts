/** Thirty DHT nodes on 127.0.0.1, bootstrapped in a chain: every table fills, and an announce is found from the other end. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Dht } from '../../../daemon/src/dht/dht';
import { commonPrefixLength, compareDistance } from '../../../daemon/src/dht/node-id';
import { within } from '../../support/deadline';

process.env.BTD_LOOPBACK_ONLY = '1';
const COUNT = 30;

describe('a loopback DHT of 30 nodes', () => {
  const nodes: Dht[] = [];

  before(async () => {
    for (let i = 0; i < COUNT; i++) {
      const bootstrap = i === 0 ? [] : [`127.0.0.1:${nodes[i - 1].port}`];
      const d = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap, answersPerSecond: 1000 });
      await within(10_000, d.bootstrapped, `node ${i} bootstrap`);
      nodes.push(d);
    }
    // A second round, as the periodic refresh would do: early nodes learn of the later ones.
    await within(20_000, Promise.all(nodes.map((d) => d.bootstrap())), 'second bootstrap round');
  });

  after(async () => {
    await Promise.all(nodes.map((d) => d.close()));
  });

  /** What a table with k = 8 could hold at most: per shared-prefix length, up to 8 of the other nodes. */
  function room(d: Dht): number {
    const perPrefix = new Map<number, number>();
    for (const o of nodes) if (o !== d) perPrefix.set(commonPrefixLength(d.nodeId, o.nodeId), (perPrefix.get(commonPrefixLength(d.nodeId, o.nodeId)) ?? 0) + 1);
    let n = 0;
    for (const c of perPrefix.values()) n += Math.min(8, c);
    return n;
  }

  test('every table fills: at least k = 8 nodes, and most of what k = 8 buckets can hold of this network', () => {
    const sizes = nodes.map((d) => d.size).sort((a, b) => a - b);
    const fill = nodes.map((d) => d.size / room(d)).sort((a, b) => a - b);
    console.log(`# table sizes: min ${sizes[0]}, median ${sizes[COUNT >> 1]}, max ${sizes[COUNT - 1]}; fill of the possible: min ${fill[0].toFixed(2)}, median ${fill[COUNT >> 1].toFixed(2)}`);
    assert.ok(sizes[0] >= 8, `smallest table ${sizes[0]}`);
    assert.ok(fill[0] >= 0.9, `least filled table ${fill[0]}`);
    for (const d of nodes) assert.ok(d.nodes().every((n) => !Buffer.from(n.id).equals(d.nodeId)), 'no node holds itself');
  });

  test('100 random lookups each find the true 8 closest nodes (checked by brute force; before any node leaves)', async () => {
    const queries: number[] = [];
    const ms: number[] = [];
    for (let i = 0; i < 100; i++) {
      const from = nodes[i % COUNT];
      const target = new Uint8Array(randomBytes(20));
      const r = await within(10_000, from.findNode(target), 'lookup');
      const truth = nodes
        .filter((d) => d !== from)
        .sort((a, b) => compareDistance(target, a.nodeId, b.nodeId))
        .slice(0, 8)
        .map((d) => d.port);
      assert.deepEqual(r.closest.map((c) => c.node.port), truth, `lookup ${i}`);
      queries.push(r.queries);
      ms.push(r.ms);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
    console.log(`# 100 lookups: queries median ${median(queries)}, p90 ${p90(queries)}; time median ${median(ms)} ms, p90 ${p90(ms)} ms`);
  });

  test('a peer announced at one end is found by get_peers at the other', async () => {
    const infoHash = new Uint8Array(randomBytes(20));
    const ann = await within(10_000, nodes[COUNT - 1].announce(infoHash, 4242, () => undefined), 'announce');
    assert.ok(ann.announced >= 1, `announced to ${ann.announced} nodes`);
    const found: string[] = [];
    const r = await within(10_000, nodes[0].getPeers(infoHash, (peers) => found.push(...peers.map((p) => `${p.ip}:${p.port}`))), 'get_peers');
    console.log(`# announce reached ${ann.announced} nodes; get_peers: ${r.queries} queries, ${r.ms} ms, ${found.length} values (the one peer, from each node holding it)`);
    assert.ok(found.includes('127.0.0.1:4242'), found.join(','));
    const implied = new Uint8Array(randomBytes(20));
    await nodes[5].announce(implied, undefined, () => undefined);
    const got: number[] = [];
    await nodes[20].getPeers(implied, (peers) => got.push(...peers.map((p) => p.port)));
    assert.ok(got.includes(nodes[5].port), 'implied_port announces the UDP source port');
  });

  test('the table is saved in the state folder and reused on restart, with no bootstrap node', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'btd-dht-'));
    try {
      const stateFile = path.join(dir, 'dht.json');
      const first = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: [`127.0.0.1:${nodes[12].port}`], stateFile });
      await within(10_000, first.bootstrapped, 'bootstrap');
      const known = first.size;
      assert.ok(known >= 8);
      await first.close();
      assert.deepEqual(await readdir(dir), ['dht.json'], 'written through a temporary file renamed into place');
      const again = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: [], stateFile });
      try {
        assert.deepEqual(again.nodeId, first.nodeId, 'the same node id');
        await within(10_000, again.bootstrapped, 'bootstrap from the saved nodes');
        assert.ok(again.size >= 8, `${again.size} nodes after restart`);
        const r = await again.findNode(randomBytes(20));
        assert.equal(r.closest.length, 8, 'lookups work from the saved table alone');
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('stats count queries and fill', () => {
    const s = nodes[10].stats();
    assert.equal(s.nodes, nodes[10].size);
    assert.equal(s.buckets.reduce((a, b) => a + b, 0), s.nodes);
    assert.ok(s.queriesOut > 0 && s.queriesIn > 0);
    assert.equal(s.lookupsInFlight, 0);
  });
});
