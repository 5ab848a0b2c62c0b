/**
 * torrent/add with a magnet over stdio, two real daemons: the metadata comes from the seeding daemon
 * found through its tracker, the download completes byte-identical, and a restarted daemon finds the
 * torrent whole (its .torrent kept) without fetching the metadata again. A magnet nobody serves stays
 * pending across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { within } from '../../support/deadline';
import { nextNotification, spawnDaemon, type DaemonProcess } from './daemon-process';

const DEADLINE = 60_000;

test('a magnet over RPC: metadata from the tracker\'s peers, a byte-identical download, kept across a restart', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-magnet-'));
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'seed', 'clip');
  mkdirSync(data, { recursive: true });
  const bytes = randomBytes(1_500_000);
  writeFileSync(join(data, 'clip.bin'), bytes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0 });
  const tracker = await seeder.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0, interval: 60 });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: data, trackers: [tracker.url], pieceLength: 65536 });
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const seeded = await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data });
  if (seeded.state !== 'seeding') await within(DEADLINE, seeding, 'the seeder never seeded');
  const { magnet } = await seeder.conn.sendRequest(P.TorrentGetRequest.type, { infoHash: created.infoHash });
  assert.match(magnet, /[?&]tr=/, 'the magnet names the tracker');

  const leecherState = join(dir, 'state-b');
  const leecher = spawnDaemon(leecherState);
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  const complete = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const added = await leecher.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet } });
  assert.equal(added.infoHash, created.infoHash);
  assert.equal(added.metadataPending, true);
  const done = await within(DEADLINE, complete, 'the magnet download did not complete');
  assert.equal(done.torrent?.metadataPending, undefined);
  assert.equal(done.torrent?.name, 'clip');
  assert.deepEqual(readFileSync(join(dir, 'dl-b', 'clip', 'clip.bin')), bytes);
  const details = await leecher.conn.sendRequest(P.TorrentGetRequest.type, { infoHash: created.infoHash });
  assert.deepEqual(details.files.map((f) => f.path), [['clip', 'clip.bin']]);

  // A second magnet that no peer serves stays pending.
  const orphan = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=nobody`;
  const pending = await leecher.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet: orphan } });
  assert.equal(pending.metadataPending, true);
  assert.equal(pending.name, 'nobody');
  assert.equal(await leecher.stop(), 0);
  assert.equal(await seeder.stop(), 0);

  const again = spawnDaemon(leecherState);
  daemons.push(again);
  await again.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  // The catalog comes back after initialize is answered, one torrent after the other.
  let list = await again.conn.sendRequest(P.TorrentListRequest.type);
  for (const giveUpAt = Date.now() + 30_000; list.torrents.length < 2; list = await again.conn.sendRequest(P.TorrentListRequest.type)) {
    if (Date.now() > giveUpAt) throw new Error(`timed out after 30000 ms: the catalog restored (${list.torrents.length} of 2 torrents listed)`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const byHash = new Map(list.torrents.map((x) => [x.infoHash, x]));
  const whole = byHash.get(created.infoHash);
  assert.equal(whole?.metadataPending, undefined, 'the fetched metadata was kept');
  assert.equal(whole?.totalLength, bytes.length);
  assert.equal(byHash.get('ab'.repeat(20))?.metadataPending, true, 'the unserved magnet is still pending');
  assert.equal(await again.stop(), 0);
});
