import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import { createFileStorage, StorageError } from '../../../daemon/src/storage';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());

const isCode = (code: string) => (err: unknown) => err instanceof StorageError && err.code === code;
const BLOCK = 16384;

/** Writes every piece block by block, last piece first, so writes land out of order. */
async function writeAll(s: ReturnType<typeof createFileStorage>, m: { pieceCount: number; pieceLength: number }, data: Uint8Array) {
  for (let p = m.pieceCount - 1; p >= 0; p--) {
    const piece = data.subarray(p * m.pieceLength, Math.min(data.length, (p + 1) * m.pieceLength));
    for (let off = 0; off < piece.length; off += BLOCK) await s.write(p, off, piece.subarray(off, off + BLOCK));
  }
}

describe('file storage', () => {
  const layout = [
    { path: ['a.bin'], length: 5000 },
    { path: ['empty'], length: 0 },
    { path: ['sub', 'b.bin'], length: 20000 },
    { path: ['c'], length: 1 },
    { path: ['sub', 'deeper', 'nothing'], length: 0 },
    { path: ['sub', 'deeper', 'd.bin'], length: 30000 },
  ];

  test('blocks spanning several files land in the final files; pieces verify', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent(layout, 2 * BLOCK, 'multi');
      const s = createFileStorage(m, dir, { pool });
      for (let p = 0; p < m.pieceCount; p++) assert.equal(await s.verifyPiece(p), false, 'absent files');
      await writeAll(s, m, data);
      for (let p = 0; p < m.pieceCount; p++) assert.equal(await s.verifyPiece(p), true, `piece ${p}`);
      assert.deepEqual(await s.read(0, 4990, 30), data.subarray(4990, 5020), 'read across a.bin, empty and b.bin');
      await s.close();
      for (const f of m.files) {
        const disk = await readFile(join(dir, ...f.path));
        assert.deepEqual(new Uint8Array(disk), data.subarray(f.offset, f.offset + f.length), f.path.join('/'));
      }
      assert.deepEqual((await readdir(dir)).sort(), ['multi']);
    } finally {
      await cleanup();
    }
  });

  test('single-file torrents are written as the named file; a changed byte fails verification', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent([{ path: [], length: 3 * BLOCK + 17 }], BLOCK, 'one.iso');
      const s = createFileStorage(m, dir, { pool });
      await writeAll(s, m, data);
      await s.write(1, 5, Uint8Array.of(data[BLOCK + 5] ^ 0xff));
      assert.deepEqual(
        await Promise.all([0, 1, 2, 3].map((p) => s.verifyPiece(p))),
        [true, false, true, true],
      );
      await s.close();
      assert.equal((await stat(join(dir, 'one.iso'))).size, data.length);
    } finally {
      await cleanup();
    }
  });

  test('files are sparse until filled: writing the last piece first does not fill the rest', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent([{ path: [], length: 64 * BLOCK }], 16 * BLOCK, 'big');
      const s = createFileStorage(m, dir, { pool });
      await s.write(3, 0, pieceOf(m, data, 3).subarray(0, BLOCK));
      await s.close();
      const st = await stat(join(dir, 'big'));
      assert.equal(st.size, 48 * BLOCK + BLOCK);
      assert.ok(st.blocks * 512 < st.size / 2, 'holes take no disk space');
    } finally {
      await cleanup();
    }
  });

  test('many files through a small handle cache: bounded descriptors, correct data', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const many = Array.from({ length: 60 }, (_, i) => ({ path: [`f${i}`], length: 997 }));
      const { m, data } = makeTorrent(many, BLOCK, 'many');
      const s = createFileStorage(m, dir, { pool, maxOpenFiles: 3 });
      const before = (await readdir('/proc/self/fd')).length;
      await writeAll(s, m, data);
      await s.flush();
      const during = (await readdir('/proc/self/fd')).length;
      assert.ok(during - before <= 3, `${during - before} descriptors open`);
      for (let p = 0; p < m.pieceCount; p++) assert.deepEqual(await s.read(p, 0, m.pieceLength > data.length - p * m.pieceLength ? data.length - p * m.pieceLength : m.pieceLength), pieceOf(m, data, p));
      await s.close();
      assert.equal((await readdir('/proc/self/fd')).length, before);
    } finally {
      await cleanup();
    }
  });

  test('hostile file names are refused before anything is written', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const root = join(dir, 'save');
      await mkdir(root);
      const hostile = [['..', 'evil'], ['/etc', 'passwd'], ['a', '..', '..', 'evil'], ['C:', 'x'], ['nul']];
      for (const path of hostile) {
        const { m } = makeTorrent([{ path: ['ok'], length: 10 }, { path: ['x'], length: 10 }], BLOCK, 't');
        m.files[1].path = ['t', ...path];
        assert.throws(() => createFileStorage(m, root, { pool }), isCode('unsafe-path'), path.join('/'));
      }
      assert.deepEqual(await readdir(dir), ['save']);
      assert.deepEqual(await readdir(root), []);
    } finally {
      await cleanup();
    }
  });

  test('I/O failures and bad ranges reject with StorageError, never crash', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent([{ path: ['x'], length: 100 }], BLOCK, 't');
      await writeFile(join(dir, 't'), 'a file where the folder should be');
      const s = createFileStorage(m, dir, { pool });
      await assert.rejects(s.write(0, 0, data), isCode('io'));
      await assert.rejects(s.read(0, 0, 10), (e) => e instanceof StorageError && (e.code === 'io' || e.code === 'missing'));
      await assert.rejects(s.write(0, 90, new Uint8Array(11)), isCode('range'));
      await assert.rejects(s.read(1, 0, 1), isCode('range'));
      await s.close();
      await assert.rejects(s.write(0, 0, data), isCode('closed'));
    } finally {
      await cleanup();
    }
  });

  test('reading what was never written is missing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent([{ path: [], length: 2 * BLOCK }], BLOCK, 'r');
      const s = createFileStorage(m, dir, { pool });
      await assert.rejects(s.read(0, 0, 10), isCode('missing'));
      await s.write(0, 0, data.subarray(0, 100));
      await assert.rejects(s.read(1, 0, 10), isCode('missing'), 'past the end of a sparse file');
      await s.close();
    } finally {
      await cleanup();
    }
  });

  test('a file first opened to read is reopened writable', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent([{ path: [], length: 2 * BLOCK }], BLOCK, 'rw');
      await writeFile(join(dir, 'rw'), data.subarray(0, BLOCK));
      const s = createFileStorage(m, dir, { pool });
      const [first] = await Promise.all([s.read(0, 0, BLOCK), s.write(1, 0, pieceOf(m, data, 1))]);
      assert.deepEqual(first, data.subarray(0, BLOCK));
      assert.equal(await s.verifyPiece(1), true);
      await s.close();
    } finally {
      await cleanup();
    }
  });

  test('deleteData removes our files and folders, nothing else', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent(layout, 2 * BLOCK, 'multi');
      const s = createFileStorage(m, dir, { pool });
      await writeAll(s, m, data);
      await writeFile(join(dir, 'keep.txt'), 'not ours');
      await s.deleteData();
      assert.deepEqual(await readdir(dir), ['keep.txt']);
    } finally {
      await cleanup();
    }
  });
});
