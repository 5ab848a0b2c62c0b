import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SessionError } from '../../../daemon/src/session/types';
import { checked, completed, Fixture, havePieces, makeTorrent, sameFiles, seederAndLeecher } from './helpers';

describe('torrent lifecycle', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('pause stops transfers and closes connections; resume finishes the download', async () => {
    // 1 MB at 250 kB/s after a 250 kB burst: about 3 s, time to pause half-way.
    const { leechDir, metainfo, contents, seeder, leecher } = await seederAndLeecher(
      fx,
      'pause-case',
      { 'p.bin': 1_000_000 },
      { uploadRateLimit: 250_000 },
    );
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    await havePieces(t, 2);
    await t.pause();
    const paused = t.summary();
    assert.equal(paused.state, 'paused');
    assert.equal(paused.peers, 0);
    assert.ok(paused.havePieces < paused.pieceCount, 'paused before the end');
    await t.resume();
    assert.equal(t.summary().state, 'downloading');
    await completed(t);
    assert.equal(t.summary().state, 'seeding');
    assert.ok(await sameFiles(leechDir, 'pause-case', contents));
  });

  test('a restarted session finds finished data from its resume state', async () => {
    const dir = await fx.dir();
    const { metainfo } = await makeTorrent(dir, 'restart-case', { 'r.bin': 300_000 });
    const first = await fx.session(dir);
    const t1 = await first.addTorrent(metainfo);
    await checked(t1);
    assert.equal(t1.summary().state, 'seeding');
    await first.close();
    const second = await fx.session(dir);
    const t2 = await second.addTorrent(metainfo, { paused: true });
    await checked(t2);
    assert.equal(t2.summary().state, 'paused');
    assert.equal(t2.summary().havePieces, metainfo.pieceCount);
    await t2.resume();
    assert.equal(t2.summary().state, 'seeding');
  });

  test('verify shows how far its check has come; a pause or a resume during the check applies after it', async () => {
    const dir = await fx.dir();
    const { metainfo } = await makeTorrent(dir, 'verify-case', { 'v.bin': 300_000 });
    const s = await fx.session(dir);
    const t = await s.addTorrent(metainfo);
    await checked(t);
    const during: (number | undefined)[] = [];
    t.on('progress', () => {
      const x = t.summary();
      if (x.state === 'checking') during.push(x.checkProgress);
    });
    const first = t.verify();
    await t.verify(); // already checking: starts nothing
    await t.pause(); // during the check: it holds once the check ends
    assert.equal(t.summary().state, 'checking');
    await first;
    assert.equal(t.summary().state, 'paused');
    assert.equal(t.summary().checkProgress, undefined);
    assert.equal(t.summary().havePieces, metainfo.pieceCount);
    assert.ok(during.length > 0 && during.every((p) => p !== undefined && p >= 0 && p <= 1), `progress while checking: ${during.join(' ')}`);
    assert.equal(during[during.length - 1], 1);
    assert.equal(during.filter((p) => p === 1).length, 1, 'one check for two verifies');
    const again = t.verify(); // from paused; a resume during the check runs it afterwards
    await t.resume();
    await again;
    assert.equal(t.summary().state, 'seeding');
  });

  test('remove with deleteData deletes the files and forgets the torrent', async () => {
    const { seedDir, leechDir, metainfo, seeder, leecher } = await seederAndLeecher(fx, 'remove-case', {
      'one.bin': 200_000,
      'dir/two.bin': 100_000,
    });
    const t = await leecher.addTorrent(metainfo);
    await assert.rejects(leecher.addTorrent(metainfo), (e: unknown) => e instanceof SessionError && e.code === 'duplicate-torrent');
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    await completed(t);
    assert.ok(existsSync(path.join(leechDir, 'remove-case', 'one.bin')));
    const removed: string[] = [];
    leecher.on('torrent-removed', (h: string) => removed.push(h));
    await leecher.remove(metainfo.infoHashHex, { deleteData: true });
    assert.deepEqual(removed, [metainfo.infoHashHex]);
    assert.equal(leecher.get(metainfo.infoHashHex), undefined);
    assert.ok(!existsSync(path.join(leechDir, 'remove-case', 'one.bin')));
    assert.ok(!existsSync(path.join(leechDir, 'remove-case', 'dir', 'two.bin')));
    assert.ok(existsSync(path.join(seedDir, 'remove-case', 'one.bin')), 'the seeder keeps its data');
    await assert.rejects(leecher.remove(metainfo.infoHashHex), (e: unknown) => e instanceof SessionError && e.code === 'unknown-torrent');
    assert.equal(leecher.stats().torrents, 0);
  });

  test('remove with deleteData keeps a file that was there before and holds none of the torrent\'s data', async () => {
    const { leechDir, metainfo, leecher } = await seederAndLeecher(fx, 'mine', { 'report.pdf': 100_000, 'notes.txt': 5_000 });
    // The user's own file, under a name the torrent also uses, with other contents.
    await mkdir(path.join(leechDir, 'mine'), { recursive: true });
    const own = Buffer.from('the user\'s own report, not the torrent\'s');
    await writeFile(path.join(leechDir, 'mine', 'report.pdf'), own);
    const logs: string[] = [];
    leecher.on('log', (e: { message: string }) => logs.push(e.message));
    const t = await leecher.addTorrent(metainfo, { paused: true });
    await checked(t);
    assert.equal(t.summary().havePieces, 0);
    await leecher.remove(metainfo.infoHashHex, { deleteData: true });
    assert.deepEqual(await readFile(path.join(leechDir, 'mine', 'report.pdf')), own, 'the user\'s file is untouched');
    assert.ok(logs.some((m) => /kept .*report\.pdf: these files were there before/.test(m)), logs.join('\n'));
  });
});
