import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { buildMagnet } from '../../../daemon/src/metainfo';
import { startTracker } from '../../../daemon/src/tracker/server';
import type { BtdProcess } from './btd-process';
import type { Fixture } from './fixtures';
import { LOCAL, useSwarm } from './swarm';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('btd seed and btd download as processes', { timeout: 120_000 }, () => {
  const swarm = useSwarm();
  const btd = swarm.btd;
  const fixture = (name: string, size: number, pieceLength: number, trackers?: string[]): Promise<Fixture> =>
    swarm.fixture({ name, size, pieceLength, trackers });
  const seed = async (fx: Fixture, extra: string[] = []): Promise<{ proc: BtdProcess; port: number }> => {
    const proc = btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, ...extra]);
    const m = await proc.waitFor(new RegExp(`^seeding ${fx.meta.name.replace('.', '\\.')} on port (\\d+)$`));
    return { proc, port: Number(m[1]) };
  };

  test('a download through the tracker is byte-identical; both processes stop cleanly', async () => {
    const fx = await fixture('sample.bin', 6 * MiB + 12345, 64 * KiB);
    const seeder = await seed(fx);
    const out = join(fx.dir, 'out');
    const leecher = btd(['download', fx.torrentPath, '-o', out, ...LOCAL]);
    const done = await leecher.exited;
    assert.equal(done.code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^listening on port \d+$/m);
    assert.match(leecher.stdout(), /^checked sample\.bin: 0 of 97 pieces verified/m);
    assert.match(leecher.stdout(), /^completed sample\.bin: .* this run downloaded \d+ bytes/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'sample.bin')), 'downloaded copy differs');
    seeder.proc.child.kill('SIGINT');
    assert.deepEqual(await seeder.proc.exited, { code: 0, signal: null }, seeder.proc.stderr());
    assert.equal(swarm.tracker.stats().peers, 0, 'both processes should have announced stopped');
  });

  test('--peer reaches a seeder without any tracker; SIGTERM also ends a seeder with 0', async () => {
    const fx = await fixture('direct.bin', 2 * MiB, 32 * KiB, []);
    const seeder = await seed(fx);
    const out = join(fx.dir, 'out');
    const leecher = btd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${seeder.port}`]);
    assert.equal((await leecher.exited).code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'direct.bin')));
    seeder.proc.child.kill('SIGTERM');
    assert.equal((await seeder.proc.exited).code, 0, seeder.proc.stderr());
  });

  test('--seed-after keeps a finished download seeding: a second leecher fetches from it alone', async () => {
    const fx = await fixture('relay.bin', MiB + 3, 32 * KiB, []);
    const origin = await seed(fx);
    const relay = btd(['download', fx.torrentPath, '-o', join(fx.dir, 'relay'), ...LOCAL, '--peer', `127.0.0.1:${origin.port}`, '--seed-after']);
    const m = await relay.waitFor(/^seeding relay\.bin on port (\d+)$/);
    origin.proc.child.kill('SIGINT');
    assert.equal((await origin.proc.exited).code, 0);
    const last = btd(['download', fx.torrentPath, '-o', join(fx.dir, 'last'), ...LOCAL, '--peer', `127.0.0.1:${m[1]}`]);
    assert.equal((await last.exited).code, 0, last.stderr());
    assert.ok(await sameContent(fx.dataPath, join(fx.dir, 'last', 'relay.bin')));
    relay.child.kill('SIGINT');
    assert.equal((await relay.exited).code, 0);
  });

  test('a leecher killed with SIGKILL mid-way resumes without fetching its verified pieces again', async () => {
    const size = 16 * MiB;
    const fx = await fixture('resume.bin', size, 256 * KiB);
    await seed(fx);
    const out = join(fx.dir, 'out');
    // The rate cap keeps the first run going long enough to be killed between 20% and 80%.
    const first = btd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--max-download-rate', '2M', '--status-interval', '0.2']);
    await first.waitFor(/^downloading\s+[2-7]\d\.\d%/);
    await first.kill();
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = btd(['download', fx.torrentPath, '-o', out, ...LOCAL]);
    assert.equal((await second.exited).code, 0, second.stderr());
    const checked = /^checked resume\.bin: (\d+) of 64 pieces verified/m.exec(second.stdout());
    assert.ok(checked !== null, second.stdout());
    assert.ok(Number(checked[1]) > 0, `no piece survived the kill:\n${second.stdout()}`);
    const fetched = /this run downloaded (\d+) bytes/.exec(second.stdout());
    assert.ok(fetched !== null, second.stdout());
    assert.ok(Number(fetched[1]) < size, `the second run downloaded ${fetched[1]} of ${size} bytes`);
    assert.ok(Number(fetched[1]) <= size - Number(checked[1]) * 256 * KiB + 256 * KiB, 'verified pieces were fetched again');
    assert.ok(await sameContent(fx.dataPath, join(out, 'resume.bin')));
  });

  test('Ctrl-C stops an incomplete download with status 130 after telling the tracker', async () => {
    // A tracker of its own: the killed leecher of the resume test never said stopped to the shared one.
    const own = await startTracker({ host: '127.0.0.1', port: 0 });
    try {
      const fx = await fixture('interrupt.bin', 8 * MiB, 128 * KiB, [own.url]);
      const seeder = await seed(fx);
      const leecher = btd(['download', fx.torrentPath, '-o', join(fx.dir, 'out'), ...LOCAL, '--max-download-rate', '1M', '--status-interval', '0.2']);
      await leecher.waitFor(/^downloading\s+[1-6]\d\.\d%/);
      assert.equal(own.stats().peers, 2);
      leecher.child.kill('SIGINT');
      assert.equal((await leecher.exited).code, 130);
      assert.match(leecher.stdout(), /^interrupted: \d+ of 64 pieces verified; run again to resume$/m);
      assert.equal(own.stats().peers, 1, 'the leecher should have announced stopped');
      seeder.proc.child.kill('SIGINT');
      assert.equal((await seeder.proc.exited).code, 0);
      assert.equal(own.stats().peers, 0, 'the seeder should have announced stopped');
    } finally {
      await own.close();
    }
  });

  test('btd download of a magnet link fetches the metadata through the tracker, and a second run resumes from the kept .torrent', async () => {
    const fx = await fixture('magnet.bin', 3 * MiB + 7, 64 * KiB);
    await seed(fx);
    const out = join(fx.dir, 'out');
    const magnet = buildMagnet({ infoHash: fx.meta.infoHash, name: 'magnet.bin', trackers: [swarm.tracker.url] });
    const first = btd(['download', magnet, '-o', out, ...LOCAL]);
    assert.equal((await first.exited).code, 0, first.stderr());
    assert.match(first.stdout(), /^fetching metadata from \d+ peers/m);
    assert.match(first.stdout(), /^metadata of magnet\.bin: 49 pieces, 1 file\(s\)$/m);
    assert.ok(await sameContent(fx.dataPath, join(out, 'magnet.bin')));
    const second = btd(['download', magnet, '-o', out, ...LOCAL]);
    assert.equal((await second.exited).code, 0, second.stderr());
    assert.doesNotMatch(second.stdout(), /fetching metadata/, 'the kept .torrent spares a second fetch');
    assert.match(second.stdout(), /^checked magnet\.bin: 49 of 49 pieces verified/m);
  });

  test('a file of the same name that holds none of the torrent\'s data is never overwritten without --force', async () => {
    const fx = await fixture('theirs.bin', 2 * MiB + 1, 64 * KiB);
    await seed(fx);
    const out = join(fx.dir, 'out');
    await mkdir(out);
    const own = Buffer.from('a file of the user\'s that happens to have this name');
    await writeFile(join(out, 'theirs.bin'), own);
    const refused = btd(['download', fx.torrentPath, '-o', out, ...LOCAL]);
    assert.equal((await refused.exited).code, 1);
    assert.match(refused.stderr(), /^btd: .*theirs\.bin already exists and holds none of this torrent's data; move it away, or run again with --force to overwrite\n$/);
    assert.deepEqual(await readFile(join(out, 'theirs.bin')), own, 'untouched');
    const forced = btd(['download', fx.torrentPath, '-o', out, ...LOCAL, '--force']);
    assert.equal((await forced.exited).code, 0, forced.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'theirs.bin')));
    // The same data already in place is a verified match: no --force needed.
    const again = join(fx.dir, 'copy');
    await mkdir(again);
    await writeFile(join(again, 'theirs.bin'), await readFile(fx.dataPath));
    const check = btd(['download', fx.torrentPath, '-o', again, ...LOCAL]);
    assert.equal((await check.exited).code, 0, check.stderr());
    assert.match(check.stdout(), /^checked theirs\.bin: 33 of 33 pieces verified/m);
  });
});
