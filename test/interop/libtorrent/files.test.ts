/**
 * Choosing files from a libtorrent seeder: libtorrent seeds a 65 MiB torrent of five files whose pieces
 * straddle the file boundaries; a btd daemon, driven over RPC, finds it through the tracker only.
 * Two files skipped: they never exist on disk, the boundary pieces are verified (their skipped bytes in
 * the parts file), the wanted files are byte-identical; turned on with torrent/setFilePriorities,
 * everything completes byte-identical and the parts file goes. A magnet link with BEP 53 `so` gets
 * its metadata from libtorrent (BEP 9) and only the files it names.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { sameContent, writeSampleFile } from '../../../daemon/src/cli/demo-data';
import { buildMagnet, createTorrent, type Metainfo } from '../../../daemon/src/metainfo';
import { useSwarm } from '../../integration/cli/swarm';
import { nextNotification, spawnDaemon, type DaemonProcess } from '../../integration/rpc/daemon-process';
import { within } from '../../support/deadline';
import { ltPeer, skipLibtorrent } from './lt';

const MiB = 1024 * 1024;
const PIECE = 256 * 1024;
const DEADLINE = 60_000;

/** Five files in index order (createTorrent sorts by path); no length is a multiple of the piece length. */
const FILES: [string, number][] = [
  ['01 lecture.mkv', 36 * MiB + 1_001],
  ['02 slides.pdf', 3 * MiB + 333],
  ['03 notes.txt', 70_001],
  ['04 lecture.mkv', 24 * MiB + 77],
  ['05 extras.zip', 2 * MiB + 5],
];

/** Pieces that hold bytes of file `i`. */
function piecesOf(m: Metainfo, i: number): number[] {
  const f = m.files[i];
  const first = Math.floor(f.offset / m.pieceLength);
  const last = Math.floor((f.offset + f.length - 1) / m.pieceLength);
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** Bytes of file `i` inside piece `p`. */
function overlap(m: Metainfo, i: number, p: number): number {
  const f = m.files[i];
  return Math.max(0, Math.min(f.offset + f.length, (p + 1) * m.pieceLength) - Math.max(f.offset, p * m.pieceLength));
}

/** What torrent/files must say when only `wanted` are downloaded: every piece touching them, nothing else. */
function expectedWith(m: Metainfo, wanted: number[]): { have: Set<number>; files: { bytesDone: number; piecesDone: number }[] } {
  const have = new Set(wanted.flatMap((i) => piecesOf(m, i)));
  const files = m.files.map((_, i) => {
    const done = piecesOf(m, i).filter((p) => have.has(p));
    return { bytesDone: done.reduce((n, p) => n + overlap(m, i, p), 0), piecesDone: done.length };
  });
  return { have, files };
}

describe('btd chooses files from a libtorrent seeder', { skip: skipLibtorrent, timeout: 120_000 }, () => {
  const swarm = useSwarm();
  let dir = '';
  let seedDir = '';
  let torrentPath = '';
  let meta: Metainfo;
  const daemons: DaemonProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btd-lt-files-'));
    swarm.track({ kill: async () => {
      for (const d of daemons) d.kill();
      await rm(dir, { recursive: true, force: true });
    } });
    seedDir = join(dir, 'seed');
    await mkdir(join(seedDir, 'course'), { recursive: true });
    for (const [i, [name, size]] of FILES.entries()) await writeSampleFile(join(seedDir, 'course', name), size, 101 + i);
    const made = await createTorrent(join(seedDir, 'course'), { trackers: [swarm.tracker.url], pieceLength: PIECE });
    meta = made.metainfo;
    torrentPath = join(dir, 'course.torrent');
    await writeFile(torrentPath, made.bytes);
    const seeder = swarm.track(ltPeer(['seed', torrentPath, seedDir]));
    await within(DEADLINE, seeder.waitFor(/^seeding on port \d+$/), `libtorrent never seeded: ${seeder.stderr()}`);
  });

  /** A btd daemon with its own state folder, no DHT, its downloads in `<dir>/<name>/dl`. */
  const daemon = async (name: string): Promise<{ d: DaemonProcess; state: string; out: string }> => {
    const d = spawnDaemon(join(dir, name, 'state'));
    daemons.push(d);
    await d.initialize({ downloadDir: join(dir, name, 'dl'), port: 0, dht: false });
    return { d, state: join(dir, name, 'state'), out: join(dir, name, 'dl', 'course') };
  };

  /** The first peer btd connects to for the torrent (it must be libtorrent, found through the tracker). */
  const firstPeer = (d: DaemonProcess): Promise<P.PeerInfo> =>
    nextNotification(d.conn, P.PeerChangedNotification.type, (p) => p.infoHash === meta.infoHashHex && p.kind === 'added').then((p) => p.peer);

  const seedingNext = (d: DaemonProcess, partial: boolean): Promise<P.TorrentInfo> =>
    nextNotification(d.conn, P.TorrentStateChangedNotification.type, (p) => p.infoHash === meta.infoHashHex && p.state === 'seeding' && (p.torrent?.partial === true) === partial)
      .then((p) => p.torrent as P.TorrentInfo);

  const source = (i: number): string => join(seedDir, 'course', FILES[i][0]);

  test('two of five files skipped, then turned on over RPC: boundary pieces verified, byte-identical, the parts file goes', async () => {
    const { d, state, out } = await daemon('skip');
    const infoHash = meta.infoHashHex;
    const parts = join(state, `${infoHash}.parts`);
    const peer = firstPeer(d);
    const partial = seedingNext(d, true);
    const added = await d.conn.sendRequest(P.TorrentAddRequest.type, {
      torrent: { path: torrentPath },
      filePriorities: [{ index: 1, priority: 'skip' }, { index: 3, priority: 'skip' }],
    });
    assert.equal(added.wantedLength, FILES[0][1] + FILES[2][1] + FILES[4][1]);
    const lt = await within(DEADLINE, peer, 'btd never connected to libtorrent');
    assert.equal(lt.source, 'tracker', `libtorrent was found through ${lt.source}`);
    assert.match(lt.client, /libtorrent/i);

    const done = await within(DEADLINE, partial, `the wanted files did not complete: ${d.stderr().slice(-2000)}`);
    const expected = expectedWith(meta, [0, 2, 4]);
    assert.equal(done.progress, 1);
    assert.equal(done.havePieces, expected.have.size, 'exactly the pieces that touch a wanted file');
    for (const i of [1, 3]) assert.equal(existsSync(join(out, FILES[i][0])), false, `${FILES[i][0]} is not on disk`);
    for (const i of [0, 2, 4]) assert.ok(await sameContent(source(i), join(out, FILES[i][0])), `${FILES[i][0]} differs`);
    assert.ok(existsSync(parts), 'the skipped files\' bytes of the boundary pieces are in the parts file');
    const listed = await d.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
    assert.deepEqual(listed.files.map((f) => f.priority), ['normal', 'skip', 'normal', 'skip', 'normal']);
    // A skipped file's first and last pieces are shared with wanted files: verified, though it is not on disk.
    assert.deepEqual(listed.files.map((f) => ({ bytesDone: f.bytesDone, piecesDone: f.piecesDone })), expected.files);
    for (const i of [1, 3]) assert.equal(listed.files[i].piecesDone, 2, `${FILES[i][0]}: both boundary pieces`);

    const complete = seedingNext(d, false);
    await d.conn.sendRequest(P.TorrentSetFilePrioritiesRequest.type, { infoHash, priorities: [{ index: 1, priority: 'normal' }, { index: 3, priority: 'high' }] });
    const full = await within(DEADLINE, complete, `the turned-on files did not complete: ${d.stderr().slice(-2000)}`);
    assert.equal(full.havePieces, full.pieceCount);
    assert.equal(full.wantedLength, meta.totalLength);
    assert.ok(full.downloaded >= meta.totalLength, `all ${meta.totalLength} bytes came from libtorrent, not ${full.downloaded}`);
    for (const i of FILES.keys()) assert.ok(await sameContent(source(i), join(out, FILES[i][0])), `${FILES[i][0]} differs`);
    assert.equal(existsSync(parts), false, 'the parts file is gone');
    assert.equal(await d.stop(), 0);
  });

  test('a magnet link with so=1-2,4: the metadata from libtorrent (BEP 9), only files 1, 2 and 4 arrive', async () => {
    const { d, state, out } = await daemon('magnet');
    const infoHash = meta.infoHashHex;
    const peer = firstPeer(d);
    const partial = seedingNext(d, true);
    const magnet = `${buildMagnet({ infoHash: meta.infoHash, name: meta.name, trackers: [swarm.tracker.url] })}&so=1-2,4`;
    const added = await d.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet } });
    assert.equal(added.metadataPending, true, 'btd has only the link: the metadata must come from libtorrent');
    const lt = await within(DEADLINE, peer, 'btd never connected to libtorrent');
    assert.equal(lt.source, 'tracker');
    assert.match(lt.client, /libtorrent/i);

    const done = await within(DEADLINE, partial, `the selected files did not complete: ${d.stderr().slice(-2000)}`);
    assert.equal(done.pieceCount, meta.pieceCount);
    assert.equal(done.wantedLength, FILES[1][1] + FILES[2][1] + FILES[4][1]);
    assert.equal(done.havePieces, expectedWith(meta, [1, 2, 4]).have.size);
    for (const i of [1, 2, 4]) assert.ok(await sameContent(source(i), join(out, FILES[i][0])), `${FILES[i][0]} differs`);
    for (const i of [0, 3]) assert.equal(existsSync(join(out, FILES[i][0])), false, `${FILES[i][0]} is not on disk`);
    const listed = await d.conn.sendRequest(P.TorrentFilesRequest.type, { infoHash });
    assert.deepEqual(listed.files.map((f) => f.priority), ['skip', 'normal', 'normal', 'skip', 'normal']);
    assert.ok(existsSync(join(state, `${infoHash}.parts`)), 'the boundary bytes of files 0 and 3 are in the parts file');
    assert.equal(await d.stop(), 0);
  });
});
