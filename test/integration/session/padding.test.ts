import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { toTorrentDetails } from '../../../daemon/src/rpc/convert';
import { checked, completed, Fixture, sameFiles } from './helpers';
import { makePaddedTorrent } from './padded';

describe('BEP 47 padding files', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('a hybrid-style torrent downloads byte-identical, no .pad file is written, pieces over padding verify', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const files = { 'a.bin': 100_000, 'b.bin': 5_000, 'sub/c.bin': 70_001 };
    const { metainfo, contents } = await makePaddedTorrent(seedDir, 'hybrid', files, 32768, { 'b.bin': 'x' });
    assert.deepEqual(
      metainfo.files.filter((f) => f.padding).map((f) => f.path.join('/')),
      ['hybrid/.pad/31072', 'hybrid/.pad/27768'],
    );
    const seeder = await fx.session(seedDir);
    const seeding = await seeder.addTorrent(metainfo);
    await checked(seeding);
    assert.equal(seeding.summary().state, 'seeding', 'the seeder has every piece without any .pad file on disk');
    const leecher = await fx.session(leechDir);
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    await completed(t);
    assert.ok(await sameFiles(t.savePath, 'hybrid', contents));
    assert.deepEqual((await readdir(path.join(leechDir, 'hybrid'))).sort(), ['a.bin', 'b.bin', 'sub']);
    const details = toTorrentDetails(t, '');
    assert.deepEqual(
      details.files.map((f) => [f.path.join('/'), f.length, f.attr]),
      [
        ['hybrid/a.bin', 100_000, undefined],
        ['hybrid/b.bin', 5_000, 'x'],
        ['hybrid/sub/c.bin', 70_001, undefined],
      ],
    );
  });
});
