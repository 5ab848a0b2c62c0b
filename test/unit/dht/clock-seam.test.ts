/**
 * The clock and transport seam of the DHT: a KRPC socket and a lookup driven by a hand-stepped clock
 * and an in-memory transport time out, measure round trips and move on exactly as with real timers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, DatagramSource, TimerHandle } from '../../../daemon/src/dht/clock';
import { decodeKrpc, encodeKrpc } from '../../../daemon/src/dht/krpc';
import { lookup } from '../../../daemon/src/dht/lookup';
import { randomId } from '../../../daemon/src/dht/node-id';
import { RoutingTable } from '../../../daemon/src/dht/routing-table';
import { KrpcSocket, QueryError } from '../../../daemon/src/dht/rpc';

/** A clock that moves only when told to. */
class StepClock implements Clock {
  t = 5_000_000;
  private timers: { at: number; fn?: () => void }[] = [];
  now(): number {
    return this.t;
  }
  elapsed(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const e = { at: this.t + ms, fn };
    this.timers.push(e);
    return e;
  }
  clearTimeout(h: TimerHandle | undefined): void {
    if (h) (h as { fn?: () => void }).fn = undefined;
  }
  /** Moves time on, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((e) => e.fn && e.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      const fn = due.fn as () => void;
      due.fn = undefined;
      fn();
    }
    this.t = end;
  }
}

class MemTransport {
  readonly sent: { bytes: Uint8Array; port: number; ip: string }[] = [];
  private listener: ((b: Buffer, from: DatagramSource) => void) | undefined;
  send(bytes: Uint8Array, port: number, ip: string): void {
    this.sent.push({ bytes, port, ip });
  }
  on(_event: 'message', listener: (b: Buffer, from: DatagramSource) => void): this {
    this.listener = listener;
    return this;
  }
  deliver(bytes: Uint8Array, ip: string, port: number): void {
    this.listener?.(Buffer.from(bytes), { address: ip, port });
  }
}

const PEER = { ip: '127.0.0.1', port: 7000 };

describe('DHT clock and transport seam', () => {
  test('a query times out on the injected clock, not on real timers', async () => {
    const clock = new StepClock();
    const rpc = new KrpcSocket(new MemTransport(), { clock });
    const p = rpc.query(PEER, { method: 'ping', id: randomId() }, 300);
    clock.advance(299);
    let settled = false;
    void p.catch(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false);
    clock.advance(1);
    await assert.rejects(p, (e: unknown) => e instanceof QueryError && e.kind === 'timeout');
    assert.equal(rpc.counts.timeouts, 1);
  });

  test('an answer measures its round trip on the injected clock', async () => {
    const clock = new StepClock();
    const net = new MemTransport();
    const rpc = new KrpcSocket(net, { clock });
    const p = rpc.query(PEER, { method: 'ping', id: randomId() });
    clock.advance(120);
    const sent = decodeKrpc(net.sent[0].bytes);
    const other = randomId();
    net.deliver(encodeKrpc({ t: sent.t, y: 'r', r: { id: other } }), PEER.ip, PEER.port);
    const a = await p;
    assert.equal(a.rtt, 120);
    assert.equal(rpc.rtt.mean, 120);
  });

  test('a lookup moves past a silent node at the soft timeout of the injected clock', async () => {
    const clock = new StepClock();
    const own = randomId();
    const silent = { id: randomId(), ip: '127.0.0.1', port: 1 };
    const asked: number[] = [];
    const p = lookup(
      {
        ownId: own,
        clock,
        softTimeout: () => 100,
        mayQuery: () => true,
        responded: () => undefined,
        failed: () => undefined,
        query: (to) => {
          asked.push(to.port);
          return new Promise(() => undefined); // nobody answers
        },
      },
      { target: randomId(), method: 'find_node', seeds: [silent, { id: randomId(), ip: '127.0.0.1', port: 2 }, { id: randomId(), ip: '127.0.0.1', port: 3 }, { id: randomId(), ip: '127.0.0.1', port: 4 }] },
    );
    await Promise.resolve();
    assert.equal(asked.length, 3);
    clock.advance(100);
    assert.equal(new Set(asked).size, 4, 'the fourth node is asked once the first three are slow');
    assert.equal(asked.length, 7, 'and the three slow ones, among the closest, are asked again');
    clock.advance(100);
    assert.equal(asked.length, 11, 'a third time, the fourth a second time');
    clock.advance(100);
    assert.equal(asked.length, 12, 'three queries to a node at most');
    clock.advance(30_000);
    const r = await p;
    assert.equal(r.ms, 30_000, "the lookup deadline, on the injected clock");
    assert.equal(r.closest.length, 0);
  });

  test('the routing table reads the injected clock for node states and stale buckets', () => {
    const clock = new StepClock();
    const table = new RoutingTable(randomId(), () => Promise.resolve(true), 8, clock);
    table.responded({ id: randomId(), ip: '127.0.0.1', port: 9 });
    assert.equal(table.questionable().length, 0);
    assert.equal(table.staleTargets().length, 0);
    clock.advance(15 * 60_000);
    assert.equal(table.questionable().length, 1);
    assert.equal(table.staleTargets().length, 1);
  });
});
