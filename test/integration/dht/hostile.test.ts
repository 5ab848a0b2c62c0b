/**
 * Hostile nodes on a loopback DHT: one answering with floods of made-up nodes, one answering with our
 * own id, a flood of announces with bad tokens, malformed bencode and a 64 KiB datagram. The table
 * stays bounded and honest, and lookups still succeed through the honest nodes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Dht } from '../../../daemon/src/dht/dht';
import { bencode } from '../../../daemon/src/bencode';
import { encodeKrpc, type CompactNode } from '../../../daemon/src/dht/krpc';
import { randomId } from '../../../daemon/src/dht/node-id';
import { until, within } from '../../support/deadline';
import { HostileNode } from './hostile-node';

process.env.BTD_LOOPBACK_ONLY = '1';
const HONEST = 12;

/** `count` made-up nodes whose ids are closer to `target` than any real node, at ports where nothing listens. */
function bogusNodes(target: Uint8Array, count: number): CompactNode[] {
  return Array.from({ length: count }, (_, i) => {
    const id = new Uint8Array(target);
    id.set(randomBytes(6), 14);
    return { id, ip: '127.0.0.1', port: 1 + (i % 1000) };
  });
}

describe('hostile DHT nodes', () => {
  const honest: Dht[] = [];
  const hostile: HostileNode[] = [];
  /** Ports of every real node started here, closed ones too (others may still list them). */
  const real = new Set<number>();
  async function node(bootstrap: string[], extra: { answersPerSecond?: number } = {}): Promise<Dht> {
    const d = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap, ...extra });
    real.add(d.port);
    return d;
  }

  before(async () => {
    for (let i = 0; i < HONEST; i++) {
      const d = await node(i === 0 ? [] : [`127.0.0.1:${honest[i - 1].port}`], { answersPerSecond: 1000 });
      await within(10_000, d.bootstrapped, 'bootstrap');
      honest.push(d);
    }
  });

  after(async () => {
    await Promise.all([...honest.map((d) => d.close()), ...hostile.map((h) => h.close())]);
  });

  /** Only nodes that exist (honest ones, or a liar that does answer) are in the table, never a made-up one. */
  function tableIsHonest(d: Dht): void {
    const ports = new Set([...real, ...hostile.map((h) => h.port)]);
    assert.ok(d.size <= 8 * 160);
    for (const n of d.nodes()) {
      assert.ok(ports.has(n.port), `a made-up node at ${n.ip}:${n.port} got into the table`);
      assert.ok(!Buffer.from(n.id).equals(d.nodeId), 'our own id in our table');
    }
  }

  test('floods of made-up nodes (1,000 per answer, and 300 that fit a datagram) do not stop a lookup', async () => {
    const id = randomId();
    const thousand = await HostileNode.start((q) => ({ id, nodes: bogusNodes(q.method === 'get_peers' ? q.infoHash : q.method === 'find_node' ? q.target : id, 1000), token: Buffer.from('t') }));
    const threeHundred = await HostileNode.start((q) => ({ id: randomId(), nodes: bogusNodes(q.method === 'get_peers' ? q.infoHash : q.method === 'find_node' ? q.target : id, 300), token: Buffer.from('t') }));
    hostile.push(thousand, threeHundred);
    const infoHash = new Uint8Array(randomBytes(20));
    await honest[HONEST - 1].announce(infoHash, 7001, () => undefined);
    const victim = await node([`127.0.0.1:${thousand.port}`, `127.0.0.1:${threeHundred.port}`, `127.0.0.1:${honest[0].port}`]);
    honest.push(victim);
    // At once, with an empty table: the lookup starts from the bootstrap list, liars first.
    const found: number[] = [];
    const r = await within(15_000, victim.getPeers(infoHash, (peers) => found.push(...peers.map((p) => p.port))), 'get_peers');
    console.log(`# get_peers started at two liars and one honest node: ${r.queries} queries, ${r.answers} answers, ${r.ms} ms`);
    assert.ok(found.includes(7001), `found ${found.join(',')}`);
    await within(15_000, victim.bootstrapped, 'bootstrap past the liars');
    assert.ok(threeHundred.received > 0, 'the liar was asked');
    tableIsHonest(victim);
    honest.pop();
    await victim.close();
  });

  test('a node answering with our own id never gets in, nor do we', async () => {
    const mirror = await HostileNode.start((q) => ({ id: q.id, nodes: [] }));
    hostile.push(mirror);
    const victim = await node([`127.0.0.1:${mirror.port}`, `127.0.0.1:${honest[3].port}`]);
    await within(10_000, victim.bootstrapped, 'bootstrap');
    victim.addNode('127.0.0.1', mirror.port);
    const r = await victim.findNode(randomId());
    assert.ok(r.closest.length > 0);
    assert.ok(mirror.received > 0);
    tableIsHonest(victim);
    await victim.close();
  });

  test('a flood of announce_peer with bad tokens stores nothing and gets answers only at the per-address rate', async () => {
    const target = await node([`127.0.0.1:${honest[5].port}`]); // default limit: 50 answers/s per address
    await within(10_000, target.bootstrapped, 'bootstrap');
    const started = Date.now();
    const flooder = await HostileNode.start(() => undefined);
    hostile.push(flooder);
    const before = target.stats().badTokens;
    const storedBefore = target.stats().peersStored;
    for (let i = 0; i < 2000; i++) {
      const q = encodeKrpc({ t: Uint8Array.from([i >> 8, i & 0xff]), y: 'q', q: { method: 'announce_peer', id: randomId(), infoHash: randomId(), port: 6881, impliedPort: false, token: randomBytes(8) } });
      await flooder.send(q, target.port);
    }
    await within(5000, until(() => flooder.answers.length > 0, 5000, 'answers'), 'answers');
    await new Promise((resolve) => setTimeout(resolve, 100)); // lets the last datagrams land (bounded)
    assert.equal(target.stats().peersStored, storedBefore);
    assert.ok(target.stats().badTokens > before);
    assert.ok(flooder.answers.every((m) => m.y === 'e' && m.code === 203));
    const seconds = (Date.now() - started) / 1000;
    console.log(`# 2000 bad announces sent: ${target.stats().badTokens - before} arrived and refused, ${flooder.answers.length} error answers in ${seconds.toFixed(2)} s`);
    assert.ok(flooder.answers.length <= 50 + 50 * seconds + 1, `${flooder.answers.length} answers`);
    tableIsHonest(target);
    const r = await honest[0].findNode(target.nodeId);
    assert.ok(r.closest.some((n) => n.node.port === target.port), 'the flooded node still answers others');
    await target.close();
  });

  test('malformed bencode and a 64 KiB datagram are dropped; a readable bad query gets error 203', async () => {
    const target = honest[7];
    const sender = await HostileNode.start(() => undefined);
    hostile.push(sender);
    for (let i = 0; i < 200; i++) await sender.send(randomBytes(1 + (i % 300)), target.port);
    for (const bad of ['d1:ad2:id', 'd1:t2:aa1:y1:qe', 'le', 'i42e', 'd1:t2:aa1:y1:r1:rd2:id3:abcee']) await sender.send(Buffer.from(bad), target.port);
    await sender.send(Buffer.alloc(65_000, 0x64), target.port);

    await sender.send(bencode({ t: 'zz', y: 'q', q: 'find_node', a: { id: randomId(), target: 'short' } }), target.port);
    const zz = (): (typeof sender.answers)[number] | undefined => sender.answers.find((m) => Buffer.from(m.t).toString() === 'zz');
    await within(5000, until(() => zz() !== undefined, 5000, 'the error answer'), 'error');
    const e = zz();
    assert.ok(e?.y === 'e' && e.code === 203);
    assert.ok(sender.answers.every((m) => m.y === 'e'), 'only error answers');
    // Well-formed queries with random ids, targets, tokens and ports: answered or refused, never stored.
    const stored = target.stats().peersStored;
    for (let i = 0; i < 300; i++) {
      const method = (['ping', 'find_node', 'get_peers', 'announce_peer'] as const)[i % 4];
      const a = { id: randomId(), target: randomId(), info_hash: randomId(), port: i * 211, token: randomBytes(i % 70), implied_port: i % 2 };
      const before = sender.answers.length;
      await sender.send(bencode({ t: Buffer.from([0x80 | (i >> 8), i & 0xff]), y: 'q', q: method, a }), target.port);
      await within(5000, until(() => sender.answers.length > before, 5000, `answer to query ${i}`), 'answer');
    }
    assert.ok(sender.answers.every((m) => m.y === 'e' || m.y === 'r'));
    assert.equal(target.stats().peersStored, stored, 'no random announce was stored');
    tableIsHonest(target);
    const r = await honest[0].findNode(target.nodeId);
    assert.ok(r.closest.some((n) => n.node.port === target.port), 'still answering');
  });
});
