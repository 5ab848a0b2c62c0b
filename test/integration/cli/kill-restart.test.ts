import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sameContent } from '../../../daemon/src/cli/demo-data';
import { HashPool } from '../../../daemon/src/hash/pool';
import type { Fixture } from './fixtures';
import { LOCAL, useSwarm } from './swarm';

const KiB = 1024;
const MiB = 1024 * KiB;
const PIECE = 256 * KiB;

/** Pieces of the partial copy that are intact on disk, hashed here (absent or short: missing). */
async function intactPieces(pool: HashPool, fx: Fixture, copy: string): Promise<number> {
  const layout = { files: [{ path: copy, length: fx.meta.totalLength }], pieceLength: fx.meta.pieceLength, totalLength: fx.meta.totalLength };
  const verdicts = await pool.checkPieces(layout, fx.meta.pieces);
  return verdicts.reduce((n, v) => n + v, 0);
}

describe('btd download killed with SIGKILL again and again', { timeout: 120_000 }, () => {
  const swarm = useSwarm();

  test('every restart finds every piece intact on disk, and the last one fetches only what is missing', async () => {
    const size = 32 * MiB;
    const fx = await swarm.fixture({ name: 'kills.bin', size, pieceLength: PIECE });
    const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL]);
    await seeder.waitFor(/^seeding kills\.bin on port \d+$/);
    const out = join(fx.dir, 'out');
    const copy = join(out, 'kills.bin');
    const pool = new HashPool({ workers: 1 });
    // Killed at the first status line past 20 %, 45 % and 70 %: the download rate cap (its bucket holds
    // one second, 12.5 % of the file) keeps each run short of the next point.
    const points = [/^downloading\s+([2-9]\d)\.\d%/, /^downloading\s+(4[5-9]|[5-9]\d)\.\d%/, /^downloading\s+([7-9]\d)\.\d%/];
    const args = ['download', fx.torrentPath, '-o', out, ...LOCAL, '--max-download-rate', '4M', '--status-interval', '0.1', '--no-dht'];
    try {
      let intact = 0;
      for (const [k, point] of points.entries()) {
        const run = swarm.btd(args);
        const checked = await run.waitFor(/^checked kills\.bin: (\d+) of 128 pieces verified/);
        assert.equal(Number(checked[1]), intact, `restart ${k} found ${checked[1]} pieces, ${intact} were intact on disk`);
        await run.waitFor(point);
        await run.kill();
        assert.equal((await run.exited).signal, 'SIGKILL');
        const now = await intactPieces(pool, fx, copy);
        assert.ok(now >= intact, `kill ${k + 1}: ${now} pieces intact, ${intact} before`);
        intact = now;
      }
      const last = swarm.btd(args);
      assert.equal((await last.exited).code, 0, last.stderr());
      const checked = /^checked kills\.bin: (\d+) of 128 pieces verified/m.exec(last.stdout());
      assert.equal(Number(checked?.[1]), intact, last.stdout());
      const fetched = /this run downloaded (\d+) bytes/.exec(last.stdout());
      assert.ok(fetched !== null, last.stdout());
      // A piece may come twice in the endgame; a verified piece fetched again would be a whole piece more.
      assert.ok(Number(fetched[1]) < size - intact * PIECE + PIECE, `the last run downloaded ${fetched[1]} bytes, ${size - intact * PIECE} were missing`);
      assert.ok(await sameContent(fx.dataPath, copy));
    } finally {
      await pool.close();
    }
  });
});
