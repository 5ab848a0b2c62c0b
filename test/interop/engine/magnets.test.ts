/**
 * Magnet links between btd and aria2, and between btd and Transmission, both ways: only the link is
 * given, the metadata comes from the other client (BEP 9) and the peers from the link's tracker. The
 * aria2 pair moves 64 MiB each way; every copy is compared byte for byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { buildMagnet } from '../../../daemon/src/metainfo';
import type { Fixture } from '../../integration/cli/fixtures';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { aria2Download, aria2Seed, freePort, startTransmission, useQuickTracker } from './peers';

const MiB = 1024 * 1024;
const PIECE = 256 * 1024;

/** The magnet link of a fixture, naming one tracker. */
const magnetOf = (fx: Fixture, tracker: string): string => buildMagnet({ infoHash: fx.meta.infoHash, name: fx.meta.name, trackers: [tracker] });

describe('magnet links between btd, aria2 and Transmission', { timeout: 300_000 }, () => {
  const swarm = useSwarm();
  const quick = useQuickTracker();

  test('aria2 seeds 64 MiB; btd downloads its magnet link, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'aria2-magnet.bin', size: 64 * MiB + 99, pieceLength: PIECE, seed: 41 });
    swarm.track(await aria2Seed(fx.torrentPath, join(fx.dir, 'seed'), await freePort()));
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', magnetOf(fx, swarm.tracker.url), '-o', out, ...LOCAL]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^metadata of aria2-magnet\.bin: 257 pieces/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'aria2-magnet.bin')));
  });

  test('btd seeds 64 MiB; aria2 downloads the magnet link from it, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'to-aria2-magnet.bin', size: 64 * MiB + 7, pieceLength: PIECE, seed: 42 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding to-aria2-magnet\.bin on port \d+$/);
    const out = join(fx.dir, 'aria2-out');
    await mkdir(out);
    const aria2 = swarm.track(aria2Download(magnetOf(fx, swarm.tracker.url), out, await freePort()));
    assert.equal((await aria2.exited).code, 0, `${aria2.stdout()}\nbtd: ${seeder.stderr()}`);
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-aria2-magnet.bin')));
  });

  test('Transmission seeds; btd downloads its magnet link, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'tr-magnet.bin', size: 16 * MiB + 5, pieceLength: PIECE, trackers: [quick.url], seed: 43 });
    const tr = await startTransmission(fx.dir, join(fx.dir, 'seed'));
    swarm.track(tr.proc);
    const verified = tr.verified('tr-magnet.bin');
    await tr.add(fx.torrentPath);
    await verified;
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', magnetOf(fx, quick.url), '-o', out, ...LOCAL]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^metadata of tr-magnet\.bin: 65 pieces/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'tr-magnet.bin')));
  });

  test('btd seeds; Transmission downloads the magnet link from it, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'to-tr-magnet.bin', size: 16 * MiB + 3, pieceLength: PIECE, trackers: [quick.url], seed: 44 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding to-tr-magnet\.bin on port \d+$/);
    const out = join(fx.dir, 'tr-out');
    await mkdir(out);
    const tr = await startTransmission(fx.dir, out);
    swarm.track(tr.proc);
    const completed = tr.completed('to-tr-magnet.bin');
    await tr.add(magnetOf(fx, quick.url));
    const died = seeder.exited.then((r) => Promise.reject(new Error(`btd seed ended (${r.code}): ${seeder.stderr()}`)));
    await Promise.race([completed, died]);
    await tr.stop();
    assert.ok(await sameContent(fx.dataPath, join(out, 'to-tr-magnet.bin')));
  });
});
