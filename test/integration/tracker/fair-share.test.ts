/**
 * One source address cannot shut newcomers out: thousands of announces from 127.0.0.1 fill a swarm (or
 * the torrent table), then a peer announcing from 127.0.0.2 still gets in and is handed to a third peer.
 * Over HTTP, with the memory store and with a real redis-server.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { buildAnnounceUrl } from '../../../daemon/src/tracker/client';
import { decodeCompactPeers } from '../../../daemon/src/tracker/compact';
import { startTracker, type RunningTracker, type StartTrackerOptions } from '../../../daemon/src/tracker/server';
import { within } from '../../support/deadline';
import { NEEDS_REDIS, startRedis, type RedisProcess } from '../../support/redis';

const FLOOD = 2000;
/** Announces of the flood in flight at once. */
const LANES = 16;
const CAPS = { maxPeersPerTorrent: 100, maxTorrents: 50, maxPeersPerIp: 10_000, maxNewSwarmsPerIpPerMinute: 10_000 };
const HASH = Buffer.alloc(20, 0x5a);
const hashOf = (n: number): Uint8Array => Buffer.from(`fair-share-${String(n).padStart(9, '0')}`);
const peerId = (n: number): Uint8Array => Buffer.from(`-FS0001-${String(n).padStart(12, '0')}`);

interface Answer {
  failure?: string;
  incomplete?: number;
  peers: string[];
}

/** One announce from `source` over a keep-alive connection of that source. */
async function announce(t: RunningTracker, agent: http.Agent, n: number, infoHash: Uint8Array = HASH): Promise<Answer> {
  const url = buildAnnounceUrl(t.url, { infoHash, peerId: peerId(n), port: 10_000 + n, uploaded: 0, downloaded: 0, left: 100, numwant: 200 });
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('announce timed out')));
    req.on('error', reject);
  });
  const d = bdecode(body) as BDict;
  const failure = d.get('failure reason');
  if (failure !== undefined) return { failure: Buffer.from(failure as Uint8Array).toString(), peers: [] };
  const peers = decodeCompactPeers(d.get('peers') as Uint8Array, 4).map((p) => `${p.ip}:${p.port}`);
  return { incomplete: d.get('incomplete') as number, peers };
}

/** `count` announces from one source, `LANES` at a time; resolves with how many were refused. */
async function flood(t: RunningTracker, agent: http.Agent, count: number, hashFor: (n: number) => Uint8Array): Promise<number> {
  let next = 0;
  let refused = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      if ((await announce(t, agent, n, hashFor(n))).failure !== undefined) refused++;
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return refused;
}

function fairShareSuite(name: string, skip: false | string, options: () => Promise<StartTrackerOptions>, cleanup: () => Promise<void>): void {
  describe(`fair shares per source address (${name})`, { skip }, () => {
    let tracker: RunningTracker;
    const flooder = new http.Agent({ keepAlive: true, maxSockets: LANES, localAddress: '127.0.0.1' });
    const newcomer = new http.Agent({ keepAlive: true, localAddress: '127.0.0.2' });
    const third = new http.Agent({ keepAlive: true, localAddress: '127.0.0.3' });
    before(async () => {
      tracker = await startTracker({ host: '127.0.0.1', port: 0, ...CAPS, ...(await options()) });
    });
    after(async () => {
      for (const a of [flooder, newcomer, third]) a.destroy();
      await tracker?.close();
      await cleanup();
    });

    test('a swarm filled from one address still takes a peer from another, and hands it out', { timeout: 60_000 }, async () => {
      const refused = await within(40_000, flood(tracker, flooder, FLOOD, () => HASH), 'the flood did not finish');
      assert.equal(refused, FLOOD - CAPS.maxPeersPerTorrent, 'the flooder fills the swarm and is refused past it');
      const joined = await within(10_000, announce(tracker, newcomer, 50_001), 'no answer to the newcomer');
      assert.equal(joined.failure, undefined, `the newcomer was refused: ${joined.failure}`);
      assert.equal(joined.incomplete, CAPS.maxPeersPerTorrent, 'one of the flooder entries gave way');
      const seen = await within(10_000, announce(tracker, third, 50_002), 'no answer to the third peer');
      assert.equal(seen.failure, undefined, `the third peer was refused: ${seen.failure}`);
      assert.ok(seen.peers.includes(`127.0.0.2:${10_000 + 50_001}`), 'the newcomer is handed out to others');
    });

    test('a torrent table filled from one address still takes a new torrent from another', { timeout: 60_000 }, async () => {
      // The swarm of the test before counts as one torrent of the flooder's.
      const refused = await within(40_000, flood(tracker, flooder, 500, hashOf), 'the flood did not finish');
      // The Redis store checks the table cap against totals that announces in flight have not reached yet.
      assert.ok(refused >= 500 - CAPS.maxTorrents - LANES, `the table filled: ${refused} refused`);
      const fresh = hashOf(999_999);
      const joined = await within(10_000, announce(tracker, newcomer, 50_003, fresh), 'no answer to the newcomer');
      assert.equal(joined.failure, undefined, `the new torrent was refused: ${joined.failure}`);
      const seen = await within(10_000, announce(tracker, third, 50_004, fresh), 'no answer to the third peer');
      assert.deepEqual(seen.peers, [`127.0.0.2:${10_000 + 50_003}`]);
    });
  });
}

fairShareSuite('memory store', false, async () => ({}), async () => undefined);

let redis: RedisProcess | undefined;
fairShareSuite(
  'Redis store',
  NEEDS_REDIS,
  async () => {
    redis = await startRedis();
    return { store: redis.url };
  },
  async () => redis?.stop(),
);
