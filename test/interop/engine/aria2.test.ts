import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { startBtd, type BtdProcess } from '../../integration/cli/btd-process';
import { makeFixture, type Fixture } from '../../integration/cli/fixtures';
import { aria2Download, aria2Seed, freePort } from './peers';

const MiB = 1024 * 1024;
const LOCAL = ['-p', '0', '--bind', '127.0.0.1'];

describe('btd and aria2c in one swarm', { timeout: 60_000 }, () => {
  let tracker: RunningTracker;
  const running: BtdProcess[] = [];
  const fixtures: Fixture[] = [];
  const track = <T extends BtdProcess>(p: T): T => {
    running.push(p);
    return p;
  };

  before(async () => {
    tracker = await startTracker({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await tracker.close();
    await Promise.all(fixtures.map((f) => f.remove()));
  });

  test('btd seeds, aria2c downloads a byte-identical copy', async () => {
    const fx = await makeFixture({ name: 'to-aria2.bin', size: 4 * MiB + 777, pieceLength: 64 * 1024, trackers: [tracker.url] });
    fixtures.push(fx);
    const seeder = track(startBtd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]));
    await seeder.waitFor(/^seeding to-aria2\.bin on port \d+$/);
    const out = join(fx.dir, 'aria2-out');
    await mkdir(out);
    const aria2 = track(aria2Download(fx.torrentPath, out, await freePort()));
    assert.equal((await aria2.exited).code, 0, aria2.stdout());
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-aria2.bin')));
  });

  test('aria2c seeds, btd downloads a byte-identical copy', async () => {
    const fx = await makeFixture({ name: 'from-aria2.bin', size: 3 * MiB + 4321, pieceLength: 32 * 1024, trackers: [tracker.url], seed: 7 });
    fixtures.push(fx);
    const port = await freePort();
    track(await aria2Seed(fx.torrentPath, join(fx.dir, 'seed'), port));
    const out = join(fx.dir, 'btd-out');
    const leecher = track(startBtd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${port}`]));
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'from-aria2.bin')));
  });
});
