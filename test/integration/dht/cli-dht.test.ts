/** `btd seed` and `btd download <magnet>` as processes, meeting through a loopback DHT named with --dht-bootstrap. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { buildMagnet } from '../../../daemon/src/metainfo';
import { Dht } from '../../../daemon/src/dht/dht';
import { within } from '../../support/deadline';
import { startBtd, type BtdProcess } from '../cli/btd-process';
import { makeFixture, type Fixture } from '../cli/fixtures';

process.env.BTD_LOOPBACK_ONLY = '1';
const LOCAL = ['-p', '0', '--bind', '127.0.0.1'];

describe('the DHT from the command line', { timeout: 120_000 }, () => {
  const nodes: Dht[] = [];
  const procs: BtdProcess[] = [];
  let fx: Fixture;

  before(async () => {
    for (let i = 0; i < 3; i++) {
      const n = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: i === 0 ? [] : [`127.0.0.1:${nodes[i - 1].port}`] });
      await within(10_000, n.bootstrapped, 'bootstrap');
      nodes.push(n);
    }
    fx = await makeFixture({ name: 'dht.bin', size: 700_000, pieceLength: 32 * 1024, trackers: [] });
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(nodes.map((n) => n.close()));
    await fx.remove();
  });

  test('a magnet with no tracker downloads from a seeder found through --dht-bootstrap', async () => {
    const seeder = startBtd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, '--dht-bootstrap', `127.0.0.1:${nodes[0].port}`]);
    procs.push(seeder);
    await seeder.waitFor(/^seeding dht\.bin on port \d+$/);
    const out = join(fx.dir, 'out');
    const magnet = buildMagnet({ infoHash: fx.meta.infoHash, name: 'dht.bin' });
    const leecher = startBtd(['download', magnet, '-o', out, ...LOCAL, '--dht-bootstrap', `127.0.0.1:${nodes[2].port}`, '--dht-bootstrap', `localhost:${nodes[1].port}`]);
    procs.push(leecher);
    const done = await leecher.exited;
    assert.equal(done.code, 0, leecher.stderr());
    assert.ok(await sameContent(fx.dataPath, join(out, 'dht.bin')));
  });

  test('a bad --dht-bootstrap is a one-line error', async () => {
    const p = startBtd(['download', 'magnet:?xt=urn:btih:' + 'ab'.repeat(20), '--dht-bootstrap', 'nope']);
    procs.push(p);
    const r = await p.exited;
    assert.equal(r.code, 1);
    assert.match(p.stderr(), /invalid DHT bootstrap node: nope \(expected HOST:PORT\)/);
  });
});
