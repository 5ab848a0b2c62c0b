import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checked, completed, Fixture, sameFiles, seederAndLeecher } from './helpers';

describe('swarm of real sessions on 127.0.0.1', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('1 seeder + 4 leechers complete byte-identical, and leechers trade with each other', async () => {
    const files = { 'a.bin': 1_500_000, 'sub/b.bin': 700_001, 'sub/empty.txt': 0, 'c.bin': 2_100_000 };
    const { metainfo, contents, seeder, leecher } = await seederAndLeecher(fx, 'multi', files, {}, { uploadRateLimit: 0 });
    assert.equal(seeder.get(metainfo.infoHashHex)?.summary().state, 'seeding');

    const leechers = [leecher];
    for (let i = 1; i < 4; i++) leechers.push(await fx.session(await fx.dir(), { uploadRateLimit: 0 }));
    // Slow the seeder so the leechers must also get pieces from each other.
    await seeder.setOptions({ uploadRateLimit: 2_000_000 });
    const torrents = await Promise.all(leechers.map((s) => s.addTorrent(metainfo)));
    await Promise.all(torrents.map((t) => checked(t)));
    for (const t of torrents) {
      t.addPeer('127.0.0.1', seeder.port);
      for (const other of leechers) t.addPeer('127.0.0.1', other.port);
    }
    await Promise.all(torrents.map((t) => completed(t)));
    for (let i = 0; i < 4; i++) {
      assert.ok(await sameFiles(torrents[i].savePath, 'multi', contents), `leecher ${i} data differs`);
    }
    const leecherUploads = torrents.reduce((sum, t) => sum + t.summary().uploaded, 0);
    assert.ok(leecherUploads > 0, 'some leecher uploaded');
  });
});
