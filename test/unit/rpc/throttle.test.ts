/** Throttle and Notifier timing, with sinon's fake clock. */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import * as P from '../../../protocol/src';
import { Throttle } from '../../../daemon/src/rpc/throttle';
import { Notifier, type NotificationSink } from '../../../daemon/src/rpc/notifier';
import type { Daemon } from '../../../daemon/src/rpc/daemon';
import { FakeTorrent, fakeMetainfo } from './fake-engine';

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => clock.restore());

describe('Throttle', () => {
  test('first value at once, then at most one per interval carrying the latest value', () => {
    const out: [string, number][] = [];
    const th = new Throttle<number>(250, (k, v) => out.push([k, v]));
    for (let i = 1; i <= 100; i++) th.push('a', i);
    assert.deepEqual(out, [['a', 1]]);
    clock.tick(249);
    assert.equal(out.length, 1);
    clock.tick(1);
    assert.deepEqual(out, [['a', 1], ['a', 100]]);
    clock.tick(1000);
    assert.equal(out.length, 2, 'nothing is sent without a new value');
  });

  test('keys are independent', () => {
    const out: string[] = [];
    const th = new Throttle<number>(250, (k) => out.push(k));
    th.push('a', 1);
    th.push('b', 1);
    th.push('a', 2);
    assert.deepEqual(out, ['a', 'b']);
    clock.tick(250);
    assert.deepEqual(out, ['a', 'b', 'a']);
  });

  test('now() sends at once and drops the pending value; forget() discards it', () => {
    const out: number[] = [];
    const th = new Throttle<number>(250, (_k, v) => out.push(v));
    th.push('a', 1);
    th.push('a', 2);
    th.now('a', 3);
    clock.tick(1000);
    assert.deepEqual(out, [1, 3]);
    th.push('a', 4);
    th.push('a', 5);
    th.forget('a');
    clock.tick(1000);
    assert.deepEqual(out, [1, 3, 4]);
    th.dispose();
  });

  test('a steady stream is capped at 4 per second', () => {
    let sent = 0;
    const th = new Throttle<number>(250, () => sent++);
    for (let ms = 0; ms < 10_000; ms += 10) {
      th.push('a', ms);
      clock.tick(10);
    }
    assert.ok(sent <= 41 && sent >= 39, `sent ${sent} in 10 s`);
  });
});

describe('Notifier', () => {
  function setup() {
    const daemon = new EventEmitter() as unknown as Daemon;
    const sent: { method: string; params: unknown }[] = [];
    const sink: NotificationSink = {
      sendNotification: async (type, params) => {
        sent.push({ method: type.method, params });
      },
    };
    const notifier = new Notifier(daemon, sink, 'info');
    const torrent = new FakeTorrent(fakeMetainfo('x'), '/dl', false);
    return { daemon: daemon as unknown as EventEmitter, sent, notifier, torrent, methods: () => sent.map((s) => s.method) };
  }

  test('progress is coalesced per torrent; a state change goes out at once with the latest progress', () => {
    const { daemon, sent, notifier, torrent, methods } = setup();
    for (let i = 1; i <= 50; i++) {
      torrent.progress = i / 100;
      daemon.emit('progress', torrent);
    }
    assert.deepEqual(methods(), [P.TorrentProgressNotification.method]);
    torrent.state = 'seeding';
    torrent.progress = 1;
    daemon.emit('state', torrent);
    assert.deepEqual(methods(), [P.TorrentProgressNotification.method, P.TorrentProgressNotification.method, P.TorrentStateChangedNotification.method]);
    assert.equal((sent[1].params as P.TorrentInfo).progress, 1);
    daemon.emit('completed', torrent);
    assert.equal(sent.length, 3, 'the same state is not announced twice');
    clock.tick(1000);
    assert.equal(sent.length, 3, 'the pending progress was replaced by the immediate one');
    notifier.dispose();
  });

  test('peer updates are throttled per connection; added and removed are immediate', () => {
    const { daemon, notifier, torrent, sent } = setup();
    const peer = { id: '127.0.0.1:1', ip: '127.0.0.1', port: 1, client: 'x', progress: 0, downloadRate: 0, uploadRate: 0, downloaded: 0, uploaded: 0, amChoking: true, amInterested: false, peerChoking: true, peerInterested: false, direction: 'outgoing' as const };
    daemon.emit('peer', torrent, { kind: 'added', peer });
    for (let i = 0; i < 10; i++) daemon.emit('peer', torrent, { kind: 'updated', peer });
    daemon.emit('peer', torrent, { kind: 'removed', peer });
    clock.tick(5000);
    assert.deepEqual(sent.map((s) => (s.params as P.PeerChangedParams).kind), ['added', 'updated', 'removed']);
    notifier.dispose();
  });

  test('log entries below the level are dropped; dispose unsubscribes', () => {
    const { daemon, notifier, sent } = setup();
    daemon.emit('log', { level: 'debug', message: 'noise' });
    daemon.emit('log', { level: 'warn', message: 'careful' });
    notifier.setLogLevel('debug');
    daemon.emit('log', { level: 'debug', message: 'detail' });
    notifier.dispose();
    daemon.emit('log', { level: 'error', message: 'after' });
    assert.deepEqual(sent.map((s) => (s.params as P.LogParams).message), ['careful', 'detail']);
  });

  test('a log flood is capped per second and the dropped count reported', () => {
    const { daemon, notifier, sent } = setup();
    for (let i = 0; i < 100; i++) daemon.emit('log', { level: 'error', message: `e${i}` });
    assert.equal(sent.length, 20);
    clock.tick(1000);
    daemon.emit('log', { level: 'error', message: 'later' });
    assert.deepEqual(sent.slice(20).map((s) => (s.params as P.LogParams).message), ['80 log entries dropped (more than 20 per second)', 'later']);
    notifier.dispose();
  });
});
