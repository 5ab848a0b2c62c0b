/**
 * The UDP announce over real sockets on 127.0.0.1, against a scripted BEP 15 tracker: the exchange,
 * connection ids kept for a while, a lost packet sent again, refusals, silence and a closed port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import sinon from 'sinon';
import { TrackerClient, udpAnnounce, type AnnounceRequest } from '../../../daemon/src/tracker/client';
import { startTracker } from '../../../daemon/src/tracker/server';

const REQUEST: AnnounceRequest = {
  infoHash: Buffer.alloc(20, 7),
  peerId: Buffer.from('-BT0001-000000000001'),
  port: 51413,
  uploaded: 10,
  downloaded: 20,
  left: 30,
  event: 'started',
  numwant: 25,
  key: '00c0ffee',
};

type Mode = 'answer' | 'drop-first' | 'refuse' | 'refuse-once' | 'silent' | 'stray-first';

/** A BEP 15 tracker that records what it receives and answers as its mode says. */
class FakeUdpTracker {
  readonly socket = dgram.createSocket('udp4');
  readonly received: Buffer[] = [];
  mode: Mode = 'answer';
  connects = 0;
  private dropped = false;

  async listen(): Promise<string> {
    this.socket.on('message', (msg, from) => this.onMessage(msg, from));
    this.socket.bind(0, '127.0.0.1');
    await once(this.socket, 'listening');
    return `udp://127.0.0.1:${this.socket.address().port}/announce`;
  }

  private onMessage(msg: Buffer, from: dgram.RemoteInfo): void {
    this.received.push(msg);
    if (this.mode === 'silent') return;
    if (this.mode === 'drop-first' && !this.dropped) {
      this.dropped = true;
      return;
    }
    const action = msg.readUInt32BE(8);
    const tx = msg.readUInt32BE(12);
    const reply = (b: Buffer): void => void this.socket.send(b, from.port, from.address);
    if (this.mode === 'stray-first') {
      // An answer to some other transaction first: the client must keep waiting for its own.
      reply(Buffer.concat([Buffer.from([0, 0, 0, 3]), u32(tx ^ 1), Buffer.from('not yours')]));
    }
    if (action === 0) {
      this.connects++;
      const b = Buffer.alloc(16);
      b.writeUInt32BE(tx, 4);
      b.writeBigUInt64BE(0x1122334455667788n, 8);
      reply(b);
    } else if (this.mode === 'refuse' || this.mode === 'refuse-once') {
      if (this.mode === 'refuse-once') this.mode = 'answer';
      reply(Buffer.concat([Buffer.from([0, 0, 0, 3]), u32(tx), Buffer.from('info hash not registered')]));
    } else {
      const head = Buffer.alloc(20);
      head.writeUInt32BE(1, 0);
      head.writeUInt32BE(tx, 4);
      head.writeUInt32BE(1200, 8);
      head.writeUInt32BE(4, 12);
      head.writeUInt32BE(2, 16);
      reply(Buffer.concat([head, Buffer.from([127, 0, 0, 1, 0x1a, 0xe1, 127, 0, 0, 2, 0x1a, 0xe2])]));
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Resolves once pending I/O callbacks and promise reactions have run (setImmediate is never faked here). */
function drained(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

describe('UDP tracker announce', () => {
  const trackers: FakeUdpTracker[] = [];
  const fake = async (mode: Mode = 'answer'): Promise<{ tracker: FakeUdpTracker; url: string }> => {
    const tracker = new FakeUdpTracker();
    tracker.mode = mode;
    trackers.push(tracker);
    return { tracker, url: await tracker.listen() };
  };
  after(() => trackers.forEach((t) => t.close()));

  test('connect, then announce: the tracker reads our fields, we read its figures and peers', async () => {
    const { tracker, url } = await fake();
    const res = await udpAnnounce(url, REQUEST, { timeoutMs: 5000 });
    assert.deepEqual(res, { interval: 1200, complete: 2, incomplete: 4, peers: [{ ip: '127.0.0.1', port: 6881 }, { ip: '127.0.0.2', port: 6882 }] });
    const announce = tracker.received[1];
    assert.equal(announce.length, 98);
    assert.equal(announce.readBigUInt64BE(0), 0x1122334455667788n, 'the connection id from the connect answer');
    assert.deepEqual(announce.subarray(16, 36), REQUEST.infoHash);
    assert.deepEqual([announce.readUInt32BE(80), announce.readInt32BE(92), announce.readUInt16BE(96)], [2, 25, 51413]);
  });

  test('the connection id is used again for the next announce to the same tracker', async () => {
    const { tracker, url } = await fake();
    await udpAnnounce(url, REQUEST, { timeoutMs: 5000 });
    await udpAnnounce(url, { ...REQUEST, event: undefined }, { timeoutMs: 5000 });
    assert.equal(tracker.connects, 1);
    assert.equal(tracker.received.length, 3);
  });

  test('a lost request is sent again within the deadline; a stray answer is ignored', async () => {
    const { tracker, url } = await fake('drop-first');
    const res = await udpAnnounce(url, REQUEST, { timeoutMs: 5000, retransmitMs: 50 });
    assert.equal(res.interval, 1200);
    assert.equal(tracker.received.length, 3, 'connect twice, announce once');
    const stray = await fake('stray-first');
    assert.equal((await udpAnnounce(stray.url, REQUEST, { timeoutMs: 5000 })).complete, 2);
  });

  test('an error answer is a refusal with its reason, and the connection id is dropped', async () => {
    const { tracker, url } = await fake('refuse');
    assert.deepEqual(await udpAnnounce(url, REQUEST, { timeoutMs: 5000 }), { failureReason: 'info hash not registered', peers: [] });
    tracker.mode = 'answer';
    await udpAnnounce(url, REQUEST, { timeoutMs: 5000 });
    assert.equal(tracker.connects, 2);
  });

  test('a kept connection id the tracker no longer knows: one fresh connect, then the announce succeeds', async () => {
    const { tracker, url } = await fake();
    await udpAnnounce(url, REQUEST, { timeoutMs: 5000 });
    tracker.mode = 'refuse-once';
    const res = await udpAnnounce(url, REQUEST, { timeoutMs: 5000 });
    assert.equal(res.interval, 1200);
    assert.equal(tracker.connects, 2);
  });

  test('silence ends at the deadline; a closed port fails at once', async () => {
    const { tracker, url } = await fake('silent');
    // Only the client's timers and clock are fake: its socket and the silent tracker are real.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const heard = once(tracker.socket, 'message');
      let outcome: unknown;
      void udpAnnounce(url, REQUEST, { timeoutMs: 300, retransmitMs: 100 }).then(
        () => (outcome = 'answered'),
        (err: unknown) => (outcome = err),
      );
      await heard;
      await clock.tickAsync(299);
      await drained();
      // Read through a function: the callbacks above assign `outcome` behind the compiler's narrowing.
      const current = (): unknown => outcome;
      assert.equal(current(), undefined, 'still waiting just before the deadline');
      await clock.tickAsync(1);
      await drained();
      const failure = current();
      assert.ok(failure instanceof Error, 'gave up at the deadline');
      assert.match(failure.message, /did not answer within 300 ms/);
    } finally {
      clock.restore();
    }
    const closed = dgram.createSocket('udp4');
    closed.bind(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = closed.address().port;
    closed.close();
    await assert.rejects(udpAnnounce(`udp://127.0.0.1:${port}`, REQUEST, { timeoutMs: 60_000 }), /ECONNREFUSED/);
  });

  describe('through TrackerClient', () => {
    let tracker: FakeUdpTracker;
    let url: string;
    before(async () => ({ tracker, url } = await fake()));

    test('a torrent with only a udp tracker announces, hears of peers, and says stopped', async () => {
      const client = new TrackerClient({ announceList: [[url]], infoHash: REQUEST.infoHash, peerId: REQUEST.peerId, port: 6881, getStats: () => ({ uploaded: 0, downloaded: 0, left: 1 }) });
      const peers = once(client, 'peers');
      client.start();
      assert.deepEqual((await peers)[0], [{ ip: '127.0.0.1', port: 6881 }, { ip: '127.0.0.2', port: 6882 }]);
      assert.deepEqual([client.status()[0].seeders, client.status()[0].leechers, client.status()[0].lastError], [2, 4, undefined]);
      await client.stop();
      assert.equal(tracker.received.at(-1)?.readUInt32BE(80), 3, 'stopped');
    });
  });
});

describe('btd tracker over UDP', () => {
  test('one swarm for both transports: a UDP peer and an HTTP peer hear of each other; statistics count both', async () => {
    const tracker = await startTracker({ host: '127.0.0.1', port: 0, udp: true });
    const clients: TrackerClient[] = [];
    try {
      assert.equal(tracker.udpUrl, `udp://127.0.0.1:${tracker.port}/announce`);
      const make = (url: string, n: number, left: number): TrackerClient => {
        const c = new TrackerClient({ announceList: [[url]], infoHash: REQUEST.infoHash, peerId: Buffer.from(`-BT0001-${String(n).padStart(12, '0')}`), port: 40000 + n, getStats: () => ({ uploaded: 0, downloaded: 0, left }) });
        clients.push(c);
        return c;
      };
      const overUdp = make(tracker.udpUrl ?? '', 1, 0);
      const announced = once(overUdp, 'announce');
      overUdp.start();
      await announced;
      const overHttp = make(tracker.url, 2, 10);
      const heard = once(overHttp, 'peers');
      overHttp.start();
      assert.deepEqual((await heard)[0], [{ ip: '127.0.0.1', port: 40001 }]);
      const again = once(overUdp, 'peers');
      overUdp.announceNow();
      assert.deepEqual((await again)[0], [{ ip: '127.0.0.1', port: 40002 }]);
      assert.deepEqual([tracker.stats().seeders, tracker.stats().leechers, tracker.stats().announces], [1, 1, 3]);
      await Promise.all(clients.map((c) => c.stop()));
      assert.equal(tracker.stats().peers, 0, 'stopped over both transports');
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
      await tracker.close();
    }
  });
});
