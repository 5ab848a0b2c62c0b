import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { TrackerClient, scrape, type PeerAddress } from '../../../daemon/src/tracker/client';
import { freePort, run, stop, waitForListener, type Program } from './helpers';

const haveOpentracker = spawnSync('which', ['opentracker']).status === 0;
const INFO_HASH = Buffer.from('5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed', 'hex');

function client(url: string, n: number, left: number): TrackerClient {
  return new TrackerClient({
    announceList: [[url]],
    infoHash: INFO_HASH,
    peerId: Buffer.from(`-BT0001-${String(n).padStart(12, '0')}`),
    port: 40000 + n,
    getStats: () => ({ uploaded: 0, downloaded: 0, left }),
  });
}

test('btd client announces to opentracker over HTTP and UDP and reads its answers', { skip: !haveOpentracker && process.env.CI !== 'true' && 'opentracker missing (CI installs it and runs this)', timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'btd-opentracker-'));
  let tracker: Program | undefined;
  const clients: TrackerClient[] = [];
  try {
    // Debian's build serves only whitelisted hashes; it chroots into dir, so the list is named relative to it.
    await writeFile(join(dir, 'whitelist'), `${INFO_HASH.toString('hex')}\n`);
    await chmod(dir, 0o755);
    const port = await freePort();
    const args = ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-d', dir, '-w', 'whitelist'];
    if (process.getuid?.() === 0) args.push('-u', 'nobody');
    tracker = run('opentracker', args);
    await waitForListener(port);
    const url = `http://127.0.0.1:${port}/announce`;

    const seeder = client(url, 1, 0);
    clients.push(seeder);
    seeder.start();
    const [first] = await once(seeder, 'announce');
    assert.ok(first.interval > 0, 'opentracker names an interval');

    const leecher = client(url, 2, 1000);
    clients.push(leecher);
    const errors: string[] = [];
    leecher.on('error', (msg) => errors.push(msg));
    const peers = once(leecher, 'peers');
    leecher.start();
    const [list] = (await peers) as [PeerAddress[]];
    assert.ok(list.some((p) => p.ip === '127.0.0.1' && p.port === 40001), JSON.stringify(list));
    assert.deepEqual([leecher.status()[0].seeders, leecher.status()[0].leechers], [1, 1]);
    assert.deepEqual(errors, []);

    const figures = (await scrape(url, [INFO_HASH])).get(INFO_HASH.toString('hex'));
    assert.deepEqual([figures?.complete, figures?.incomplete], [1, 1]);

    const refused = new TrackerClient({ announceList: [[url]], infoHash: Buffer.alloc(20, 1), peerId: Buffer.alloc(20, 2), port: 1, getStats: () => ({ uploaded: 0, downloaded: 0, left: 1 }) });
    clients.push(refused);
    const failure = once(refused, 'error');
    refused.start();
    const [message] = await failure;
    assert.match(message, /tracker refused: .*not authorized/);

    // The same swarm over UDP (BEP 15), on the same port: a third peer hears of the first two.
    const overUdp = client(`udp://127.0.0.1:${port}`, 3, 1000);
    clients.push(overUdp);
    const udpPeers = once(overUdp, 'peers');
    overUdp.start();
    const [heard] = (await udpPeers) as [PeerAddress[]];
    // opentracker lists the asking peer too.
    for (const port of [40001, 40002]) assert.ok(heard.some((p) => p.ip === '127.0.0.1' && p.port === port), JSON.stringify(heard));
    assert.equal(overUdp.status()[0].lastError, undefined);
    assert.equal(overUdp.status()[0].seeders, 1);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await stop(tracker);
    await rm(dir, { recursive: true, force: true });
  }
});
