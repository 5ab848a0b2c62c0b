import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import { openTorrentFiles, partsFileOf } from '../../../daemon/src/storage';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());
const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

test('a skipped file lives in the parts file, moves into place when wanted, and the parts file goes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // a [0, 20000), b [20000, 70000), c [70000, 90000); 16 KiB pieces: 1 and 4 are boundary pieces of b, 2 and 3 are b's alone.
    const { m, data } = makeTorrent([{ path: ['a'], length: 20_000 }, { path: ['b'], length: 50_000 }, { path: ['c'], length: 20_000 }], 16384, 'pt');
    const stateDir = join(dir, 'state');
    const parts = partsFileOf(m, stateDir);
    const b = join(dir, 'pt', 'b');
    const files = await openTorrentFiles(m, dir, stateDir, { pool, filePriorities: ['normal', 'skip', 'normal'] });
    await files.check('full');
    for (const p of [0, 1, 4, 5]) {
      await files.storage.write(p, 0, pieceOf(m, data, p));
      assert.equal(await files.storage.verifyPiece(p), true, `piece ${p} verifies whole`);
      files.pieceVerified(p);
    }
    await files.save();
    assert.equal(await exists(b), false, 'the skipped file is not created');
    assert.ok(await exists(parts));
    assert.deepEqual(files.choices().inParts, [1]);
    await files.storage.close();

    // A restart finds the boundary pieces again, their skipped bytes read from the parts file.
    const again = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.deepEqual(again.choices().priorities, ['normal', 'skip', 'normal']);
    assert.equal((await again.check('full')).have.toString(), '**..**');
    await again.setFilePriorities(['normal', 'normal', 'normal']);
    assert.equal(await exists(parts), false, 'the parts file is gone');
    assert.deepEqual(again.choices().inParts, []);
    const moved = await readFile(b);
    assert.ok(moved.subarray(0, 32768 - 20000).equals(Buffer.from(data.subarray(20000, 32768))), 'b got its part of piece 1');
    assert.ok(moved.subarray(65536 - 20000, 50000).equals(Buffer.from(data.subarray(65536, 70000))), 'b got its part of piece 4');
    for (const p of [2, 3]) await again.storage.write(p, 0, pieceOf(m, data, p));
    for (let p = 0; p < m.pieceCount; p++) assert.equal(await again.storage.verifyPiece(p), true, `piece ${p}`);
    await again.storage.close();
  } finally {
    await cleanup();
  }
});

test('skipping a file that already has data on disk leaves it where it is', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 20_000 }, { path: ['b'], length: 20_000 }], 16384, 'kept');
    const files = await openTorrentFiles(m, dir, join(dir, 'state'), { pool });
    await files.check('full');
    for (let p = 0; p < m.pieceCount; p++) {
      await files.storage.write(p, 0, pieceOf(m, data, p));
      files.pieceVerified(p);
    }
    await files.setFilePriorities(['normal', 'skip']);
    assert.deepEqual(files.choices().inParts, []);
    assert.ok(await exists(join(dir, 'kept', 'b')));
    assert.equal(await exists(partsFileOf(m, join(dir, 'state'))), false);
    assert.equal(await files.storage.verifyPiece(1), true);
    await files.storage.close();
  } finally {
    await cleanup();
  }
});

test('a fast start does not trust pieces whose skipped bytes were in a parts file that is gone', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 20_000 }, { path: ['b'], length: 50_000 }, { path: ['c'], length: 20_000 }], 16384, 'gone');
    const stateDir = join(dir, 'state');
    const files = await openTorrentFiles(m, dir, stateDir, { pool, filePriorities: ['normal', 'skip', 'normal'] });
    await files.check('full');
    for (const p of [0, 1, 4, 5]) {
      await files.storage.write(p, 0, pieceOf(m, data, p));
      files.pieceVerified(p);
    }
    await files.save();
    await files.storage.close();
    const fast = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await fast.check('fast')).have.toString(), '**..**', 'resume state trusted while the parts file is there');
    await fast.storage.close();
    await rm(partsFileOf(m, stateDir));
    const after = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await after.check('fast')).have.toString(), '*....*', 'the boundary pieces are checked again and found missing');
    await after.storage.close();
  } finally {
    await cleanup();
  }
});

test('a file leaving the parts file takes the blocks written there, verified or not, and writes under way wait', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 20_000 }, { path: ['b'], length: 50_000 }, { path: ['c'], length: 20_000 }], 16384, 'race');
    const files = await openTorrentFiles(m, dir, join(dir, 'state'), { pool, filePriorities: ['normal', 'skip', 'normal'] });
    await files.check('full');
    await files.storage.write(1, 0, pieceOf(m, data, 1)); // received, not yet verified
    const late = files.storage.write(4, 0, pieceOf(m, data, 4)); // still under way when the priorities change
    const moved = files.setFilePriorities(['normal', 'normal', 'normal']);
    const extra = files.storage.write(4, 0, pieceOf(m, data, 4)); // arrives during the move
    await Promise.all([late, moved, extra]);
    assert.equal(await files.storage.verifyPiece(1), true, 'piece 1 verifies from the moved bytes');
    assert.equal(await files.storage.verifyPiece(4), true, 'piece 4 too');
    await files.storage.close();
  } finally {
    await cleanup();
  }
});
