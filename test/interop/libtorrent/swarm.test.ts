/**
 * btd and libtorrent in real swarms: magnet links both ways (the metadata from the other client, the
 * peers from the link's tracker), and peer exchange both ways (two leechers that know only the third
 * peer meet through its PEX). 64 MiB each way for the magnets; every copy is compared byte for byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { buildMagnet } from '../../../daemon/src/metainfo';
import type { Fixture } from '../../integration/cli/fixtures';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { ltPeer, skipLibtorrent } from './lt';

const MiB = 1024 * 1024;
const PIECE = 256 * 1024;

/** The magnet link of a fixture, naming one tracker. */
const magnetOf = (fx: Fixture, tracker: string): string => buildMagnet({ infoHash: fx.meta.infoHash, name: fx.meta.name, trackers: [tracker] });

/** The count after `pex` in a "peers: ..." line (btd: "peers: 2 (manual 1, pex 1); ...", libtorrent: "peers: manual 1 pex 1"). */
function pexCount(stdout: string): number {
  const line = /^peers: .*$/m.exec(stdout)?.[0] ?? '';
  return Number(/\bpex (\d+)/.exec(line)?.[1] ?? 0);
}

describe('btd and libtorrent: magnet links and peer exchange', { skip: skipLibtorrent, timeout: 300_000 }, () => {
  const swarm = useSwarm();

  test('libtorrent seeds 64 MiB; btd downloads its magnet link, metadata and data, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'lt-magnet.bin', size: 64 * MiB + 1234, pieceLength: PIECE, seed: 31 });
    const seeder = swarm.track(ltPeer(['seed', fx.torrentPath, join(fx.dir, 'seed')]));
    await seeder.waitFor(/^seeding on port \d+$/);
    const out = join(fx.dir, 'btd-out');
    const leecher = swarm.btd(['download', magnetOf(fx, swarm.tracker.url), '-o', out, ...LOCAL]);
    assert.equal((await leecher.exited).code, 0, `${leecher.stderr()}\nlibtorrent: ${seeder.stderr()}`);
    assert.match(leecher.stdout(), /^metadata of lt-magnet\.bin: 257 pieces, 1 file\(s\)$/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'lt-magnet.bin')));
  });

  test('btd seeds 64 MiB; libtorrent downloads the magnet link from it, metadata and data, byte-identical', async () => {
    const fx = await swarm.fixture({ name: 'btd-magnet.bin', size: 64 * MiB + 4321, pieceLength: PIECE, seed: 32 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding btd-magnet\.bin on port \d+$/);
    const out = join(fx.dir, 'lt-out');
    const leecher = swarm.track(ltPeer(['magnet', magnetOf(fx, swarm.tracker.url), out]));
    assert.equal((await leecher.exited).code, 0, `${leecher.stderr()}\nbtd: ${seeder.stderr()}`);
    assert.match(leecher.stdout(), /^metadata: btd-magnet\.bin$/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'btd-magnet.bin')));
  });

  test('libtorrent in the middle: two btd leechers that know only it meet through its PEX', async () => {
    const fx = await swarm.fixture({ name: 'lt-pex.bin', size: 16 * MiB, pieceLength: PIECE, trackers: [], seed: 33 });
    // A slow seeder, so the leechers are still at it when its first PEX message comes.
    const seeder = swarm.track(ltPeer(['seed', fx.torrentPath, join(fx.dir, 'seed')], { uploadRate: 1 * MiB }));
    const port = Number((await seeder.waitFor(/^seeding on port (\d+)$/))[1]);
    const leech = (name: string): ReturnType<typeof swarm.btd> =>
      swarm.btd(['download', fx.torrentPath, '-o', join(fx.dir, name), ...LOCAL, '--peer', `127.0.0.1:${port}`]);
    const [a, b] = [leech('a'), leech('b')];
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ea.code, 0, a.stderr());
    assert.equal(eb.code, 0, b.stderr());
    assert.ok(pexCount(a.stdout()) + pexCount(b.stdout()) >= 1, `neither leecher met the other through PEX:\n${a.stdout()}\n${b.stdout()}`);
    for (const name of ['a', 'b']) assert.ok(await sameContent(fx.dataPath, join(fx.dir, name, 'lt-pex.bin')), `${name}'s copy differs`);
  });

  test('btd in the middle: two libtorrent leechers that know only it meet through its PEX', async () => {
    const fx = await swarm.fixture({ name: 'btd-pex.bin', size: 16 * MiB, pieceLength: PIECE, trackers: [], seed: 34 });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, '--max-upload-rate', '1M']);
    const port = Number((await seeder.waitFor(/^seeding btd-pex\.bin on port (\d+)$/))[1]);
    const leech = (name: string): ReturnType<typeof ltPeer> => swarm.track(ltPeer(['download', fx.torrentPath, join(fx.dir, name), `127.0.0.1:${port}`]));
    const [a, b] = [leech('a'), leech('b')];
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ea.code, 0, a.stderr());
    assert.equal(eb.code, 0, b.stderr());
    assert.ok(pexCount(a.stdout()) + pexCount(b.stdout()) >= 1, `neither leecher met the other through PEX:\n${a.stdout()}\n${b.stdout()}`);
    for (const name of ['a', 'b']) assert.ok(await sameContent(fx.dataPath, join(fx.dir, name, 'btd-pex.bin')), `${name}'s copy differs`);
  });
});
