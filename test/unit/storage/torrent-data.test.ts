import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import sinon from 'sinon';
import { loadResumeState, openTorrentFiles } from '../../../daemon/src/storage';
import { SAVE_INTERVAL_MS } from '../../../daemon/src/storage/torrent-data';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });

/** A first run that verifies piece 0, saves its state and closes; the state and choices stay in `stateDir`. */
async function firstRun(m: Parameters<typeof openTorrentFiles>[0], data: Uint8Array, dir: string, stateDir: string): Promise<Awaited<ReturnType<typeof openTorrentFiles>>> {
  const first = await openTorrentFiles(m, dir, stateDir, { pool });
  await first.check('fast');
  await first.storage.write(0, 0, pieceOf(m, data, 0));
  first.pieceVerified(0);
  await first.save();
  await first.storage.close();
  return first;
}
after(() => pool.close());

test('a download recorded piece by piece is found again after a restart', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 30000 }, { path: ['b'], length: 30000 }], 16384, 'td');
    const stateDir = join(dir, 'state');
    const first = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await first.check('fast')).have.count, 0);
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
    assert.equal((await second.check('full', (c) => progress.push(c))).have.toString(), '*.*.');
    assert.equal(progress.at(-1), 4);
    assert.equal((await second.check('fast')).have.toString(), '*.*.');
    assert.deepEqual(warnings, []);
    await second.storage.close();
  } finally {
    await cleanup();
  }
});

test('a restart whose files stay where they are rewrites neither the resume state nor the file choices', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 30000 }, { path: ['b'], length: 30000 }], 16384, 'still');
    const stateDir = join(dir, 'state');
    const first = await firstRun(m, data, dir, stateDir);
    const files = [first.stateFile, join(stateDir, `${m.infoHashHex}.files`)];
    const past = new Date('2020-01-01T00:00:00Z');
    for (const f of files) await utimes(f, past, past);

    const second = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await second.check('fast')).have.toString(), '*...');
    for (const f of files) assert.equal((await stat(f)).mtime.getTime(), past.getTime(), `${f} untouched`);
    await second.setSequential(true);
    assert.notEqual((await stat(files[1])).mtime.getTime(), past.getTime(), 'a change of the choices is written');
    await second.storage.close();

    const third = await openTorrentFiles(m, dir, stateDir, { pool, filePriorities: ['normal', 'skip'] });
    await third.check('fast');
    assert.deepEqual(third.choices().priorities, ['normal', 'skip']);
    await third.storage.close();
    const fourth = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.deepEqual(fourth.choices().priorities, ['normal', 'skip'], 'priorities given at open are saved by the check');
    await fourth.storage.close();
  } finally {
    await cleanup();
  }
});

test('verified pieces are recorded together after the save interval, and at once by save', async () => {
  const { dir, cleanup } = await tempDir();
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 70000 }], 16384, 'timed');
    const files = await openTorrentFiles(m, dir, join(dir, 'state'), { pool });
    await files.check('fast');
    await files.save(true);
    const recorded = async (): Promise<string | undefined> => (await loadResumeState(files.stateFile, m)).state?.have.toString();
    const writing = async (): Promise<boolean | undefined> => (await loadResumeState(files.stateFile, m)).state?.writing;
    assert.equal(await writing(), true);
    for (const p of [0, 1, 3]) {
      await files.storage.write(p, 0, pieceOf(m, data, p));
      files.pieceVerified(p);
    }
    clock.tick(SAVE_INTERVAL_MS - 1);
    await files.idle();
    assert.equal(await recorded(), '.....', 'nothing written before the interval');
    clock.tick(1);
    await files.idle();
    assert.equal(await recorded(), '**.*.', 'one save carries the three pieces');
    assert.equal(await writing(), true, 'a timed save keeps saying the torrent downloads');
    await files.storage.write(4, 0, pieceOf(m, data, 4));
    files.pieceVerified(4);
    await files.save();
    assert.equal(await recorded(), '**.**', 'save records at once');
    assert.equal(await writing(), undefined, 'a state saved at a stop says nothing writes any more');
    clock.tick(SAVE_INTERVAL_MS);
    await files.idle();
    await files.storage.close();
  } finally {
    clock.restore();
    await cleanup();
  }
});

test('a save with nothing new since the fast check or the last write writes nothing; a block written or a piece verified does', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { m, data } = makeTorrent([{ path: ['a'], length: 30000 }], 16384, 'clean');
    const stateDir = join(dir, 'state');
    const first = await firstRun(m, data, dir, stateDir);
    const past = new Date('2020-01-01T00:00:00Z');
    await utimes(first.stateFile, past, past);
    const untouched = async (): Promise<boolean> => (await stat(first.stateFile)).mtime.getTime() === past.getTime();

    const second = await openTorrentFiles(m, dir, stateDir, { pool });
    assert.equal((await second.check('fast')).have.toString(), '*.');
    await second.save();
    assert.ok(await untouched(), 'nothing new after a fast check: no write');
    await second.storage.write(1, 0, pieceOf(m, data, 1).subarray(0, 100));
    await second.save();
    assert.ok(!(await untouched()), 'a block written (not verified) changes the file states: written');
    await utimes(first.stateFile, past, past);
    await second.save();
    assert.ok(await untouched(), 'nothing new since the last write: no write');
    await second.storage.close();
  } finally {
    await cleanup();
  }
});
