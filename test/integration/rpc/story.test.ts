/**
 * The whole story over stdio with two real daemons: start a tracker, create a torrent with progress, seed
 * it, add it in a second daemon, receive progress until complete, list peers, stop, restart with the
 * same state folder and find the torrent again, shut down cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressType } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { nextNotification, spawnDaemon, type DaemonProcess } from './daemon-process';

test('create, seed, download through a second daemon, restart, shut down', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-story-'));
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'seed', 'album');
  mkdirSync(join(data, 'disc 1'), { recursive: true });
  const files = { 'disc 1/a.bin': randomBytes(700_000), 'b.bin': randomBytes(333_333) };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(data, name), bytes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  const init = await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0 });
  assert.equal(init.serverInfo.name, 'btd');
  assert.equal(init.protocolVersion, P.PROTOCOL_VERSION);
  assert.ok(init.capabilities.methods.includes(P.TorrentCreateRequest.method));

  const tracker = await seeder.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0, interval: 60, udp: true });
  assert.match(tracker.url, /^http:\/\/127\.0\.0\.1:\d+\/announce$/);
  assert.equal(tracker.udpUrl, `udp://127.0.0.1:${tracker.port}/announce`);

  const progress: P.TorrentCreateProgress[] = [];
  seeder.conn.onProgress(new ProgressType<P.TorrentCreateProgress>(), 'create-1', (v) => {
    progress.push(v);
  });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, {
    path: data,
    // The swarm meets over UDP (BEP 15) only: no HTTP tier to fall back on.
    trackers: [tracker.udpUrl ?? ''],
    pieceLength: 32768,
    outputPath: join(dir, 'album.torrent'),
    workDoneToken: 'create-1',
  });
  assert.deepEqual(readFileSync(join(dir, 'album.torrent')), Buffer.from(created.base64, 'base64'));
  assert.equal(created.name, 'album');
  assert.equal(created.totalLength, 1_033_333);
  assert.equal(progress[0]?.kind, 'begin');
  assert.equal(progress.at(-1)?.kind, 'end');
  assert.ok(progress.some((p) => p.kind === 'report' && p.percentage === 100), 'progress reaches 100%');

  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const seeded = await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data });
  assert.equal(seeded.infoHash, created.infoHash);
  if (seeded.state !== 'seeding') await seeding;

  const leecherState = join(dir, 'state-b');
  const leecher = spawnDaemon(leecherState);
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  const updates: P.TorrentInfo[] = [];
  leecher.conn.onNotification(P.TorrentProgressNotification.type, (p) => {
    updates.push(p);
  });
  const peerAdded = nextNotification(leecher.conn, P.PeerChangedNotification.type, (p) => p.kind === 'added');
  const complete = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.state === 'seeding');
  const added = await leecher.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { path: join(dir, 'album.torrent') } });
  assert.equal(added.infoHash, created.infoHash);
  const firstPeer = await peerAdded;
  assert.equal(firstPeer.peer.ip, '127.0.0.1');
  const peers = await leecher.conn.sendRequest(P.PeerListRequest.type, { infoHash: created.infoHash });
  assert.ok(Array.isArray(peers.peers));
  const done = await complete;
  assert.equal(done.torrent?.progress, 1);
  assert.ok(updates.length > 0, 'progress notifications arrived');
  assert.equal(updates.at(-1)?.progress, 1);
  for (const [name, bytes] of Object.entries(files)) assert.deepEqual(readFileSync(join(dir, 'dl-b', 'album', name)), bytes);

  const details = await leecher.conn.sendRequest(P.TorrentGetRequest.type, { infoHash: created.infoHash });
  assert.equal(details.files.length, 2);
  assert.equal(details.trackers[0]?.url, tracker.udpUrl);
  assert.equal(details.trackers[0]?.lastError, undefined, 'the UDP announces succeeded');
  const stats = await seeder.conn.sendRequest(P.TrackerStatsRequest.type);
  assert.ok(stats.announces >= 2, `tracker saw ${stats.announces} announces`);

  assert.equal(await leecher.stop(), 0);
  await seeder.conn.sendRequest(P.TrackerStopRequest.type);
  assert.equal(await seeder.stop(), 0);

  const again = spawnDaemon(leecherState);
  daemons.push(again);
  // The catalog comes back after initialize is answered; a restored torrent is announced by stateChanged.
  const restored = nextNotification(again.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash);
  await again.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  let list = await again.conn.sendRequest(P.TorrentListRequest.type);
  if (list.torrents.length === 0) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the torrent was not restored within 30 s')), 30_000)));
    await Promise.race([restored, deadline]).finally(() => clearTimeout(timer));
    list = await again.conn.sendRequest(P.TorrentListRequest.type);
  }
  assert.deepEqual(list.torrents.map((x) => x.infoHash), [created.infoHash]);
  assert.equal(await again.stop(), 0);
});
