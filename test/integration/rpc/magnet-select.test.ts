/**
 * A magnet with BEP 53 `so` over RPC, between two real daemons: the leecher gets the metadata from
 * the seeder found through its tracker, downloads only the files `so` names (with the priorities
 * given to torrent/add on top), never creates the others, warns about an index the torrent lacks,
 * and seeds what it has.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { within } from '../../support/deadline';
import { nextNotification, spawnDaemon, type DaemonProcess } from './daemon-process';

const DEADLINE = 60_000;

test('magnet so=0,2-3,9 over RPC: only files 0, 2 and 3 arrive, the others are never created', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-magnet-so-'));
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'seed', 'five');
  mkdirSync(data, { recursive: true });
  const names = ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'e.bin'];
  const sizes = [50_000, 70_000, 40_000, 90_001, 30_000];
  const files = new Map(names.map((n, i) => [n, randomBytes(sizes[i])]));
  for (const [n, bytes] of files) writeFileSync(join(data, n), bytes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0 });
  const tracker = await seeder.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0, interval: 60 });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: data, trackers: [tracker.url], pieceLength: 32768 });
  const infoHash = created.infoHash;
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  if ((await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data })).state !== 'seeding') {
    await within(DEADLINE, seeding, 'the seeder never seeded');
  }
  const { magnet } = await seeder.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });

  const leecher = spawnDaemon(join(dir, 'state-b'));
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  const done = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  const warned = nextNotification(leecher.conn, P.LogNotification.type, (p) => p.infoHash === infoHash && /so: 1 file index names no file/.test(p.message));
  const added = await leecher.conn.sendRequest(P.TorrentAddRequest.type, {
    torrent: { magnet: `${magnet}&so=0,2-3,9` },
    filePriorities: [{ index: 3, priority: 'high' }],
  });
  assert.equal(added.metadataPending, true);
  const pending = await leecher.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
  assert.match(pending.magnet, /&so=0,2-3,9$/, 'a pending magnet keeps its selection');

  const finished = (await within(DEADLINE, done, 'the selected files did not complete')).torrent!;
  assert.equal(finished.partial, true, 'seeding what it has');
  assert.equal(finished.progress, 1);
  assert.equal(finished.wantedLength, sizes[0] + sizes[2] + sizes[3]);
  const warning = await within(DEADLINE, warned, 'no warning about so index 9');
  assert.equal(warning.level, 'warn');

  const out = join(dir, 'dl-b', 'five');
  for (const n of ['a.bin', 'c.bin', 'd.bin']) assert.deepEqual(readFileSync(join(out, n)), files.get(n), n);
  for (const n of ['b.bin', 'e.bin']) assert.equal(existsSync(join(out, n)), false, `${n} is not on disk`);
  const listed = await leecher.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
  assert.deepEqual(listed.files.map((f) => f.priority), ['normal', 'skip', 'normal', 'high', 'skip']);
  assert.deepEqual(listed.files.filter((f) => f.priority !== 'skip').map((f) => f.bytesDone), [sizes[0], sizes[2], sizes[3]]);

  assert.equal(await leecher.stop(), 0);
  await seeder.conn.sendRequest(P.TrackerStopRequest.type);
  assert.equal(await seeder.stop(), 0);
});

test('a malformed so is refused by torrent/add with InvalidTorrent and nothing is added', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-magnet-so-bad-'));
  const d = spawnDaemon(join(dir, 'state'));
  t.after(() => {
    d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await d.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  const err = await d.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet: `magnet:?xt=urn:btih:${'ab'.repeat(20)}&so=4-1` } }).then(
    () => assert.fail('added'),
    (e: { code: number; message: string; data?: unknown }) => e,
  );
  assert.equal(err.code, P.ErrorCodes.InvalidTorrent);
  assert.match(err.message, /so=4-1: the range starts after it ends/);
  assert.deepEqual(err.data, { reason: 'bad-select-only' });
  assert.equal((await d.conn.sendRequest(P.TorrentListRequest.type)).torrents.length, 0);
  assert.equal(await d.stop(), 0);
});
