import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMagnet, createTorrent } from '../../../daemon/src/metainfo';
import { runBtd } from './btd-process';
import { LOCAL, useSwarm } from './swarm';

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

describe('btd download --only/--skip/--sequential and btd info --files', { timeout: 120_000 }, () => {
  const swarm = useSwarm();

  test('only the chosen files are downloaded; the others are never created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'btd-cli-files-'));
    try {
      const data = join(dir, 'show');
      await mkdir(join(data, 'extras'), { recursive: true });
      const files: Record<string, Buffer> = {
        'e01.mkv': randomBytes(300_000),
        'e02.mkv': randomBytes(250_001),
        'extras/notes.txt': randomBytes(40_000),
        'extras/poster.jpg': randomBytes(90_000),
      };
      for (const [rel, bytes] of Object.entries(files)) await writeFile(join(data, rel), bytes);
      const { bytes } = await createTorrent(data, { pieceLength: 32768 });
      const torrentPath = join(dir, 'show.torrent');
      await writeFile(torrentPath, bytes);

      const info = await runBtd(['info', '--files', torrentPath]);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, /^ {2}0 {2}show\/e01\.mkv {2}\(/m);
      assert.match(info.stdout, /^ {2}3 {2}show\/extras\/poster\.jpg {2}\(/m);

      const none = await runBtd(['download', torrentPath, '-o', join(dir, 'x'), ...LOCAL, '--only', '*.avi']);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /--only \*\.avi matches no file/);

      const seeder = swarm.btd(['seed', torrentPath, '-f', data, ...LOCAL]);
      const m = await seeder.waitFor(/^seeding show on port (\d+)$/);
      const out = join(dir, 'out');
      const got = await runBtd(['download', torrentPath, '-o', out, ...LOCAL, '--peer', `127.0.0.1:${m[1]}`, '--only', '*.mkv', '--skip', 'e02*', '--sequential']);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^completed show \(the .* of files chosen\)/m);
      assert.ok((await readFile(join(out, 'show', 'e01.mkv'))).equals(files['e01.mkv']));
      for (const rel of ['e02.mkv', 'extras/notes.txt', 'extras/poster.jpg']) assert.equal(await exists(join(out, 'show', rel)), false, `${rel} is not on disk`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a magnet link with so=0,3 downloads only files 0 and 3, on the first run and on a resumed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'btd-cli-magnet-so-'));
    try {
      const data = join(dir, 'show');
      await mkdir(data, { recursive: true });
      const names = ['e01.mkv', 'e02.mkv', 'notes.txt', 'poster.jpg'];
      const files = names.map((_, i) => randomBytes(60_000 + 40_001 * i));
      for (const [i, n] of names.entries()) await writeFile(join(data, n), files[i]);
      const { bytes, metainfo } = await createTorrent(data, { pieceLength: 32768 });
      const torrentPath = join(dir, 'show.torrent');
      await writeFile(torrentPath, bytes);
      const seeder = swarm.btd(['seed', torrentPath, '-f', data, ...LOCAL, '--no-dht']);
      const m = await seeder.waitFor(/^seeding show on port (\d+)$/);
      const magnet = `${buildMagnet({ infoHash: metainfo.infoHash, name: 'show' })}&so=0,3,7`;
      const out = join(dir, 'out');

      const bad = await runBtd(['download', `${magnet},x`, '-o', out, ...LOCAL, '--no-dht']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^btd: magnet: so=0,3,7,x: "x" is not a file index \(N\) or a range \(N-M\)$/m);
      assert.equal(await exists(out), false, 'nothing was started');

      const args = ['download', magnet, '-o', out, ...LOCAL, '--no-dht', '--peer', `127.0.0.1:${m[1]}`];
      const first = await runBtd(args);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^metadata of show: \d+ pieces, 4 file\(s\)$/m);
      assert.match(first.stdout, /^completed show \(the .* of files chosen\)/m);
      assert.match(first.stderr, /^warn: show: so: 1 file index names no file \(the torrent has 4\); ignored$/m);
      const check = async (): Promise<void> => {
        for (const i of [0, 3]) assert.ok((await readFile(join(out, 'show', names[i]))).equals(files[i]), names[i]);
        for (const i of [1, 2]) assert.equal(await exists(join(out, 'show', names[i])), false, `${names[i]} is not on disk`);
      };
      await check();

      const second = await runBtd(args);
      assert.equal(second.code, 0, second.stderr);
      assert.doesNotMatch(second.stdout, /fetching metadata/, 'the kept .torrent spares a second fetch');
      assert.match(second.stdout, /^completed show \(the .* of files chosen\)/m);
      assert.match(second.stderr, /^warn: show: so: 1 file index names no file/m);
      await check();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
