import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { once } from 'node:events';
import { bencode } from '../../../daemon/src/bencode';
import { TrackerClient, AnnounceTiers, type AnnounceResponse, type TrackerClientOptions } from '../../../daemon/src/tracker/client';

type Answer = Uint8Array | Error | 'hang';
/** A scripted tracker: each URL host answers from its queue; every request is recorded. */
function fakeFetch(script: Record<string, Answer[]>) {
  const calls: { host: string; event: string | null; numwant: string | null }[] = [];
  const fetch = (url: string): Promise<Uint8Array> => {
    const u = new URL(url);
    calls.push({ host: u.host, event: u.searchParams.get('event'), numwant: u.searchParams.get('numwant') });
    const next = script[u.host]?.shift() ?? new Error('connection refused');
    if (next === 'hang') return new Promise(() => undefined);
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch, calls };
}

const ok = (interval = 60, extra: Record<string, unknown> = {}): Uint8Array =>
  bencode({ interval, 'min interval': 30, complete: 1, incomplete: 2, peers: Uint8Array.of(10, 0, 0, 2, 0x1a, 0xe1), ...extra } as never);

function client(fetch: TrackerClientOptions['fetch'], announceList: string[][] = [['http://a/announce']]): TrackerClient {
  return new TrackerClient({
    announceList,
    infoHash: new Uint8Array(20),
    peerId: new Uint8Array(20),
    port: 6881,
    getStats: () => ({ uploaded: 0, downloaded: 0, left: 5 }),
    fetch,
    random: () => 0.999,
  });
}

async function settle(clock: sinon.SinonFakeTimers, ms = 0): Promise<void> {
  await clock.tickAsync(ms);
}

describe('tracker client', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => clock.restore());

  test('sends started, hands out peers, then re-announces on the interval without an event', async () => {
    const { fetch, calls } = fakeFetch({ a: [ok(60), ok(60)] });
    const c = client(fetch);
    const peers = once(c, 'peers');
    c.start();
    await settle(clock);
    assert.deepEqual((await peers)[0], [{ ip: '10.0.0.2', port: 6881 }]);
    assert.deepEqual(calls.map((x) => x.event), ['started']);
    await settle(clock, 59_999);
    assert.equal(calls.length, 1);
    await settle(clock, 1);
    assert.deepEqual(calls.map((x) => x.event), ['started', null]);
    const [row] = c.status();
    assert.deepEqual([row.seeders, row.leechers, row.lastAnnounce, row.nextAnnounce], [1, 2, 60_000, 120_000]);
    await c.stop();
  });

  test('retries with doubling back-off and keeps the started event until it is delivered', async () => {
    const { fetch, calls } = fakeFetch({ a: [new Error('down'), new Error('down'), ok()] });
    const c = client(fetch);
    const errors: string[] = [];
    c.on('error', (msg) => errors.push(msg));
    c.start();
    await settle(clock);
    await settle(clock, 15_000);
    assert.equal(calls.length, 2);
    await settle(clock, 29_999);
    assert.equal(calls.length, 2);
    await settle(clock, 1);
    assert.deepEqual(calls.map((x) => x.event), ['started', 'started', 'started']);
    assert.deepEqual(errors, ['down', 'down']);
    assert.equal(c.status()[0].lastError, undefined);
    await c.stop();
  });

  test('walks tiers in order and promotes the tracker that answered', async () => {
    const { fetch, calls } = fakeFetch({ a: [new Error('down')], b: [ok(), ok()], c: [ok()] });
    const c = client(fetch, [['http://a/announce', 'http://b/announce'], ['http://c/announce']]);
    c.start();
    await settle(clock);
    assert.deepEqual(calls.map((x) => x.host), ['a', 'b']);
    await settle(clock, 60_000);
    assert.deepEqual(calls.map((x) => x.host), ['a', 'b', 'b']);
    assert.deepEqual(c.status().map((s) => s.url), ['http://b/announce', 'http://a/announce', 'http://c/announce']);
    await c.stop();
  });

  test('a failure reason is an error event and the next tier is tried', async () => {
    const { fetch, calls } = fakeFetch({ a: [bencode({ 'failure reason': 'unregistered torrent' })], c: [ok(60, { 'warning message': 'be nice' })] });
    const c = client(fetch, [['http://a/announce'], ['http://c/announce']]);
    const warnings: string[] = [];
    c.on('warning', (m) => warnings.push(m));
    c.start();
    await settle(clock);
    assert.deepEqual(calls.map((x) => x.host), ['a', 'c']);
    assert.match(c.status()[0].lastError ?? '', /unregistered torrent/);
    assert.deepEqual(warnings, ['http://c/announce: be nice']);
    assert.equal(c.status()[1].lastWarning, 'be nice');
    await c.stop();
  });

  test('trackers of other schemes are skipped with a warning; errors without listeners never throw', async () => {
    const { fetch, calls } = fakeFetch({});
    const c = client(fetch, [['wss://w:1/announce', 'http://a/announce']]);
    const warnings: string[] = [];
    c.on('warning', (m) => warnings.push(m));
    c.start();
    await settle(clock);
    assert.deepEqual(calls.map((x) => x.host), ['a']);
    assert.match(warnings[0], /wss:\/\/w:1\/announce.*only http, https and udp/);
    assert.match(c.status().find((s) => s.url.startsWith('wss'))?.lastError ?? '', /unsupported scheme/);
    await c.stop();
  });

  test('udp trackers take their turn in the tiers with the same request, and their answers count the same', async () => {
    const { fetch, calls } = fakeFetch({ a: [ok()] });
    const udpCalls: { url: string; event?: string; numwant?: number; left: number }[] = [];
    const answers: (AnnounceResponse | Error)[] = [new Error('tracker did not answer within 15000 ms'), { interval: 90, complete: 3, incomplete: 4, peers: [{ ip: '10.0.0.9', port: 7000 }] }];
    const c = new TrackerClient({
      announceList: [['udp://u:1/announce'], ['http://a/announce']],
      infoHash: new Uint8Array(20),
      peerId: new Uint8Array(20),
      port: 6881,
      getStats: () => ({ uploaded: 0, downloaded: 0, left: 5 }),
      fetch,
      udp: (url, r) => {
        udpCalls.push({ url, event: r.event, numwant: r.numwant, left: r.left });
        const next = answers.shift() ?? new Error('no more');
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
    });
    const peers: unknown[] = [];
    c.on('peers', (p) => peers.push(...p));
    c.on('error', () => undefined);
    c.start();
    await settle(clock);
    // The udp tracker failed, so the next tier answered.
    assert.deepEqual(udpCalls, [{ url: 'udp://u:1/announce', event: 'started', numwant: 50, left: 5 }]);
    assert.deepEqual(calls.map((x) => x.host), ['a']);
    assert.match(c.status()[0].lastError ?? '', /did not answer/);
    c.announceNow();
    await settle(clock, 60_000);
    assert.equal(udpCalls.length, 2);
    assert.equal(udpCalls[1].event, undefined);
    assert.deepEqual(c.status()[0].seeders, 3);
    assert.deepEqual(peers.at(-1), { ip: '10.0.0.9', port: 7000 });
    await c.stop();
  });

  test('complete() is sent at once; announceNow() waits for min interval', async () => {
    const { fetch, calls } = fakeFetch({ a: [ok(), ok(), ok()] });
    const c = client(fetch);
    c.start();
    await settle(clock);
    c.complete();
    await settle(clock);
    assert.deepEqual(calls.map((x) => x.event), ['started', 'completed']);
    c.announceNow();
    await settle(clock, 29_999);
    assert.equal(calls.length, 2);
    await settle(clock, 1);
    assert.deepEqual(calls.map((x) => x.event), ['started', 'completed', null]);
    await c.stop();
  });

  test('stop() sends stopped with numwant 0 and returns even when the tracker hangs', async () => {
    const { fetch, calls } = fakeFetch({ a: [ok(), 'hang'] });
    const c = new TrackerClient({
      announceList: [['http://a/announce']],
      infoHash: new Uint8Array(20),
      peerId: new Uint8Array(20),
      port: 1,
      getStats: () => ({ uploaded: 0, downloaded: 0, left: 0 }),
      fetch: (url, opts) => {
        // The real fetch enforces the deadline; this one imitates it with the fake clock.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<Uint8Array>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), opts.timeoutMs)));
        return Promise.race([fetch(url), deadline]).finally(() => clearTimeout(timer));
      },
    });
    c.start();
    await settle(clock);
    const stopped = c.stop();
    await settle(clock, 2000);
    await stopped;
    assert.deepEqual(calls.map((x) => [x.event, x.numwant]), [['started', '50'], ['stopped', '0']]);
    assert.equal(clock.countTimers(), 0, 'no timer left behind');
  });
});

describe('announce tiers', () => {
  test('shuffles within a tier only, drops duplicates and empty tiers', () => {
    const tiers = new AnnounceTiers([['a', 'b', 'c'], [], ['d', 'a']], () => 0);
    assert.deepEqual(tiers.order(), [
      { url: 'b', tier: 0 },
      { url: 'c', tier: 0 },
      { url: 'a', tier: 0 },
      { url: 'd', tier: 1 },
    ]);
    tiers.promote('a');
    assert.deepEqual(tiers.order().map((e) => e.url), ['a', 'b', 'c', 'd']);
  });
});
