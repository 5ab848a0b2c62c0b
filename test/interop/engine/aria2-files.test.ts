import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../../../daemon/src/metainfo';
import { LOCAL, useSwarm } from '../../integration/cli/swarm';
import { aria2Seed, freePort } from './peers';

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

describe('btd chooses files from an aria2c seeder', { timeout: 90_000 }, () => {
  const swarm = useSwarm();

  test('two of five files skipped, then turned on in a second run; the parts file goes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'btd-aria2-files-'));
    try {
      const data = join(dir, 'seed', 'five');
      await mkdir(data, { recursive: true });
      const sizes: Record<string, number> = { 'a.bin': 500_000, 'b.bin': 700_001, 'c.bin': 400_000, 'd.bin': 900_003, 'e.bin': 300_000 };
      const files = new Map<string, Buffer>();
      for (const [n, size] of Object.entries(sizes)) {
        files.set(n, randomBytes(size));
        await writeFile(join(data, n), files.get(n) as Buffer);
      }
      const { bytes, metainfo } = await createTorrent(data, { pieceLength: 32768 });
      const torrentPath = join(dir, 'five.torrent');
      await writeFile(torrentPath, bytes);
      const port = await freePort();
      swarm.track(await aria2Seed(torrentPath, join(dir, 'seed'), port));
      const out = join(dir, 'out');
      const peer = ['--peer', `127.0.0.1:${port}`];

      const first = swarm.btd(['download', torrentPath, '-o', out, ...LOCAL, ...peer, '--skip', 'b.bin', '--skip', 'd.bin']);
      assert.equal((await first.exited).code, 0, first.stderr());
      assert.match(first.stdout(), /^completed five \(the .* of files chosen\)/m);
      assert.deepEqual((await readdir(join(out, 'five'))).sort(), ['a.bin', 'c.bin', 'e.bin'], 'the skipped files do not exist');
      for (const n of ['a.bin', 'c.bin', 'e.bin']) assert.ok((await readFile(join(out, 'five', n))).equals(files.get(n) as Buffer), n);
      const parts = join(out, '.btd', `${metainfo.infoHashHex}.parts`);
      assert.ok(await exists(parts), 'the boundary bytes of b and d are in the parts file');

      const second = swarm.btd(['download', torrentPath, '-o', out, ...LOCAL, ...peer, '--only', '*']);
      assert.equal((await second.exited).code, 0, second.stderr());
      for (const [n, content] of files) assert.ok((await readFile(join(out, 'five', n))).equals(content), `${n} byte-identical`);
      assert.equal(await exists(parts), false, 'the parts file is gone');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
