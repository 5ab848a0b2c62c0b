/**
 * Streaming between two real daemons: the seeder uploads at a fixed rate, so the downloader (in
 * sequential mode) reaches the end of the file only after some seconds; byte ranges at 10 %, 50 % and
 * 90 % are answered long before that (the limit is lifted afterwards), byte-identical to the source. Also 206/403/404/416/HEAD, many
 * concurrent readers that do not stall the download, and torrent/fileUrl's errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { within } from '../../support/deadline';
import { httpGet } from '../../support/http-get';
import { nextNotification, spawnDaemon, type DaemonProcess } from './daemon-process';

const MIB = 1024 * 1024;
const SIZE = 48 * MIB;
const PIECE = 256 * 1024;
/** The seeder's upload limit while the first ranges are read: the whole file would take 96 s. */
const RATE = 512 * 1024;

const codeOf = (code: number) => (err: unknown): boolean => err instanceof ResponseError && err.code === code;

test('stream byte ranges of a file while it downloads', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-stream-'));
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'data', 'show');
  mkdirSync(data, { recursive: true });
  const film = randomBytes(SIZE);
  const notes = randomBytes(100_000);
  writeFileSync(join(data, 'film.mkv'), film);
  writeFileSync(join(data, 'notes.txt'), notes);

  const seeder = spawnDaemon(join(dir, 'state-a'));
  daemons.push(seeder);
  await seeder.initialize({ downloadDir: join(dir, 'dl-a'), port: 0, uploadRateLimit: RATE });
  const tracker = await seeder.conn.sendRequest(P.TrackerStartRequest.type, { host: '127.0.0.1', port: 0, interval: 60 });
  const created = await seeder.conn.sendRequest(P.TorrentCreateRequest.type, { path: data, trackers: [tracker.url], pieceLength: PIECE });
  const infoHash = created.infoHash;
  const seeding = nextNotification(seeder.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding');
  if ((await seeder.conn.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: created.base64 }, dataPath: data })).state !== 'seeding') await within(30_000, seeding, 'the seeder checks its data');

  const leecher = spawnDaemon(join(dir, 'state-b'));
  daemons.push(leecher);
  await leecher.initialize({ downloadDir: join(dir, 'dl-b'), port: 0 });
  // Complete with every file: the skipped one is turned on by reading it (the film alone may finish first).
  const complete = nextNotification(leecher.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === infoHash && p.state === 'seeding' && p.torrent?.partial !== true);
  await leecher.conn.sendRequest(P.TorrentAddRequest.type, {
    torrent: { base64: created.base64 },
    sequential: true,
    filePriorities: [{ index: 1, priority: 'skip' }],
  });
  const files = (await leecher.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash })).files;
  const filmIndex = files.find((f) => f.path.at(-1) === 'film.mkv')!.index;
  const notesIndex = files.find((f) => f.path.at(-1) === 'notes.txt')!.index;
  const { url } = await leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash, fileIndex: filmIndex });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/[0-9a-f]{40}\/\d+\/film\.mkv$/);
  const started = Date.now();

  // Ranges ahead of the sequential download, all asked at once.
  const reads = [0.1, 0.5, 0.9].map(async (at) => {
    const start = Math.floor(SIZE * at);
    const end = start + 100_000 - 1;
    const a = await within(20_000, httpGet(url, { range: `bytes=${start}-${end}` }), `range at ${at * 100} %`);
    const info = await leecher.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
    return { at, start, end, a, elapsed: Date.now() - started, havePieces: info.havePieces };
  });
  for (const r of await Promise.all(reads)) {
    assert.equal(r.a.status, 206, `range at ${r.at}`);
    assert.equal(r.a.headers['content-range'], `bytes ${r.start}-${r.end}/${SIZE}`);
    assert.equal(r.a.headers['content-type'], 'video/x-matroska');
    assert.ok(r.a.body.equals(film.subarray(r.start, r.end + 1)), `range at ${r.at * 100} % is byte-identical`);
    const piecesBefore = Math.floor(r.start / PIECE);
    assert.ok(r.havePieces < piecesBefore, `answered before the download reached ${r.at * 100} % (${r.havePieces} pieces of ${SIZE / PIECE} verified, ${r.elapsed} ms)`);
    t.diagnostic(`range at ${r.at * 100} %: ${r.elapsed} ms, ${r.havePieces} pieces verified then`);
  }

  // The rest at full speed.
  await seeder.conn.sendRequest(P.SessionSetSettingsRequest.type, { uploadRateLimit: 0 });

  // Status codes and HEAD.
  const token = new URL(url).pathname.split('/')[1];
  const withoutToken = url.replace(`/${token}/`, '/');
  assert.equal((await within(5000, httpGet(withoutToken), 'no token')).status, 403);
  assert.equal((await within(5000, httpGet(url.replace(token, 'x'.repeat(token.length))), 'wrong token')).status, 403);
  assert.equal((await within(5000, httpGet(url.replace(`/${filmIndex}/film.mkv`, '/7/x')), 'bad index')).status, 404);
  assert.equal((await within(5000, httpGet(url.replace(infoHash, 'ee'.repeat(20))), 'unknown torrent')).status, 404);
  const unsatisfiable = await within(5000, httpGet(url, { range: `bytes=${SIZE}-` }), '416');
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers['content-range'], `bytes */${SIZE}`);
  const head = await within(5000, httpGet(url, { method: 'HEAD' }), 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(SIZE));
  assert.equal(head.headers['accept-ranges'], 'bytes');

  // Fifty readers at once, all over the file; the download goes on to the end meanwhile.
  const readers = Array.from({ length: 50 }, async (_, i) => {
    const start = Math.floor((SIZE - 20_000) * (i / 50));
    const a = await within(60_000, httpGet(url, { range: `bytes=${start}-${start + 19_999}` }), `reader ${i}`);
    assert.equal(a.status, 206);
    assert.ok(a.body.equals(film.subarray(start, start + 20_000)), `reader ${i} byte-identical`);
  });
  await Promise.all(readers);

  // A skipped file read over HTTP is wanted again, and the torrent completes.
  const notesUrl = (await leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash, fileIndex: notesIndex })).url;
  const whole = await within(60_000, httpGet(notesUrl), 'the skipped file');
  assert.equal(whole.status, 200);
  assert.equal(whole.headers['content-type'], 'text/plain; charset=utf-8');
  assert.ok(whole.body.equals(notes));
  const done = await within(60_000, complete, 'the download completes').catch(async (err: Error) => {
    const info = await leecher.conn.sendRequest(P.TorrentGetRequest.type, { infoHash });
    const peers = await leecher.conn.sendRequest(P.PeerListRequest.type, { infoHash });
    throw new Error(`${err.message}\n${JSON.stringify(info)}\n${JSON.stringify(peers)}\n${leecher.stderr().slice(-4000)}`);
  });
  assert.equal(done.torrent?.partial, undefined, 'every file wanted: the skipped one was turned on');
  t.diagnostic(`download complete after ${Date.now() - started} ms`);
  assert.ok(readFileSync(join(dir, 'dl-b', 'show', 'film.mkv')).equals(film));

  // torrent/fileUrl errors.
  await assert.rejects(leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash, fileIndex: 9 }), codeOf(P.ErrorCodes.InvalidParams), 'bad index');
  await assert.rejects(leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash, fileIndex: -1 }), codeOf(P.ErrorCodes.InvalidParams), 'negative index');
  await assert.rejects(leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash } as P.TorrentFileUrlParams), codeOf(P.ErrorCodes.InvalidParams), 'no index');
  await leecher.conn.sendRequest(P.TorrentRemoveRequest.type, { infoHash });
  await assert.rejects(leecher.conn.sendRequest(P.TorrentFileUrlRequest.type, { infoHash, fileIndex: 0 }), codeOf(P.ErrorCodes.UnknownTorrent), 'removed torrent');
  assert.equal((await within(5000, httpGet(url, { range: 'bytes=0-9' }), 'removed torrent over HTTP')).status, 404);

  assert.equal(await leecher.stop(), 0);
  await seeder.conn.sendRequest(P.TrackerStopRequest.type);
  assert.equal(await seeder.stop(), 0);
});
