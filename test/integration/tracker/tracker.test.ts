import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import sinon from 'sinon';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { createServer } from 'node:http';
import { createTrackerApp, startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { TrackerClient, buildAnnounceUrl, scrape, httpGet, type TrackerClientOptions } from '../../../daemon/src/tracker/client';

const HASH = Uint8Array.from({ length: 20 }, (_, i) => 0xf0 ^ i);
const OTHER = new Uint8Array(20).fill(0x25);
const peerId = (n: number): Uint8Array => Buffer.from(`-BT0001-${String(n).padStart(12, '0')}`);

/** Sends raw bytes as a request line, so the test controls every byte the server sees. */
async function rawRequest(port: number, target: string): Promise<{ status: number; body: string }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'));
  const chunks: Buffer[] = [];
  for await (const c of socket) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('latin1');
  const [head, ...rest] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') };
}

async function get(url: string): Promise<BDict> {
  return bdecode(await httpGet(url, { timeoutMs: 5000, maxBytes: 1 << 20 })) as BDict;
}

function makeClient(tracker: RunningTracker, n: number, left: number, extra: Partial<TrackerClientOptions> = {}): TrackerClient {
  return new TrackerClient({ announceList: [[tracker.url]], infoHash: HASH, peerId: peerId(n), port: 7000 + n, getStats: () => ({ uploaded: 0, downloaded: 0, left }), ...extra });
}

describe('tracker server and client over 127.0.0.1', () => {
  let tracker: RunningTracker;
  before(async () => {
    tracker = await startTracker({ port: 0, interval: 120 });
  });
  after(() => tracker.close());

  test('two clients find each other; stop removes a peer at once', async () => {
    const seeder = makeClient(tracker, 1, 0);
    const leecher = makeClient(tracker, 2, 100);
    seeder.start();
    await once(seeder, 'announce');
    leecher.start();
    const [peers] = await once(leecher, 'peers');
    assert.deepEqual(peers, [{ ip: '127.0.0.1', port: 7001 }]);
    assert.deepEqual(leecher.status()[0].seeders, 1);
    const figures = await scrape(tracker.url, [HASH]);
    assert.deepEqual(figures.get(Buffer.from(HASH).toString('hex')), { complete: 1, incomplete: 1, downloaded: 0 });
    await seeder.stop();
    assert.deepEqual([tracker.stats().seeders, tracker.stats().leechers], [0, 1]);
    await leecher.stop();
    assert.equal(tracker.stats().peers, 0);
  });

  test('bad input of every kind is a 200 with a failure reason', async () => {
    const good = buildAnnounceUrl('/announce', { infoHash: HASH, peerId: peerId(9), port: 1, uploaded: 0, downloaded: 0, left: 0 });
    const cases: [string, RegExp][] = [
      ['/announce', /missing info_hash/],
      ['/announce?info_hash=%00%01&peer_id=x&port=1', /info_hash must be 20 bytes/],
      [good.replace('port=1', 'port=99999'), /port must be between/],
      [good.replace('left=0', 'left=-1'), /left must be a non-negative integer/],
      [`${good}&numwant=1e9`, /numwant must be/],
      ['/announce?%%%&&&===', /malformed query string/],
      ['/announce?info_hash=\xff\xfe', /malformed HTTP request/],
      [`/announce?${'x=y&'.repeat(3000)}`, /more than 512 query parameters/],
      [`/announce?${'a'.repeat(60_000)}`, /request too long/],
      ['/scrape?info_hash=short', /info_hash must be 20 bytes/],
    ];
    for (const [target, reason] of cases) {
      const r = await rawRequest(tracker.port, target);
      assert.equal(r.status, 200, target.slice(0, 80));
      const failure = (bdecode(Buffer.from(r.body, 'latin1')) as BDict).get('failure reason') as Uint8Array;
      assert.match(Buffer.from(failure).toString(), reason, target.slice(0, 80));
    }
    const huge = await get(`${tracker.url.replace('/announce', '')}${good}&numwant=999999999999999999999`);
    assert.equal(huge.get('failure reason'), undefined);
  });

  test('dictionary model on request, compact by default, scrape of all torrents', async () => {
    const base = tracker.url;
    const announce = (n: number, extra = ''): Promise<BDict> =>
      get(`${buildAnnounceUrl(base, { infoHash: OTHER, peerId: peerId(n), port: 8000 + n, uploaded: 0, downloaded: 0, left: 1 }).replace('&compact=1', '')}${extra}`);
    await announce(20);
    assert.ok((await announce(21)).get('peers') instanceof Uint8Array);
    const dict = (await announce(22, '&compact=0')).get('peers') as BDict[];
    assert.deepEqual(dict.map((p) => p.get('port')).sort(), [8020, 8021]);
    assert.ok(dict.every((p) => p.get('peer id') instanceof Uint8Array));
    const noIds = (await announce(22, '&compact=0&no_peer_id=1')).get('peers') as BDict[];
    assert.ok(noIds.every((p) => !p.has('peer id')));
    const all = (await get(base.replace('/announce', '/scrape'))).get('files') as BDict;
    assert.deepEqual((all.get(Buffer.from(OTHER).toString('latin1')) as BDict).get('incomplete'), 3);
    for (const n of [20, 21, 22]) await announce(n, '&event=stopped');
  });

  test('stats as JSON and as an HTML page', async () => {
    const base = tracker.url.replace('/announce', '');
    const json = (await (await fetch(`${base}/stats.json`)).json()) as Record<string, unknown>;
    for (const k of ['torrents', 'seeders', 'leechers', 'peers', 'announces', 'scrapes', 'announcesPerSecond', 'scrapesPerSecond', 'uptimeSeconds', 'startedAt']) {
      assert.ok(k in json, k);
    }
    assert.ok((json.announces as number) > 0);
    const page = await fetch(`${base}/stats`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<table>/);
  });
});

describe('the app on its own', () => {
  test('mounted as a plain Koa app it answers announce, scrape and stats the same way', async () => {
    const tracker = createTrackerApp({ interval: 60 });
    const server = createServer(tracker.app.callback()).listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const url = (n: number) => buildAnnounceUrl(`${base}/announce`, { infoHash: HASH, peerId: peerId(n), port: 5000 + n, uploaded: 0, downloaded: 0, left: 0 });
      await get(url(1));
      const answer = await get(url(2));
      assert.deepEqual([answer.get('complete'), answer.get('interval'), (answer.get('peers') as Uint8Array).length], [2, 60, 6]);
      assert.match(Buffer.from((await get(`${base}/announce?port=1`)).get('failure reason') as Uint8Array).toString(), /missing info_hash/);
      assert.equal(((await get(`${base}/scrape`)).get('files') as BDict).size, 1);
      assert.equal(((await (await fetch(`${base}/stats.json`)).json()) as { seeders: number }).seeders, 2);
      assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    } finally {
      server.close();
      server.closeAllConnections();
      tracker.close();
    }
  });
});

describe('tracker options', () => {
  test('X-Forwarded-For is used only when trusted', async () => {
    for (const trustProxy of [false, true]) {
      const tracker = await startTracker({ port: 0, trustProxy });
      try {
        const url = (n: number) => buildAnnounceUrl(tracker.url, { infoHash: HASH, peerId: peerId(n), port: 9000, uploaded: 0, downloaded: 0, left: 1 });
        await fetch(url(1), { headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } });
        const body = bdecode(new Uint8Array(await (await fetch(url(2))).arrayBuffer())) as BDict;
        const peers = body.get('peers') as Uint8Array;
        assert.deepEqual([...peers.subarray(0, 4)], trustProxy ? [198, 51, 100, 7] : [127, 0, 0, 1]);
      } finally {
        await tracker.close();
      }
    }
  });

  test('allow-list refuses other torrents; silent peers expire on the sweep timer', async () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const tracker = await startTracker({ port: 0, interval: 60, allowList: [Buffer.from(HASH).toString('hex')] });
    try {
      const announce = (hash: Uint8Array) => get(buildAnnounceUrl(tracker.url, { infoHash: hash, peerId: peerId(1), port: 1, uploaded: 0, downloaded: 0, left: 1 }));
      const refused = (await announce(new Uint8Array(20))).get('failure reason') as Uint8Array;
      assert.match(Buffer.from(refused).toString(), /not allowed/);
      await announce(HASH);
      assert.equal(tracker.stats().peers, 1);
      clock.tick(2 * 60_000 + 60_000 + 60_000);
      assert.equal(tracker.stats().peers, 0);
      assert.equal(tracker.stats().torrents, 0);
    } finally {
      await tracker.close();
      clock.restore();
    }
  });
});
