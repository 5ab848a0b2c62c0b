/** KRPC over a (fake) UDP socket: timeouts from the round trip, rate limits, spoofed answers, the loopback-only guard. */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type dgram from 'node:dgram';
import sinon from 'sinon';
import { decodeKrpc, encodeKrpc } from '../../../daemon/src/dht/krpc';
import { KrpcSocket, QueryError, RttEstimator, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS } from '../../../daemon/src/dht/rpc';
import { randomId } from '../../../daemon/src/dht/node-id';

class FakeSocket extends EventEmitter {
  readonly sent: { bytes: Buffer; port: number; ip: string }[] = [];
  send(bytes: Buffer, port: number, ip: string): void {
    this.sent.push({ bytes, port, ip });
  }
  /** Delivers a datagram as if from ip:port. */
  deliver(bytes: Uint8Array, ip: string, port: number): void {
    this.emit('message', Buffer.from(bytes), { address: ip, port });
  }
}

const ID = randomId();
const PEER = { ip: '127.0.0.1', port: 7000 };

function setup(opts = {}): { sock: FakeSocket; rpc: KrpcSocket } {
  const sock = new FakeSocket();
  return { sock, rpc: new KrpcSocket(sock as unknown as dgram.Socket, opts) };
}

describe('KRPC socket', () => {
  let clock: sinon.SinonFakeTimers;
  const saved = process.env.BTD_LOOPBACK_ONLY;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    process.env.BTD_LOOPBACK_ONLY = '1';
  });
  afterEach(() => {
    clock.restore();
    process.env.BTD_LOOPBACK_ONLY = saved;
  });

  test('timeouts follow the measured round trip, within bounds', () => {
    const e = new RttEstimator();
    assert.equal(e.timeout, 2000, 'before any sample');
    for (let i = 0; i < 20; i++) e.add(2);
    assert.equal(e.timeout, MIN_TIMEOUT_MS);
    assert.equal(e.softTimeout, 50);
    for (let i = 0; i < 40; i++) e.add(400 + (i % 2) * 100);
    assert.ok(e.timeout > 500 && e.timeout < 1000, `${e.timeout}`);
    assert.ok(e.softTimeout >= 420 && e.softTimeout < e.timeout, `${e.softTimeout}`);
  });

  test('a patient query waits a multiple of the timeout, within MAX_TIMEOUT_MS', () => {
    const { rpc } = setup();
    for (let i = 0; i < 20; i++) rpc.rtt.add(400);
    const t = rpc.rtt.timeout;
    assert.equal(rpc.patientTimeout(1), t);
    assert.equal(rpc.patientTimeout(2), Math.min(MAX_TIMEOUT_MS, 2 * t));
    assert.equal(rpc.patientTimeout(100), MAX_TIMEOUT_MS);
  });

  test('the soft timeout follows the 35th percentile of recent round trips, not a heavy tail', () => {
    const e = new RttEstimator();
    // 8 answers at 100 ms and 24 at 3 s: the 35th percentile is a slow one.
    for (let i = 0; i < 32; i++) e.add(i % 4 === 3 ? 100 : 3000);
    assert.equal(e.softTimeout, 3020, 'three quarters are slow: the 35th percentile is a slow one');
    // 16 answers at 100 ms and 16 at 3 s: srtt + 2 rttvar would wait over a second.
    for (let i = 0; i < 32; i++) e.add(i % 2 === 1 ? 3000 : 100);
    assert.equal(e.softTimeout, 120, 'half are slow: the 35th percentile is a fast one');
    assert.ok(e.timeout > 1000, `the hard timeout still allows for the tail: ${e.timeout}`);
  });

  test('an answer resolves its query only from the address asked; the round trip is measured', async () => {
    const { sock, rpc } = setup();
    const pending = rpc.query(PEER, { method: 'ping', id: ID });
    const sent = decodeKrpc(sock.sent[0].bytes);
    const answer = encodeKrpc({ t: sent.t, y: 'r', r: { id: randomId() } });
    sock.deliver(answer, '127.0.0.1', 7001); // spoofed port
    assert.equal(rpc.inFlight, 1);
    clock.tick(30);
    sock.deliver(answer, PEER.ip, PEER.port);
    const a = await pending;
    assert.equal(a.rtt, 30);
    assert.equal(rpc.rtt.mean, 30);
    assert.equal(rpc.inFlight, 0);
  });

  test('an unanswered query times out; an error answer rejects with its code', async () => {
    const { sock, rpc } = setup();
    const silent = rpc.query(PEER, { method: 'ping', id: ID }, 300);
    const erring = rpc.query(PEER, { method: 'ping', id: ID });
    const t = decodeKrpc(sock.sent[1].bytes).t;
    sock.deliver(encodeKrpc({ t, y: 'e', code: 202, message: 'busy' }), PEER.ip, PEER.port);
    await assert.rejects(erring, (e: QueryError) => e.kind === 'error' && e.code === 202);
    clock.tick(300);
    await assert.rejects(silent, (e: QueryError) => e.kind === 'timeout');
    assert.equal(rpc.counts.timeouts, 1);
  });

  test('loopback-only mode refuses any other destination before sending', async () => {
    const { sock, rpc } = setup();
    await assert.rejects(rpc.query({ ip: '10.1.2.3', port: 6881 }, { method: 'ping', id: ID }), (e: QueryError) => e.kind === 'refused');
    rpc.respond({ ip: '8.8.8.8', port: 53 }, Uint8Array.from([1]), { id: ID });
    assert.equal(sock.sent.length, 0);
  });

  test('queries sent are held to the rate limit, the rest wait their turn', async () => {
    const { sock, rpc } = setup({ queriesPerSecond: 10 });
    const all = Array.from({ length: 25 }, () => rpc.query(PEER, { method: 'ping', id: ID }, 10_000).catch(() => undefined));
    assert.equal(sock.sent.length, 10);
    await clock.tickAsync(1000);
    assert.ok(sock.sent.length >= 19 && sock.sent.length <= 21, `${sock.sent.length}`);
    await clock.tickAsync(1000);
    assert.equal(sock.sent.length, 25);
    rpc.close();
    await Promise.all(all);
  });

  test('answers to one source address are held to its budget; others are not affected', () => {
    const { sock, rpc } = setup({ answersPerSecond: 20 });
    for (let i = 0; i < 100; i++) rpc.respond(PEER, Uint8Array.from([i]), { id: ID });
    assert.equal(sock.sent.length, 20);
    rpc.respond({ ip: '127.0.0.2', port: 7000 }, Uint8Array.from([1]), { id: ID });
    assert.equal(sock.sent.length, 21);
    clock.tick(500);
    for (let i = 0; i < 100; i++) rpc.respond(PEER, Uint8Array.from([i]), { id: ID });
    assert.equal(sock.sent.length, 31, 'refilled at 20 per second');
    assert.equal(rpc.counts.rateLimited, 170);
  });

  test('a query we can read gets an error answer; garbage and answers to nothing are dropped', () => {
    const { sock, rpc } = setup();
    const queries: unknown[] = [];
    rpc.on('query', (q) => queries.push(q));
    sock.deliver(Buffer.from('d1:ad2:id3:abce1:q4:ping1:t2:xy1:y1:qe'), PEER.ip, PEER.port);
    sock.deliver(Buffer.from('garbage'), PEER.ip, PEER.port);
    sock.deliver(encodeKrpc({ t: Uint8Array.from([9, 9]), y: 'r', r: { id: ID } }), PEER.ip, PEER.port);
    sock.deliver(encodeKrpc({ t: Uint8Array.from([1]), y: 'q', q: { method: 'ping', id: ID } }), PEER.ip, PEER.port);
    assert.equal(sock.sent.length, 1);
    const e = decodeKrpc(sock.sent[0].bytes);
    assert.ok(e.y === 'e' && e.code === 203 && Buffer.from(e.t).toString() === 'xy');
    assert.equal(queries.length, 1);
    assert.equal(rpc.counts.dropped, 3);
  });
});
