/**
 * 64 MiB each way between btd and Transmission, with 256 KiB pieces, the peers found through a tracker
 * only (no --peer): the size at which Transmission, which keeps far more requests in flight than a
 * 2 MiB fixture ever needs, once stalled on requests that btd dropped without a reject.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { startTransmission, useQuickTracker } from './peers';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const PIECE = 256 * 1024;

describe('64 MiB between btd and Transmission, found through the tracker', { timeout: 300_000 }, () => {
  const swarm = useSwarm();
  const quick = useQuickTracker();

  test('btd seeds 64 MiB; Transmission downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'big-to-tr.bin', size: SIZE + 12_345, pieceLength: PIECE, trackers: [quick.url], seed: 21 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding big-to-tr\.bin on port \d+$/);
    const out = join(fx.dir, 'tr-out');
    await mkdir(out);
    const tr = await startTransmission(fx.dir, out);
    swarm.track(tr.proc);
    const completed = tr.completed('big-to-tr.bin');
    await tr.add(fx.torrentPath);
    const died = seeder.exited.then((r) => Promise.reject(new Error(`btd seed ended (${r.code}): ${seeder.stderr()}`)));
    await Promise.race([completed, died]);
    await tr.stop();
    assert.ok(await sameContent(fx.dataPath, join(out, 'big-to-tr.bin')), 'Transmission\'s copy differs');
  });

  test('Transmission seeds 64 MiB; btd, told of no peer, finds it at the tracker and downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'big-from-tr.bin', size: SIZE + 777, pieceLength: PIECE, trackers: [quick.url], seed: 22 });
    const tr = await startTransmission(fx.dir, join(fx.dir, 'seed'));
    swarm.track(tr.proc);
    const verified = tr.verified('big-from-tr.bin');
    await tr.add(fx.torrentPath);
    await verified;
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', fx.torrentPath, '-o', out, ...LOCAL]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^completed big-from-tr\.bin: /m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'big-from-tr.bin')), 'btd\'s copy differs');
  });
});
