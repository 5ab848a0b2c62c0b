import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { aria2Download, aria2Seed, freePort } from './peers';

const MiB = 1024 * 1024;

describe('btd and aria2c in one swarm', { timeout: 60_000 }, () => {
  const swarm = useSwarm();

  test('btd seeds, aria2c downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'to-aria2.bin', size: 4 * MiB + 777, pieceLength: 64 * 1024 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding to-aria2\.bin on port \d+$/);
    const out = join(fx.dir, 'aria2-out');
    await mkdir(out);
    const aria2 = swarm.track(aria2Download(fx.torrentPath, out, await freePort()));
    assert.equal((await aria2.exited).code, 0, aria2.stdout());
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-aria2.bin')));
  });

  test('aria2c seeds, btd downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'from-aria2.bin', size: 3 * MiB + 4321, pieceLength: 32 * 1024, seed: 7 });
    const port = await freePort();
    swarm.track(await aria2Seed(fx.torrentPath, join(fx.dir, 'seed'), port));
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${port}`]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'from-aria2.bin')));
  });
});
