/**
 * Five files, two skipped, between two daemons: the skipped files are never created, the wanted ones
 * arrive byte-identical with the boundary pieces verified; a daemon restart keeps the priorities and
 * the parts file; turning the skipped files on completes everything and the parts file goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { nextNotification, spawnDaemon, type DaemonProcess } from './daemon-process';

test('skip two of five files over RPC, restart, then turn them on', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-files-swarm-'));
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'data', 'five');
  mkdirSync(data, { recursive: true });
  const files: Record<string, Buffer> = { 'a.bin': randomBytes(50_000), 'b.bin': randomBytes(70_000), 'c.bin': randomBytes(40_000), 'd.bin': randomBytes(90_001), 'e.bin': randomBytes(30_000) };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(data, name), bytes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0 });
  const tracker = await seeder.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0, interval: 60 });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: data, trackers: [tracker.url], pieceLength: 32768 });
  const infoHash = created.infoHash;
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  if ((await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data })).state !== 'seeding') await seeding;

  const state = join(dir, 'state-b');
  const out = join(dir, 'dl-b', 'five');
  const parts = join(state, `${infoHash}.parts`);
  let leecher = spawnDaemon(state);
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  const partial = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  const added = await leecher.conn.sendRequest(P.TorrentAddRequest.type, {
    torrent: { base64: created.base64 },
    filePriorities: [{ index: 1, priority: 'skip' }, { index: 3, priority: 'skip' }],
  });
  assert.equal(added.wantedLength, 120_000);
  const done = (await partial).torrent!;
  assert.equal(done.partial, true);
  assert.equal(done.progress, 1);
  assert.ok(done.havePieces < done.pieceCount);
  assert.equal(existsSync(join(out, 'b.bin')), false);
  assert.equal(existsSync(join(out, 'd.bin')), false);
  for (const n of ['a.bin', 'c.bin', 'e.bin']) assert.deepEqual(readFileSync(join(out, n)), files[n], n);
  assert.ok(existsSync(parts));
  const listed = await leecher.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
  // Pieces of b shared with a and c are verified: b has bytes without existing on disk.
  assert.ok(listed.files[1].bytesDone > 0 && listed.files[1].piecesDone === 2, JSON.stringify(listed.files[1]));
  assert.equal(await leecher.stop(), 0);

  leecher = spawnDaemon(state);
  daemons.push(leecher);
  const rechecked = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  assert.equal((await rechecked).torrent?.partial, true, 'seeding what it has again after the restart');
  const restored = await leecher.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
  assert.deepEqual(restored.files.map((f) => f.priority), ['normal', 'skip', 'normal', 'skip', 'normal'], 'priorities kept across a restart');
  assert.deepEqual(restored.files.map((f) => f.piecesDone), listed.files.map((f) => f.piecesDone), 'and the pieces, the parts file included');
  assert.ok(existsSync(parts));

  const complete = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding' && p.torrent?.partial !== true);
  await leecher.conn.sendRequest(P.TorrentSetFilePrioritiesRequest.type, { infoHash, priorities: [{ index: 1, priority: 'normal' }, { index: 3, priority: 'high' }] });
  assert.equal(existsSync(parts), false, 'the parts file is gone');
  const full = (await complete).torrent!;
  assert.equal(full.havePieces, full.pieceCount);
  for (const [n, bytes] of Object.entries(files)) assert.deepEqual(readFileSync(join(out, n)), bytes, n);
  assert.equal(await leecher.stop(), 0);
  await seeder.conn.sendRequest(P.TrackerStopRequest.type);
  assert.equal(await seeder.stop(), 0);
});
