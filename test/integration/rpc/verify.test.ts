/**
 * `torrent/verify` and the magnet of `torrent/get` against the real daemon: data damaged on disk behind
 * its back is found by a verify, seeding or paused, and only the damaged pieces go missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { buildMagnet, parseMetainfo } from '../../../daemon/src/metainfo';
import { spawnDaemon } from './daemon-process';
import { damage } from '../../fixtures/damage';

const PIECE = 16384;
/** Five whole pieces and a short last one, so the bytes lost name the piece that was lost. */
const LAST = 5000;
const SIZE = 5 * PIECE + LAST;

test('verify finds damaged pieces; a paused torrent stays paused; torrent/get gives the magnet', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-verify-'));
  const daemon = spawnDaemon(join(dir, 'state'));
  t.after(() => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'data'));
  const file = join(dir, 'data', 'clip.bin');
  writeFileSync(file, randomBytes(SIZE));
  await daemon.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  const tracker = await daemon.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0 });
  const created = await daemon.conn.sendRequest(P.TorrentCreateRequest.type, { path: file, trackers: [tracker.url], pieceLength: PIECE });
  const infoHash = created.infoHash;
  // vscode-jsonrpc keeps one handler per notification method, so one handler serves every wait.
  const waits: { match: (state: string) => boolean; done: (p: P.TorrentStateChangedParams) => void }[] = [];
  daemon.conn.onNotification(P.TorrentStateChangedNotification.type, (p) => {
    const i = waits.findIndex((w) => p.infoHash === infoHash && w.match(p.state));
    if (i >= 0) waits.splice(i, 1)[0].done(p);
  });
  const next = (match: (state: string) => boolean): Promise<P.TorrentStateChangedParams> => new Promise((done) => waits.push({ match, done }));
  const stateIs = (state: P.TorrentState): Promise<P.TorrentStateChangedParams> => next((s) => s === state);
  /** The state a check ends in (any state but checking), to assert on rather than wait for forever. */
  const checkEnd = (): Promise<P.TorrentStateChangedParams> => next((s) => s !== 'checking');

  const seeding = stateIs('seeding');
  const seeded = await daemon.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: file });
  if (seeded.state !== 'seeding') await seeding;

  const details = await daemon.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
  assert.equal(details.magnet, buildMagnet(parseMetainfo(Buffer.from(created.base64, 'base64'))));
  assert.equal(details.magnet, created.magnet);

  damage(file, 5 * PIECE + 10);
  const checking = stateIs('checking');
  const ended = checkEnd();
  const started = await daemon.conn.sendRequest(P.TorrentVerifyRequest.type, { infoHash });
  assert.equal(started.state, 'checking');
  await checking;
  const end = await ended;
  assert.equal(end.state, 'downloading');
  const after = end.torrent!;
  assert.equal(after.havePieces, 5);
  assert.equal(after.verifiedBytes, SIZE - LAST, 'exactly the last piece is missing');
  assert.ok(after.progress < 1);

  assert.equal((await daemon.conn.sendRequest(P.TorrentPauseRequest.type, { infoHash })).state, 'paused');
  damage(file, PIECE + 100);
  const checkingPaused = stateIs('checking');
  const endedPaused = checkEnd();
  assert.equal((await daemon.conn.sendRequest(P.TorrentVerifyRequest.type, { infoHash })).state, 'checking');
  await checkingPaused;
  const endPaused = await endedPaused;
  assert.equal(endPaused.state, 'paused');
  const afterPaused = endPaused.torrent!;
  assert.equal(afterPaused.havePieces, 4);
  assert.equal(afterPaused.verifiedBytes, SIZE - LAST - PIECE, 'pieces 1 and 5 are missing');
  const listed = (await daemon.conn.sendRequest(P.TorrentListRequest.type)).torrents.find((x) => x.infoHash === infoHash);
  assert.equal(listed?.state, 'paused');

  await daemon.conn.sendRequest(P.TrackerStopRequest.type);
  assert.equal(await daemon.stop(), 0);
});
