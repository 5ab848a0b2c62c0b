/**
 * Two real daemons over stdio on a loopback DHT: one seeds a torrent made with no tracker, the other
 * downloads it from a magnet link with no tracker and no peer; dht/stats reports the node, and
 * session/setSettings turns the DHT off live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { Dht } from '../../../daemon/src/dht/dht';
import { within } from '../../support/deadline';
import { nextNotification, spawnDaemon, type DaemonProcess } from '../rpc/daemon-process';

process.env.BTD_LOOPBACK_ONLY = '1';

test('a magnet link with no tracker, between two daemons, through the DHT; dht/stats; turned off live', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-dht-'));
  const daemons: DaemonProcess[] = [];
  const nodes: Dht[] = [];
  t.after(async () => {
    for (const d of daemons) d.kill();
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 4; i++) {
    const n = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: i === 0 ? [] : [`127.0.0.1:${nodes[i - 1].port}`] });
    await within(10_000, n.bootstrapped, 'bootstrap');
    nodes.push(n);
  }
  const data = join(dir, 'seed', 'notes');
  mkdirSync(data, { recursive: true });
  const bytes = randomBytes(400_000);
  writeFileSync(join(data, 'n.bin'), bytes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0, dht: true, dhtBootstrap: [`127.0.0.1:${nodes[0].port}`] });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: data, trackers: [], pieceLength: 32768 });
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const seeded = await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data });
  if (seeded.state !== 'seeding') await within(30_000, seeding, 'seeding');

  const leecher = spawnDaemon(join(dir, 'state-b'));
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0, dht: true, dhtBootstrap: [`127.0.0.1:${nodes[3].port}`] });
  const complete = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const magnet = `magnet:?xt=urn:btih:${created.infoHash}&dn=notes`;
  await leecher.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet } });
  await within(60_000, complete, 'the magnet download did not complete');
  assert.deepEqual(readFileSync(join(dir, 'dl-b', 'notes', 'n.bin')), bytes);

  const stats = await leecher.conn.sendRequest(P.DhtStatsRequest.type);
  assert.equal(stats.enabled, true);
  assert.match(stats.nodeId, /^[0-9a-f]{40}$/);
  assert.ok(stats.nodes > 0 && stats.buckets.reduce((a, b) => a + b, 0) === stats.nodes, JSON.stringify(stats));
  assert.equal(stats.torrents, 1);
  assert.ok((await leecher.conn.sendRequest(P.SessionStatsRequest.type)).dhtNodes === stats.nodes);
  const seederStats = await seeder.conn.sendRequest(P.DhtStatsRequest.type);
  assert.ok(seederStats.enabled && seederStats.nodes > 0);

  const after = await leecher.conn.sendRequest(P.SessionSetSettingsRequest.type, { dht: false });
  assert.equal(after.dht, false);
  const off = await leecher.conn.sendRequest(P.DhtStatsRequest.type);
  assert.deepEqual([off.enabled, off.nodes], [false, 0]);
  assert.equal((await leecher.conn.sendRequest(P.SessionStatsRequest.type)).dhtNodes, undefined);
});
