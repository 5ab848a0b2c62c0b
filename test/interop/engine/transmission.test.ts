import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { startBtd, type BtdProcess } from '../../integration/cli/btd-process';
import { makeFixture, type Fixture } from '../../integration/cli/fixtures';
import { startTransmission, type Transmission } from './peers';

const MiB = 1024 * 1024;
const LOCAL = ['-p', '0', '--bind', '127.0.0.1'];

describe('btd and Transmission in one swarm', { timeout: 120_000 }, () => {
  let tracker: RunningTracker;
  const running: BtdProcess[] = [];
  const daemons: Transmission[] = [];
  const fixtures: Fixture[] = [];

  before(async () => {
    tracker = await startTracker({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await Promise.all(daemons.map((d) => d.proc.kill()));
    await tracker.close();
    await Promise.all(fixtures.map((f) => f.remove()));
  });

  test('btd seeds and dials Transmission, which downloads a byte-identical copy', async () => {
    const fx = await makeFixture({ name: 'to-tr.bin', size: 2 * MiB + 99, pieceLength: 64 * 1024, trackers: [tracker.url] });
    fixtures.push(fx);
    const out = join(fx.dir, 'tr-out');
    await mkdir(out);
    const tr = await startTransmission(fx.dir, out);
    daemons.push(tr);
    await tr.add(fx.torrentPath);
    const completed = tr.completed('to-tr.bin');
    // Transmission never dials 127.x peers, so the seeder dials it.
    const seeder = startBtd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, '--peer', `127.0.0.1:${tr.peerPort}`]);
    running.push(seeder);
    const seederDied = seeder.exited.then((r) => Promise.reject(new Error(`btd seed ended (${r.code}): ${seeder.stderr()}`)));
    await Promise.race([completed, seederDied]);
    await tr.stop();
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-tr.bin')));
  });

  test('a btd seeder dials a Transmission leecher that it learns of from the tracker later on', async () => {
    // A short announce interval, so the seeder hears of the leecher on its next announce.
    const quick = await startTracker({ host: '127.0.0.1', port: 0, interval: 1, minInterval: 1 });
    try {
      const fx = await makeFixture({ name: 'via-tracker.bin', size: MiB + 4321, pieceLength: 32 * 1024, trackers: [quick.url], seed: 5 });
      fixtures.push(fx);
      const seeder = startBtd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
      running.push(seeder);
      await seeder.waitFor(/^seeding via-tracker\.bin on port \d+$/);
      const out = join(fx.dir, 'tr-out');
      await mkdir(out);
      const tr = await startTransmission(fx.dir, out);
      daemons.push(tr);
      const completed = tr.completed('via-tracker.bin');
      await tr.add(fx.torrentPath);
      const seederDied = seeder.exited.then((r) => Promise.reject(new Error(`btd seed ended (${r.code}): ${seeder.stderr()}`)));
      await Promise.race([completed, seederDied]);
      await tr.stop();
      assert.ok(await sameContent(fx.dataPath, join(out, 'via-tracker.bin')));
    } finally {
      await quick.close();
    }
  });

  test('Transmission seeds, btd downloads a byte-identical copy', async () => {
    const fx = await makeFixture({ name: 'from-tr.bin', size: MiB + 5, pieceLength: 32 * 1024, trackers: [tracker.url], seed: 11 });
    fixtures.push(fx);
    const tr = await startTransmission(fx.dir, join(fx.dir, 'seed'));
    daemons.push(tr);
    const verified = tr.verified('from-tr.bin');
    await tr.add(fx.torrentPath);
    await verified;
    const out = join(fx.dir, 'btd-out');
    const leecher = startBtd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${tr.peerPort}`]);
    running.push(leecher);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'from-tr.bin')));
  });
});
