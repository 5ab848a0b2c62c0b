import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTorrent } from '../../../daemon/src/metainfo';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { until, within } from '../../support/deadline';
import { checked, Fixture } from './helpers';

describe('left announced with skipped files', () => {
  const fx = new Fixture();
  let tracker: RunningTracker | undefined;
  after(async () => {
    await fx.dispose();
    await tracker?.close();
  });

  test('a torrent whose wanted files are done announces left 0 and counts as a seeder', async () => {
    tracker = await startTracker({ host: '127.0.0.1', port: 0 });
    const seedDir = await fx.dir();
    const root = path.join(seedDir, 'two');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'keep.bin'), randomBytes(100_000));
    await writeFile(path.join(root, 'skip.bin'), randomBytes(200_000));
    const { metainfo } = await createTorrent(root, { pieceLength: 32768, trackers: [tracker.url] });
    const seeder = await fx.session(seedDir);
    await checked(await seeder.addTorrent(metainfo));
    await until(() => tracker?.stats().seeders === 1, 10_000, 'the seeder announced');
    const leecher = await fx.session(await fx.dir());
    const skipIndex = metainfo.files.findIndex((f) => f.path.at(-1) === 'skip.bin');
    const t = await leecher.addTorrent(metainfo, { filePriorities: metainfo.files.map((_, i) => (i === skipIndex ? 'skip' : 'normal')) });
    await within(20_000, new Promise<void>((resolve) => t.on('completed', () => resolve())), 'the wanted file completed');
    assert.equal(t.summary().partial, true);
    await until(() => tracker?.stats().seeders === 2, 10_000, 'the partial seed announced completed with left 0');
    assert.equal(tracker.stats().leechers, 0);
  });
});
