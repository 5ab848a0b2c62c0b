import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../../daemon/src/session';
import { checked, cleanup, completed, makeTorrent, sameFiles, startSession, tempDir } from './helpers';

describe('swarm of real sessions on 127.0.0.1', () => {
  const dirs: string[] = [];
  const sessions: Session[] = [];
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await cleanup(...dirs);
  });

  test('1 seeder + 4 leechers complete byte-identical, and leechers trade with each other', async () => {
    const seedDir = await tempDir();
    dirs.push(seedDir);
    const { metainfo, contents } = await makeTorrent(seedDir, 'multi', {
      'a.bin': 1_500_000,
      'sub/b.bin': 700_001,
      'sub/empty.txt': 0,
      'c.bin': 2_100_000,
    });
    const seeder = await startSession(seedDir);
    sessions.push(seeder);
    const seeding = await seeder.addTorrent(metainfo);
    await checked(seeding);
    assert.equal(seeding.summary().state, 'seeding');

    const leechers: Session[] = [];
    for (let i = 0; i < 4; i++) {
      const d = await tempDir();
      dirs.push(d);
      const s = await startSession(d, { uploadRateLimit: 0 });
      sessions.push(s);
      leechers.push(s);
    }
    // Slow the seeder so the leechers must also get pieces from each other.
    await seeder.setOptions({ uploadRateLimit: 2_000_000 });
    const torrents = await Promise.all(leechers.map((s) => s.addTorrent(metainfo)));
    await Promise.all(torrents.map(checked));
    for (const t of torrents) {
      t.addPeer('127.0.0.1', seeder.port);
      for (const other of leechers) t.addPeer('127.0.0.1', other.port);
    }
    await Promise.all(torrents.map(completed));
    for (let i = 0; i < 4; i++) {
      assert.ok(await sameFiles(torrents[i].savePath, 'multi', contents), `leecher ${i} data differs`);
    }
    const leecherUploads = torrents.reduce((sum, t) => sum + t.summary().uploaded, 0);
    assert.ok(leecherUploads > 0, 'some leecher uploaded');
  });
});
