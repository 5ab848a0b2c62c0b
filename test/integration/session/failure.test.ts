import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Torrent } from '../../../daemon/src/session';
import { openFileData } from '../../../daemon/src/session/data';
import { StorageError } from '../../../daemon/src/storage';
import { checked, completed, Fixture, makeTorrent, sameFiles } from './helpers';

function errored(t: Torrent): Promise<string> {
  return new Promise((resolve) => {
    const check = (): void => {
      const s = t.summary();
      if (s.state !== 'error') return;
      t.off('state', check);
      resolve(s.error ?? '');
    };
    t.on('state', check);
    check();
  });
}

describe('a failing torrent', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('a disk failure puts one torrent in the error state; the others go on', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const bad = await makeTorrent(seedDir, 'bad-disk', { 'b.bin': 300_000 });
    const good = await makeTorrent(seedDir, 'good-disk', { 'g.bin': 300_000 });
    const seeder = await fx.session(seedDir);
    await Promise.all([checked(await seeder.addTorrent(bad.metainfo)), checked(await seeder.addTorrent(good.metainfo))]);
    const leecher = await fx.session(
      leechDir,
      {},
      {
        openData: async (m, savePath, stateDir, warn) => {
          const data = await openFileData()(m, savePath, stateDir, warn);
          if (m.infoHashHex !== bad.metainfo.infoHashHex) return data;
          data.storage.write = () => Promise.reject(new StorageError('io', 'no space left on device'));
          return data;
        },
      },
    );
    const tb = await leecher.addTorrent(bad.metainfo);
    const tg = await leecher.addTorrent(good.metainfo);
    await Promise.all([checked(tb), checked(tg)]);
    tb.addPeer('127.0.0.1', seeder.port);
    tg.addPeer('127.0.0.1', seeder.port);
    const [message] = await Promise.all([errored(tb), completed(tg)]);
    assert.match(message, /no space left/);
    assert.equal(tb.summary().peers, 0, 'the failed torrent dropped its connections');
    assert.ok(await sameFiles(leechDir, 'good-disk', good.contents));
    assert.equal(seeder.get(good.metainfo.infoHashHex)?.summary().state, 'seeding');
  });
});
