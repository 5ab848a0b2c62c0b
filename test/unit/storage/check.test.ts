import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { checkExisting, createFileStorage, fileStates, ResumeWriter } from '../../../daemon/src/storage';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 2 });
after(() => pool.close());

const PIECE = 16384;
// Pieces: 0-1 in a (32000 bytes), 1-2 straddle into b, 3-4 in c; 5 pieces of 16 KiB, the last short.
const layout = [
  { path: ['a'], length: 32000 },
  { path: ['b'], length: 20000 },
  { path: ['c'], length: 20000 },
];

/** A complete download under a fresh folder, with its resume state saved. */
async function downloaded(): Promise<{ m: Metainfo; dir: string; stateFile: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const { m, data } = makeTorrent(layout, PIECE, 't');
  const storage = createFileStorage(m, dir, { pool });
  for (let p = 0; p < m.pieceCount; p++) await storage.write(p, 0, pieceOf(m, data, p));
  const stateFile = join(dir, 't.resume');
  await new ResumeWriter({ m, savePath: dir, stateFile, storage }).save(Bitfield.full(m.pieceCount));
  await storage.close();
  return { m, dir, stateFile, cleanup };
}

describe('checkExisting', () => {
  test('fast when the resume state matches the files', async () => {
    const t = await downloaded();
    try {
      const progress: number[][] = [];
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, onProgress: (c, n) => progress.push([c, n]) });
      assert.equal(r.mode, 'fast');
      assert.equal(r.have.toString(), '*****');
      assert.deepEqual(progress, [[5, 5]]);
    } finally {
      await t.cleanup();
    }
  });

  test('a touched file: only the pieces touching it are hashed, and every piece is found', async () => {
    const t = await downloaded();
    try {
      await utimes(join(t.dir, 't', 'b'), new Date(2001, 1, 1), new Date(2001, 1, 1));
      const progress: number[] = [];
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, onProgress: (c) => progress.push(c) });
      assert.equal(r.mode, 'partial');
      assert.equal(r.hashed, 3, 'pieces 1-3 touch b');
      assert.equal(r.have.toString(), '*****');
      assert.ok(progress.length > 0);
      assert.deepEqual([...progress].sort((x, y) => x - y), progress);
      assert.equal(progress[progress.length - 1], 5);
    } finally {
      await t.cleanup();
    }
  });

  test('one corrupted byte loses only its piece', async () => {
    const t = await downloaded();
    try {
      const fh = await open(join(t.dir, 't', 'c'), 'r+');
      await fh.write(Uint8Array.of(0xaa, 0x55), 0, 2, 10000); // c starts at 52000: byte 62000 is in piece 3
      await fh.close();
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool });
      assert.deepEqual(r, { have: Bitfield.fromString('*** *'), mode: 'partial', hashed: 2 });
    } finally {
      await t.cleanup();
    }
  });

  test('missing and short files make their pieces missing', async () => {
    const t = await downloaded();
    try {
      await rm(join(t.dir, 't', 'a'));
      await truncate(join(t.dir, 't', 'c'), 13000); // piece 3 needs c up to byte 13536
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool });
      assert.equal(r.have.toString(), '..*..');
    } finally {
      await t.cleanup();
    }
  });

  test('full on request; without state; with a corrupt state (warned)', async () => {
    const t = await downloaded();
    try {
      assert.equal((await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, full: true })).mode, 'full');
      const none = await checkExisting(t.m, t.dir, { stateFile: join(t.dir, 'absent.resume'), pool });
      assert.deepEqual(none, { have: Bitfield.full(5), mode: 'full', hashed: 5 });
      await writeFile(t.stateFile, '{"format":"btd-resume","version":1,"infoHash":');
      const warnings: string[] = [];
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, warn: (w) => warnings.push(w) });
      assert.equal(r.mode, 'full');
      assert.equal(warnings.length, 1);
    } finally {
      await t.cleanup();
    }
  });

  test('nothing on disk: nothing had, nothing hashed', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = makeTorrent(layout, PIECE, 't');
      const r = await checkExisting(m, dir, { stateFile: join(dir, 'x.resume'), pool });
      assert.equal(r.have.count, 0);
    } finally {
      await cleanup();
    }
  });

  test('an aborted full check rejects with the reason', async () => {
    const t = await downloaded();
    try {
      const ac = new AbortController();
      const check = checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, full: true, signal: ac.signal, onProgress: () => ac.abort(new Error('stop')) });
      await assert.rejects(check, /stop/);
      await assert.rejects(checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool, signal: ac.signal }), /stop/, 'already aborted');
    } finally {
      await t.cleanup();
    }
  });

  test('a state saved while downloading: recorded pieces are kept unread, pieces verified since are hashed and found', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = makeTorrent(layout, PIECE, 't');
      const storage = createFileStorage(m, dir, { pool });
      const stateFile = join(dir, 't.resume');
      const writer = new ResumeWriter({ m, savePath: dir, stateFile, storage });
      for (const p of [0, 3]) await storage.write(p, 0, pieceOf(m, data, p));
      await writer.save(Bitfield.fromString('*..*.'), true);
      // Verified after the last save, then kill -9: on disk, not recorded.
      for (const p of [1, 4]) await storage.write(p, 0, pieceOf(m, data, p));
      await storage.close();
      const r = await checkExisting(m, dir, { stateFile, pool });
      assert.equal(r.mode, 'partial');
      assert.equal(r.have.toString(), '**.**');
      // 1 and 4 are on disk; 2 lies in a hole of b (3 wrote its end): read and found missing. 0 and 3 are not read.
      assert.equal(r.hashed, 3, 'only the unrecorded pieces were hashed');
    } finally {
      await cleanup();
    }
  });

  test('a state saved while downloading trusts no piece of a file that shrank', async () => {
    const t = await downloaded();
    try {
      const { m } = makeTorrent(layout, PIECE, 't');
      const storage = createFileStorage(m, t.dir, { pool });
      await new ResumeWriter({ m, savePath: t.dir, stateFile: t.stateFile, storage }).save(Bitfield.full(5), true);
      await storage.close();
      await truncate(join(t.dir, 't', 'c'), 13000);
      const r = await checkExisting(t.m, t.dir, { stateFile: t.stateFile, pool });
      assert.equal(r.have.toString(), '***..');
      assert.equal(r.mode, 'partial');
      assert.equal(r.hashed, 0, 'pieces 3 and 4 of the short file are missing without a read; 0-2 are trusted');
    } finally {
      await t.cleanup();
    }
  });
});

test('fileStates: a folder with one or two of the files is stat\'ed directly, a larger one listed; both give the same states', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: [], length: 20000 }], PIECE, 'single.bin');
    assert.deepEqual(await fileStates(m, dir), [null], 'absent');
    await writeFile(join(dir, 'single.bin'), data);
    const [one] = await fileStates(m, dir);
    assert.equal(one?.size, 20000);
    await rm(join(dir, 'single.bin'));
    await mkdir(join(dir, 'single.bin'));
    assert.deepEqual(await fileStates(m, dir), [null], 'a folder in its place is no file');
    // Folder "few" holds two files (direct stats), folder "many" four (listed); each has a present
    // file, an absent one and a folder in a file's place.
    const files = [['few', 'a'], ['few', 'b'], ['many', 'a'], ['many', 'b'], ['many', 'c'], ['many', 'd']].map((path) => ({ path, length: 10 }));
    const multi = makeTorrent(files, PIECE, 'multi').m;
    const root = join(dir, 'multi');
    await mkdir(join(root, 'few'), { recursive: true });
    await mkdir(join(root, 'many', 'c'), { recursive: true });
    await mkdir(join(root, 'few', 'b'));
    await writeFile(join(root, 'few', 'a'), Buffer.alloc(10));
    await writeFile(join(root, 'many', 'a'), Buffer.alloc(7));
    const states = await fileStates(multi, dir);
    assert.deepEqual(states.map((st) => st?.size ?? null), [10, null, 7, null, null, null]);
  } finally {
    await cleanup();
  }
});
