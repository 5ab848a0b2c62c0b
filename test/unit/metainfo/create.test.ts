import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bencode } from '../../../daemon/src/bencode';
import { HashPool } from '../../../daemon/src/hash/pool';
import { MetainfoError, createTorrent } from '../../../daemon/src/metainfo';

const sha1 = (b: Uint8Array): Buffer => createHash('sha1').update(b).digest();

/** Piece hashes computed the simple way, independently of the pool. */
function expectedPieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceLength) out.push(sha1(data.subarray(i, i + pieceLength)));
  return Buffer.concat(out);
}

describe('createTorrent', () => {
  let dir: string;
  let pool: HashPool;
  const big = randomBytes(200_000);
  const small = randomBytes(5000);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btd-create-'));
    mkdirSync(join(dir, 'folder', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'folder', '.git'));
    writeFileSync(join(dir, 'single.bin'), big);
    writeFileSync(join(dir, 'folder', 'sub', 'b.bin'), big);
    writeFileSync(join(dir, 'folder', 'a.txt'), small);
    writeFileSync(join(dir, 'folder', 'a'), '');
    writeFileSync(join(dir, 'folder', '.hidden'), 'h');
    writeFileSync(join(dir, 'folder', '.git', 'x'), 'g');
    writeFileSync(join(dir, 'outside.txt'), 'secret');
    symlinkSync(join(dir, 'outside.txt'), join(dir, 'folder', 'link-out'));
    symlinkSync(join(dir, 'folder', 'a.txt'), join(dir, 'folder', 'link-in'));
    symlinkSync(join(dir, 'folder', 'sub'), join(dir, 'folder', 'link-dir'));
    pool = new HashPool({ workers: 2 });
  });
  after(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('single file: the info dictionary is exactly what the spec says', async () => {
    const { bytes, metainfo } = await createTorrent(join(dir, 'single.bin'), {
      pool,
      pieceLength: 32768,
      trackers: ['http://127.0.0.1:1/announce'],
      creationDate: 1700000000,
      createdBy: 'test',
    });
    const info = { length: big.length, name: 'single.bin', 'piece length': 32768, pieces: expectedPieces(big, 32768) };
    assert.equal(metainfo.infoHashHex, sha1(bencode(info)).toString('hex'));
    assert.deepEqual(
      bytes,
      bencode({ announce: 'http://127.0.0.1:1/announce', 'created by': 'test', 'creation date': 1700000000, info }),
    );
    assert.equal(metainfo.multiFile, false);
  });

  test('folder: files by path bytes, hidden skipped, symlinks only to files inside', async () => {
    const { metainfo } = await createTorrent(join(dir, 'folder'), { pool, pieceLength: 16384 });
    assert.deepEqual(
      metainfo.files.map((f) => [f.path.join('/'), f.length]),
      [
        ['folder/a', 0],
        ['folder/a.txt', 5000],
        ['folder/link-in', 5000],
        ['folder/sub/b.bin', 200_000],
      ],
    );
    const data = Buffer.concat([small, small, big]);
    assert.deepEqual(Buffer.from(metainfo.pieces), expectedPieces(data, 16384));
    assert.equal(metainfo.announceList.length, 0);
  });

  test('hidden files on request; tiers, private, comment, web seeds', async () => {
    const { metainfo } = await createTorrent(join(dir, 'folder'), {
      pool,
      includeHidden: true,
      trackers: [['http://a/', 'http://b/'], ['http://c/']],
      private: true,
      comment: 'c',
      webSeeds: ['http://w/'],
    });
    assert.deepEqual(
      metainfo.files.map((f) => f.path.slice(1).join('/')),
      ['.git/x', '.hidden', 'a', 'a.txt', 'link-in', 'sub/b.bin'],
    );
    assert.deepEqual(metainfo.announceList, [['http://a/', 'http://b/'], ['http://c/']]);
    assert.equal(metainfo.announce, 'http://a/');
    assert.equal(metainfo.private, true);
    assert.equal(metainfo.comment, 'c');
    assert.deepEqual(metainfo.urlList, ['http://w/']);
    assert.match(metainfo.createdBy ?? '', /^btd\//);
  });

  test('excluded paths are left out (the torrent being written into its own folder)', async () => {
    const { metainfo } = await createTorrent(join(dir, 'folder'), { pool, exclude: [join(dir, 'folder', 'sub', 'b.bin'), join(dir, 'folder', 'a')] });
    assert.deepEqual(metainfo.files.map((f) => f.path.slice(1).join('/')), ['a.txt', 'link-in']);
  });

  test('progress is monotonic and ends at the total; the piece length is automatic', async () => {
    const seen: number[] = [];
    const { metainfo } = await createTorrent(join(dir, 'single.bin'), { pool, onProgress: (done, total) => {
      assert.equal(total, big.length);
      seen.push(done);
    } });
    assert.equal(metainfo.pieceLength, 16384);
    assert.ok(seen.length > 0);
    assert.deepEqual([...seen].sort((x, y) => x - y), seen);
    assert.equal(seen[seen.length - 1], big.length);
  });

  test('cancelling rejects with the abort reason', async () => {
    const abort = new AbortController();
    const run = createTorrent(join(dir, 'single.bin'), { pool, signal: abort.signal, onProgress: () => abort.abort() });
    await assert.rejects(run, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    const already = AbortSignal.abort();
    await assert.rejects(createTorrent(join(dir, 'single.bin'), { pool, signal: already }), { name: 'AbortError' });
  });

  test('refuses empty input, unsafe names, bad piece lengths and missing paths', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'e'), { recursive: true });
    await assert.rejects(createTorrent(empty, { pool }), (e: unknown) => e instanceof MetainfoError && e.code === 'empty');
    writeFileSync(join(empty, 'zero'), '');
    await assert.rejects(createTorrent(empty, { pool }), (e: unknown) => e instanceof MetainfoError && e.code === 'empty');
    const unsafe = join(dir, 'unsafe');
    mkdirSync(unsafe);
    writeFileSync(join(unsafe, 'a\\b'), 'x');
    await assert.rejects(createTorrent(unsafe, { pool }), (e: unknown) => e instanceof MetainfoError && e.code === 'unsafe-path');
    await assert.rejects(createTorrent(join(dir, 'single.bin'), { pool, pieceLength: 1000 }), { code: 'bad-piece-length' });
    await assert.rejects(createTorrent(join(dir, 'nope'), { pool }), { code: 'ENOENT' });
  });
});
