import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import { loadResumeState, openTorrentFiles } from '../../../daemon/src/storage';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());

test('a download recorded piece by piece is found again after a restart', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 30000 }, { path: ['b'], length: 30000 }], 16384, 'td');
    const stateDir = join(dir, 'state');
    const first = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await first.check('fast')).count, 0);
    for (const p of [0, 2]) {
      await first.storage.write(p, 0, pieceOf(m, data, p));
      assert.ok(await first.storage.verifyPiece(p));
      first.pieceVerified(p);
    }
    await first.save();
    await first.storage.close();
    assert.deepEqual((await readdir(stateDir)).sort(), [`${m.infoHashHex}.files`, `${m.infoHashHex}.resume`]);
    assert.equal((await loadResumeState(first.stateFile, m)).state?.have.toString(), '*.*.');

    const warnings: string[] = [];
    const second = await openTorrentFiles(m, dir, stateDir, { pool, warn: (w) => warnings.push(w) });
    const progress: number[] = [];
    assert.equal((await second.check('full', (c) => progress.push(c))).toString(), '*.*.');
    assert.equal(progress.at(-1), 4);
    assert.equal((await second.check('fast')).toString(), '*.*.');
    assert.deepEqual(warnings, []);
    await second.storage.close();
  } finally {
    await cleanup();
  }
});
