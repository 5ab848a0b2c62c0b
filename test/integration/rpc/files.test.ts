/**
 * torrent/files, torrent/setFilePriorities, torrent/setSequential and torrent/add with filePriorities
 * against the real daemon, bad input included: every error is InvalidParams and nothing changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { spawnDaemon } from './daemon-process';

const invalid = (err: unknown): boolean => err instanceof ResponseError && err.code === P.ErrorCodes.InvalidParams;

test('file priorities over RPC', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-files-'));
  const daemon = spawnDaemon(join(dir, 'state'));
  t.after(() => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'data', 'set'), { recursive: true });
  for (const [name, size] of [['a.bin', 40_000], ['b.bin', 50_000], ['c.bin', 20_000]] as const) writeFileSync(join(dir, 'data', 'set', name), randomBytes(size));
  await daemon.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  const created = await daemon.conn.sendRequest(P.TorrentCreateRequest.type, { path: join(dir, 'data', 'set'), pieceLength: 16384 });
  const infoHash = created.infoHash;

  await assert.rejects(
    daemon.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: created.base64 }, filePriorities: [{ index: 3, priority: 'skip' }] }),
    invalid,
    'an index out of range at add',
  );
  assert.equal((await daemon.conn.sendRequest(P.TorrentListRequest.type)).torrents.length, 0, 'nothing was added');
  const added = await daemon.conn.sendRequest(P.TorrentAddRequest.type, {
    torrent: { base64: created.base64 },
    filePriorities: [{ index: 1, priority: 'skip' }, { index: 2, priority: 'high' }],
    sequential: true,
  });
  assert.equal(added.wantedLength, 60_000);
  assert.equal(added.sequential, true);

  const files = await daemon.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
  assert.deepEqual(
    files.files.map((f) => [f.index, f.path.join('/'), f.length, f.priority, f.bytesDone, f.pieceCount, f.piecesDone]),
    [
      [0, 'set/a.bin', 40_000, 'normal', 0, 3, 0],
      [1, 'set/b.bin', 50_000, 'skip', 0, 4, 0],
      [2, 'set/c.bin', 20_000, 'high', 0, 2, 0],
    ],
  );

  for (const bad of [
    { infoHash, priorities: [] },
    { infoHash, priorities: [{ index: 0, priority: 'urgent' }] },
    { infoHash, priorities: [{ index: -1, priority: 'low' }] },
    { infoHash, priorities: [{ index: 0, priority: 'low' }, { index: 9, priority: 'low' }] },
    { infoHash, priorities: [{ index: 0 }] },
  ]) {
    await assert.rejects(daemon.conn.sendRequest(P.TorrentSetFilePrioritiesRequest.type, bad as P.TorrentSetFilePrioritiesParams), invalid, JSON.stringify(bad));
  }
  const unchanged = await daemon.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
  assert.deepEqual(unchanged.files.map((f) => f.priority), ['normal', 'skip', 'high'], 'a bad request changes nothing');

  const changed = await daemon.conn.sendRequest(P.TorrentSetFilePrioritiesRequest.type, { infoHash, priorities: [{ index: 1, priority: 'low' }] });
  assert.deepEqual(changed.files.map((f) => f.priority), ['normal', 'low', 'high']);
  const info = await daemon.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
  assert.equal(info.wantedLength, 110_000);
  const seq = await daemon.conn.sendRequest(P.TorrentSetSequentialRequest.type, { infoHash, sequential: false });
  assert.equal(seq.sequential, undefined);
  await assert.rejects(daemon.conn.sendRequest(P.TorrentSetSequentialRequest.type, { infoHash, sequential: 'yes' } as unknown as P.TorrentSetSequentialParams), invalid);
  await assert.rejects(
    daemon.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash: 'f'.repeat(40) }),
    (err: unknown) => err instanceof ResponseError && err.code === P.ErrorCodes.UnknownTorrent,
  );
  assert.equal(existsSync(join(dir, 'state', `${infoHash}.files`)), true, 'the choices are saved');
});
