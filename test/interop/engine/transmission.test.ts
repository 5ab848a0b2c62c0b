import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { startTracker } from '../../../daemon/src/tracker/server';
import type { BtdProcess } from '../../integration/cli/btd-process';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { startTransmission, type Transmission } from './peers';

const MiB = 1024 * 1024;

describe('btd and Transmission in one swarm', { timeout: 120_000 }, () => {
  const swarm = useSwarm();
  const transmission = async (root: string, downloadDir: string): Promise<Transmission> => {
    const tr = await startTransmission(root, downloadDir);
    swarm.track(tr.proc);
    return tr;
  };
  /** Waits for `done`, failing at once if the btd seeder ends first. */
  const whileAlive = async (seeder: BtdProcess, done: Promise<unknown>): Promise<void> => {
    const died = seeder.exited.then((r) => Promise.reject(new Error(`btd seed ended (${r.code}): ${seeder.stderr()}`)));
    await Promise.race([done, died]);
  };

  test('btd seeds and dials Transmission, which downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'to-tr.bin', size: 2 * MiB + 99, pieceLength: 64 * 1024 });
    const out = join(fx.dir, 'tr-out');
    await mkdir(out);
    const tr = await transmission(fx.dir, out);
    await tr.add(fx.torrentPath);
    const completed = tr.completed('to-tr.bin');
    // Transmission never dials 127.x peers, so the seeder dials it.
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, '--peer', `127.0.0.1:${tr.peerPort}`]);
    await whileAlive(seeder, completed);
    await tr.stop();
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-tr.bin')));
  });

  test('a btd seeder dials a Transmission leecher that it learns of from the tracker later on', async () => {
    // A short announce interval, so the seeder hears of the leecher on its next announce.
    const quick = await startTracker({ host: '127.0.0.1', port: 0, interval: 1, minInterval: 1 });
    try {
      const fx = await swarm.fixture({ name: 'via-tracker.bin', size: MiB + 4321, pieceLength: 32 * 1024, trackers: [quick.url], seed: 5 });
      const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
      await seeder.waitFor(/^seeding via-tracker\.bin on port \d+$/);
      const out = join(fx.dir, 'tr-out');
      await mkdir(out);
      const tr = await transmission(fx.dir, out);
      const completed = tr.completed('via-tracker.bin');
      await tr.add(fx.torrentPath);
      await whileAlive(seeder, completed);
      await tr.stop();
      assert.ok(await sameContent(fx.dataPath, join(out, 'via-tracker.bin')));
    } finally {
      await quick.close();
    }
  });

  test('Transmission seeds, btd downloads a byte-identical copy', async () => {
    const fx = await swarm.fixture({ name: 'from-tr.bin', size: MiB + 5, pieceLength: 32 * 1024, seed: 11 });
    const tr = await transmission(fx.dir, join(fx.dir, 'seed'));
    const verified = tr.verified('from-tr.bin');
    await tr.add(fx.torrentPath);
    await verified;
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${tr.peerPort}`]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'from-tr.bin')));
  });
});
