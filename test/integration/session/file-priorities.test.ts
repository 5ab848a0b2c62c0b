import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Torrent } from '../../../daemon/src/session';
import { within } from '../../support/deadline';
import { checked, completed, Fixture, makeTorrent, sameFiles } from './helpers';

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/** Resolves once every wanted piece is verified (state seeding). */
function wantedDone(t: Torrent): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const s = t.summary();
      if (s.state === 'error') reject(new Error(s.error));
      else if (s.state === 'seeding') resolve();
      else return;
      t.off('progress', check);
      t.off('state', check);
    };
    t.on('progress', check);
    t.on('state', check);
    check();
  });
}

describe('file priorities across a swarm', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('five files, two skipped: never on disk, boundary pieces verify, then turned on; a restart keeps priorities and parts', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    // 32 KiB pieces; no file starts or ends on a piece boundary, so b and d share pieces with their neighbours.
    const files = { 'a.bin': 50_000, 'b.bin': 70_000, 'c.bin': 40_000, 'd.bin': 90_001, 'e.bin': 30_000 };
    const { metainfo, contents } = await makeTorrent(seedDir, 'five', files);
    const seeder = await fx.session(seedDir);
    await checked(await seeder.addTorrent(metainfo));
    const order = metainfo.files.map((f) => path.basename(f.path[f.path.length - 1]));
    const skip = order.map((n) => (n === 'b.bin' || n === 'd.bin' ? 'skip' : 'normal') as 'skip' | 'normal');
    const stateDir = path.join(leechDir, '.state');

    let leecher = await fx.session(leechDir, { stateDir });
    let t = await leecher.addTorrent(metainfo, { filePriorities: skip });
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    await within(20_000, wantedDone(t), 'wanted files done');
    const s = t.summary();
    assert.equal(s.partial, true);
    assert.equal(s.progress, 1);
    assert.equal(s.wantedLength, 50_000 + 40_000 + 30_000);
    assert.ok(s.havePieces < s.pieceCount, 'pieces inside the skipped files were not fetched');
    const dir = path.join(leechDir, 'five');
    assert.equal(await exists(path.join(dir, 'b.bin')), false, 'skipped b.bin does not exist');
    assert.equal(await exists(path.join(dir, 'd.bin')), false, 'skipped d.bin does not exist');
    for (const n of ['a.bin', 'c.bin', 'e.bin']) assert.ok((await readFile(path.join(dir, n))).equals(contents.get(n) as Buffer), n);
    const parts = path.join(stateDir, `${metainfo.infoHashHex}.parts`);
    assert.ok(await exists(parts), 'the boundary bytes of skipped files are in the parts file');
    const report = t.files();
    assert.deepEqual(report.map((f) => f.priority), skip);
    assert.ok(report.every((f) => f.priority === 'skip' || (f.bytesDone === f.length && f.piecesDone === f.pieceCount)));

    // Restart: priorities and the parts file come back, the check finds the boundary pieces good.
    await leecher.close();
    leecher = await fx.session(leechDir, { stateDir });
    t = await leecher.addTorrent(metainfo, { verify: 'full' });
    await checked(t);
    assert.deepEqual(t.files().map((f) => f.priority), skip, 'priorities kept');
    assert.equal(t.summary().state, 'seeding');
    assert.equal(t.summary().partial, true);
    const before = t.summary().havePieces;

    // Turn the skipped ones on: the boundary bytes move into place, everything completes, the parts file goes.
    await t.setFilePriorities([
      { index: order.indexOf('b.bin'), priority: 'high' },
      { index: order.indexOf('d.bin'), priority: 'normal' },
    ]);
    assert.equal(t.summary().state, 'downloading');
    assert.equal(await exists(parts), false, 'no skipped file left: the parts file is gone');
    assert.equal(t.summary().havePieces, before, 'the boundary pieces are still had after moving');
    t.addPeer('127.0.0.1', seeder.port);
    await within(20_000, completed(t), 'all complete');
    assert.ok(await sameFiles(t.savePath, 'five', contents), 'every file byte-identical');
    assert.equal(t.summary().partial, undefined);
  });
});
