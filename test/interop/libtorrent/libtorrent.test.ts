/**
 * libtorrent (rasterbar 2.0, Debian's python3-libtorrent) against btd: it reads the torrents btd makes
 * with the same info hash and files, downloads from a btd seeder, and seeds to a btd leecher that found
 * it through btd's tracker. Every copy is compared byte for byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent, writeSampleFile } from '../../../daemon/src/cli/demo-data';
import { createTorrent } from '../../../daemon/src/metainfo';
import type { Fixture } from '../../integration/cli/fixtures';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';

import { ltPeer, skipLibtorrent } from './lt';

const MiB = 1024 * 1024;

interface LtInfo {
  name: string;
  infoHash: string;
  pieceLength: number;
  pieces: number;
  totalSize: number;
  private: boolean;
  files: { path: string; size: number }[];
  trackers: string[];
}

async function ltInfo(torrentPath: string): Promise<LtInfo> {
  const p = ltPeer(['info', torrentPath]);
  const { code } = await p.exited;
  assert.equal(code, 0, p.stderr());
  return JSON.parse(p.stdout()) as LtInfo;
}

/** A folder of three files in two levels, and its torrent; returns the paths. */
async function folderTorrent(dir: string, trackers: string[]): Promise<{ folder: string; torrentPath: string; infoHash: string; files: [string, number][] }> {
  const folder = join(dir, 'seed', 'album');
  await mkdir(join(folder, 'disc 2'), { recursive: true });
  const files: [string, number][] = [['cover.jpg', 70_001], ['disc 2/track 01.flac', 2 * MiB + 17], ['notes.txt', 999]];
  let seed = 1;
  for (const [path, size] of files) await writeSampleFile(join(folder, path), size, seed++);
  const { bytes, metainfo } = await createTorrent(folder, { trackers, pieceLength: 64 * 1024, comment: 'libtorrent interop' });
  const torrentPath = join(dir, 'album.torrent');
  await writeFile(torrentPath, bytes);
  return { folder, torrentPath, infoHash: metainfo.infoHashHex, files };
}

describe('btd and libtorrent', { skip: skipLibtorrent, timeout: 120_000 }, () => {
  const swarm = useSwarm({ udp: true });

  test('libtorrent reads btd\'s single-file and multi-file torrents with the same info hash and files', async () => {
    const fx = await swarm.fixture({ name: 'single.bin', size: 3 * MiB + 5, pieceLength: 256 * 1024 });
    const single = await ltInfo(fx.torrentPath);
    assert.equal(single.infoHash, fx.meta.infoHashHex);
    assert.deepEqual([single.name, single.pieceLength, single.pieces, single.totalSize], ['single.bin', 256 * 1024, 13, 3 * MiB + 5]);
    assert.deepEqual(single.trackers, [swarm.tracker.url]);

    const multi = await folderTorrent(fx.dir, [swarm.tracker.url]);
    const read = await ltInfo(multi.torrentPath);
    assert.equal(read.infoHash, multi.infoHash);
    assert.equal(read.name, 'album');
    assert.deepEqual(
      read.files.map((f) => [f.path, f.size]),
      multi.files.map(([path, size]) => [join('album', path), size]),
    );
  });

  test('btd seeds a multi-file torrent, libtorrent downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'unused.bin', size: 1, pieceLength: 16 * 1024 });
    const multi = await folderTorrent(fx.dir, [swarm.tracker.url]);
    const seeder = swarm.btd(['seed', multi.torrentPath, '-f', multi.folder, ...LOCAL]);
    const port = Number((await seeder.waitFor(/^seeding album on port (\d+)$/))[1]);
    const out = join(fx.dir, 'lt-out');
    const leecher = swarm.track(ltPeer(['download', multi.torrentPath, out, `127.0.0.1:${port}`]));
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^complete: \d+ bytes$/m);
    for (const [path] of multi.files) assert.ok(await sameContent(join(multi.folder, path), join(out, 'album', path)), `${path} differs`);
  });

  /** libtorrent seeds `fx`; a btd leecher, told of no peer, must find it through the torrent's tracker. */
  const libtorrentSeedsBtdFetches = async (fx: Fixture): Promise<void> => {
    const seeder = swarm.track(ltPeer(['seed', fx.torrentPath, join(fx.dir, 'seed')]));
    await seeder.waitFor(/^seeding on port \d+$/);
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', fx.torrentPath, '-o', out, ...LOCAL]);
    assert.equal((await leecher.exited).code, 0, `${leecher.stderr()}\nlibtorrent: ${seeder.stderr()}`);
    assert.ok(await sameContent(fx.dataPath, join(out, fx.meta.name)));
  };

  test('libtorrent seeds and announces to btd\'s tracker; a btd leecher finds it there and downloads a byte-identical copy', async () => {
    await libtorrentSeedsBtdFetches(await swarm.fixture({ name: 'from-lt.bin', size: 5 * MiB + 321, pieceLength: 128 * 1024, seed: 9 }));
  });

  test('over UDP (BEP 15): libtorrent and btd both announce to btd\'s UDP tracker and find each other there', async () => {
    const announces = swarm.tracker.stats().announces;
    await libtorrentSeedsBtdFetches(await swarm.fixture({ name: 'over-udp.bin', size: 2 * MiB + 99, pieceLength: 64 * 1024, trackers: [swarm.tracker.udpUrl ?? ''], seed: 13 }));
    assert.ok(swarm.tracker.stats().announces >= announces + 2, 'both announced over UDP');
  });
});
