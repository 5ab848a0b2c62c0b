/** torrent/pieces: a seeding torrent has every piece; a fresh download none; bad and unknown torrents are refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { nextNotification, spawnDaemon } from './daemon-process';

test('torrent/pieces over RPC', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-pieces-'));
  const seeder = spawnDaemon(join(dir, 'state'));
  const other = spawnDaemon(join(dir, 'state2'));
  t.after(() => {
    seeder.kill();
    other.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'data'), { recursive: true });
  const file = join(dir, 'data', 'x.bin');
  writeFileSync(file, randomBytes(9 * 16384 + 5));
  await seeder.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  await other.initialize({ downloadDir: join(dir, 'dl2'), port: 0 });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: file, pieceLength: 16384 });
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === created.infoHash && p.state === 'seeding');
  const seeded = await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: file });
  if (seeded.state !== 'seeding') await seeding;

  const full = await seeder.conn.sendRequest(P.TorrentPiecesRequest.type, { infoHash: created.infoHash });
  assert.equal(full.pieceCount, 10);
  assert.deepEqual([...Buffer.from(full.have, 'base64')], [0xff, 0xc0], '10 pieces, the spare bits clear');
  assert.deepEqual([...Buffer.from(full.downloading, 'base64')], [0, 0]);
  assert.equal(Buffer.from(full.availability, 'base64').length, 10);

  // Paused, with no peers: nothing had, nothing under way, nobody has anything.
  await other.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: created.base64 }, paused: true });
  const none = await other.conn.sendRequest(P.TorrentPiecesRequest.type, { infoHash: created.infoHash });
  assert.deepEqual([...Buffer.from(none.have, 'base64')], [0, 0]);
  assert.deepEqual([...Buffer.from(none.availability, 'base64')], new Array(10).fill(0));

  const code = (c: number) => (err: unknown) => err instanceof ResponseError && err.code === c;
  await assert.rejects(seeder.conn.sendRequest(P.TorrentPiecesRequest.type, { infoHash: '0'.repeat(40) }), code(P.ErrorCodes.UnknownTorrent));
  await assert.rejects(seeder.conn.sendRequest(P.TorrentPiecesRequest.type, { infoHash: 'nope' }), code(P.ErrorCodes.InvalidParams));
  const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}`;
  await seeder.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet }, paused: true });
  await assert.rejects(seeder.conn.sendRequest(P.TorrentPiecesRequest.type, { infoHash: 'ab'.repeat(20) }), code(P.ErrorCodes.InvalidParams), 'no pieces before the metadata');
});
