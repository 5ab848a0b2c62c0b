/**
 * The iterative lookup over an in-memory network: it converges on the true 8 closest nodes, keeps α = 3
 * queries in flight, does not wait for a slow node once 8 closer ones answered, survives silent nodes,
 * and delivers get_peers values as they arrive.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { lookup, type LookupNet } from '../../../daemon/src/dht/lookup';
import { compareDistance, randomId } from '../../../daemon/src/dht/node-id';
import { QueryError, type Answer } from '../../../daemon/src/dht/rpc';
import type { CompactNode, KrpcQuery, NodeAddress } from '../../../daemon/src/dht/krpc';

interface SimNode extends CompactNode {
  delayMs: number;
  silent?: boolean;
  /** Queries to this node that are lost (never answered) before it answers. */
  lose?: number;
  peers?: NodeAddress[];
}

/** Nodes of an in-memory network; each answers with the 8 closest of the two thirds of the others it knows. */
function network(size: number): SimNode[] {
  const nodes: SimNode[] = Array.from({ length: size }, (_, i) => ({ id: randomId(), ip: '127.0.0.1', port: 10_000 + i, delayMs: 10 }));
  return nodes;
}

function closestTo(nodes: SimNode[], target: Uint8Array, n: number): SimNode[] {
  return [...nodes].sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, n);
}

function simNet(nodes: SimNode[], stats: { inFlight: number; maxInFlight: number; asked: string[]; patience?: number[] }): LookupNet {
  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const own = randomId();
  return {
    ownId: own,
    softTimeout: () => 50,
    mayQuery: () => true,
    responded: () => undefined,
    failed: () => undefined,
    query(to: NodeAddress, q: KrpcQuery, patience: number): Promise<Answer> {
      const node = byPort.get(to.port);
      stats.asked.push(`${to.port}`);
      stats.patience?.push(patience);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const lost = node?.lose !== undefined && node.lose > 0;
      if (lost) node.lose = (node.lose ?? 0) - 1;
      return new Promise((resolve, reject) => {
        const settle = (): void => {
          stats.inFlight--;
          if (!node || node.silent || lost) return reject(new QueryError('timeout', 'silent'));
          const target = q.method === 'get_peers' ? q.infoHash : q.method === 'find_node' ? q.target : node.id;
          const known = closestTo(nodes.filter((n) => n !== node && (n.port * 7 + node.port) % 3 !== 0), target, 8);
          resolve({ r: { id: node.id, nodes: known, ...(node.peers ? { values: node.peers } : {}), token: Uint8Array.from([1]) }, from: to, rtt: node.delayMs });
        };
        setTimeout(settle, node?.silent || lost ? 1000 : (node?.delayMs ?? 1000));
      });
    },
  };
}

describe('iterative lookup', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  test('converges on the true 8 closest with alpha 3 in flight', async () => {
    const nodes = network(300);
    const target = randomId();
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'find_node', seeds: nodes.slice(0, 3) });
    await clock.runAllAsync();
    const r = await running;
    assert.deepEqual(r.closest.map((c) => c.node.port), closestTo(nodes, target, 8).map((n) => n.port));
    assert.equal(stats.maxInFlight, 3);
    assert.ok(r.queries < 40, `${r.queries} queries`);
  });

  test('a slow node is not waited for once 8 closer nodes answered', async () => {
    const nodes = network(200);
    const target = randomId();
    const truth = closestTo(nodes, target, 8);
    const seeds = nodes.filter((n) => !truth.includes(n)).slice(0, 3);
    seeds[0].delayMs = 5000; // a far seed answers only after 5 s
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'find_node', seeds });
    let done = false;
    void running.then(() => (done = true));
    await clock.tickAsync(1000);
    assert.ok(done, 'finished long before the slow node answers');
    const r = await running;
    assert.ok(r.ms < 1000, `${r.ms} ms`);
    assert.deepEqual(r.closest.map((c) => c.node.port), truth.map((n) => n.port));
  });

  test('a slow node among the 8 closest is waited for, and its late answer counts', async () => {
    const nodes = network(200);
    const target = randomId();
    const truth = closestTo(nodes, target, 8);
    truth[2].delayMs = 1500; // one of the very closest answers long after the soft timeout
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'find_node', seeds: nodes.filter((n) => !truth.includes(n)).slice(0, 3) });
    let done = false;
    void running.then(() => (done = true));
    await clock.tickAsync(1400);
    assert.equal(done, false, 'still waiting for the slow close node');
    await clock.runAllAsync();
    const r = await running;
    assert.ok(r.ms >= 1500, `${r.ms} ms`);
    assert.deepEqual(r.closest.map((c) => c.node.port), truth.map((n) => n.port));
  });

  test('silent nodes (a third of the network) do not stop it; get_peers values arrive as they come', async () => {
    const nodes = network(150);
    const target = randomId();
    nodes.forEach((n, i) => (n.silent = i % 3 === 0));
    const live = nodes.filter((n) => !n.silent);
    const holder = closestTo(live, target, 1)[0];
    holder.peers = [{ ip: '127.0.0.9', port: 9 }];
    const got: NodeAddress[] = [];
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'get_peers', seeds: nodes.slice(0, 6), onPeers: (p) => got.push(...p) });
    await clock.runAllAsync();
    const r = await running;
    assert.deepEqual(got, [{ ip: '127.0.0.9', port: 9 }]);
    assert.deepEqual(r.closest.map((c) => c.node.port), closestTo(live, target, 8).map((n) => n.port));
    assert.ok(r.closest.every((c) => c.token), 'tokens kept for announce_peer');
  });

  test('a close node whose query is lost is asked again at the soft timeout, and counts', async () => {
    const nodes = network(200);
    const target = randomId();
    const truth = closestTo(nodes, target, 8);
    truth[0].lose = 1; // the closest node's first query is lost
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'find_node', seeds: nodes.filter((n) => !truth.includes(n)).slice(0, 3) });
    await clock.runAllAsync();
    const r = await running;
    assert.deepEqual(r.closest.map((c) => c.node.port), truth.map((n) => n.port));
    assert.equal(stats.asked.filter((p) => p === String(truth[0].port)).length, 2, 'asked twice');
    assert.ok(r.ms < 1000, `found before the lost query's timeout: ${r.ms} ms`);
    assert.ok(r.closestMs <= r.ms);
  });

  test('a close node is asked three times at most, then given up', async () => {
    const nodes = network(200);
    const target = randomId();
    const truth = closestTo(nodes, target, 9);
    truth[0].lose = 10;
    const stats = { inFlight: 0, maxInFlight: 0, asked: [] as string[], patience: [] as number[] };
    const running = lookup(simNet(nodes, stats), { target, method: 'find_node', seeds: nodes.filter((n) => !truth.includes(n)).slice(0, 3) });
    await clock.runAllAsync();
    const r = await running;
    assert.equal(stats.asked.filter((p) => p === String(truth[0].port)).length, 3);
    assert.deepEqual(stats.patience.filter((_, i) => stats.asked[i] === String(truth[0].port)), [1, 2, 3], 'each query to it given longer');
    assert.deepEqual(r.closest.map((c) => c.node.port), truth.slice(1).map((n) => n.port));
  });
});
