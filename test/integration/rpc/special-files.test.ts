/**
 * FIFOs where files are expected never freeze the daemon: a plain open of a FIFO blocks one of
 * libuv's four pool threads until a writer comes, so four `torrent/add` of a FIFO used to stop all
 * file I/O. Each is refused at once, and the daemon goes on creating and seeding torrents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { within } from '../../support/deadline';
import { runBtd } from '../cli/btd-process';
import { spawnDaemon } from './daemon-process';

const DEADLINE = 20_000;

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr.toString()}`);
}

test('FIFOs as .torrent paths or data files are refused at once and nothing else stalls', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-fifo-'));
  const daemon = spawnDaemon(join(dir, 'state'));
  t.after(() => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const fifo = join(dir, 'x.torrent');
  mkfifo(fifo);
  await daemon.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  /** The torrent's snapshot once its check is over. */
  const settled = (infoHash: string, what: string): Promise<P.TorrentDetails> =>
    within(DEADLINE, (async () => {
      for (;;) {
        const info = await daemon.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
        if (info.state !== 'checking') return info;
      }
    })(), what);

  const adds = Array.from({ length: 6 }, () => daemon.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { path: fifo } }).then(
    () => assert.fail('a FIFO was accepted'),
    (err: { code?: number; message?: string }) => err,
  ));
  for (const err of await within(DEADLINE, Promise.all(adds), 'torrent/add of a FIFO hung')) {
    assert.equal(err.code, P.ErrorCodes.InvalidParams);
    assert.match(err.message ?? '', /is a FIFO, not a regular file/);
  }

  // File I/O still works: create a torrent and seed it.
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'ok.bin'), randomBytes(100_000));
  const created = await within(DEADLINE, daemon.conn.sendRequest(P.TorrentCreateRequest.type, { path: join(dir, 'data', 'ok.bin'), pieceLength: 16384 }), 'torrent/create stalled');
  const seeded = await within(DEADLINE, daemon.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: join(dir, 'data', 'ok.bin') }), 'torrent/seed stalled');
  assert.equal(seeded.infoHash, created.infoHash);

  // A FIFO where a torrent's data file should be: that torrent fails, the daemon answers.
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'v.bin'), randomBytes(50_000));
  const second = await daemon.conn.sendRequest(P.TorrentCreateRequest.type, { path: join(other, 'v.bin'), pieceLength: 16384 });
  rmSync(join(other, 'v.bin'));
  mkfifo(join(other, 'v.bin'));
  const outcome = await within(
    DEADLINE,
    daemon.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: second.base64 }, dataPath: join(other, 'v.bin') }).then(
      (info) => info.state,
      (err: { message?: string }) => err.message ?? 'error',
    ),
    'torrent/seed over a FIFO hung',
  );
  if (outcome !== 'error') assert.notEqual((await settled(second.infoHash, 'the check over a FIFO never ended')).state, 'seeding', 'a FIFO is no data');
  assert.equal((await settled(created.infoHash, 'the first check never ended')).state, 'seeding');
  const list = await within(DEADLINE, daemon.conn.sendRequest(P.TorrentListRequest.type), 'torrent/list stalled');
  assert.equal(list.torrents.length, outcome === 'error' ? 1 : 2);
  assert.equal(await daemon.stop(), 0);

  // The CLI too: one line, at once.
  const r = await within(DEADLINE, runBtd(['download', fifo, '-o', dir]), 'btd download of a FIFO hung');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^btd: .*x\.torrent is a FIFO, not a regular file\n$/);
});
