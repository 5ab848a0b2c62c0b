import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import { createFileStorage, fileStates, loadResumeState, ResumeWriter } from '../../../daemon/src/storage';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { makeTorrent, pieceOf, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());

/** A promise with its resolve and reject in hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const torrent = () => makeTorrent([{ path: ['a'], length: 40000 }, { path: ['b'], length: 9000 }], 16384, 'r');

describe('resume state', () => {
  test('saved state loads back with the files as they stand', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, data } = torrent();
      const storage = createFileStorage(m, dir, { pool });
      for (let p = 0; p < m.pieceCount; p++) await storage.write(p, 0, pieceOf(m, data, p));
      const stateFile = join(dir, 'state', 'r.resume');
      const writer = new ResumeWriter({ m, savePath: dir, stateFile, storage });
      await writer.save(Bitfield.fromString('* *'));
      const loaded = await loadResumeState(stateFile, m);
      assert.equal(loaded.state?.have.toString(), '*.*');
      assert.deepEqual(loaded.state?.files, await fileStates(m, dir));
      assert.deepEqual(await readdir(join(dir, 'state')), ['r.resume'], 'no temp file left behind');
      await storage.close();
    } finally {
      await cleanup();
    }
  });

  test('file states: present files with size and mtime, absent ones and folders null, over many folders', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const files = Array.from({ length: 300 }, (_, i) => ({ path: [`d${i % 7}`, `f${i}.bin`], length: 10 }));
      const m = { files: [...files, { path: ['missing-folder', 'x'], length: 1 }, { path: ['d0'], length: 1 }] };
      const { mkdir } = await import('node:fs/promises');
      for (let i = 0; i < 7; i++) await mkdir(join(dir, 'd' + i), { recursive: true });
      for (let i = 0; i < 300; i += 3) await writeFile(join(dir, `d${i % 7}`, `f${i}.bin`), 'x'.repeat(i % 5));
      const states = await fileStates(m as never, dir);
      assert.equal(states.length, 302);
      for (let i = 0; i < 300; i++) {
        if (i % 3 === 0) assert.equal(states[i]?.size, i % 5, `file ${i}`);
        else assert.equal(states[i], null, `file ${i}`);
      }
      assert.equal(states[300], null, 'in a folder that does not exist');
      assert.equal(states[301], null, 'a folder is not a file');
    } finally {
      await cleanup();
    }
  });

  test('the storage is flushed before a state is recorded; a failed flush records nothing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = torrent();
      const stateFile = join(dir, 'r.resume');
      const seenAtFlush: (string | undefined)[] = [];
      let failFlush = false;
      const storage = {
        flush: async () => {
          seenAtFlush.push((await loadResumeState(stateFile, m)).state?.have.toString());
          if (failFlush) throw new Error('disk gone');
        },
      };
      const errors: Error[] = [];
      const writer = new ResumeWriter({ m, savePath: dir, stateFile, storage, onError: (e) => errors.push(e) });
      await writer.save(Bitfield.fromString('*  '));
      await writer.save(Bitfield.fromString('** '));
      failFlush = true;
      await writer.save(Bitfield.fromString('***'));
      assert.deepEqual(seenAtFlush, [undefined, '*..', '**.']);
      assert.equal((await loadResumeState(stateFile, m)).state?.have.toString(), '**.');
      assert.deepEqual(errors.map((e) => e.message), ['disk gone']);
    } finally {
      await cleanup();
    }
  });

  test('saves are coalesced: one write in flight, the latest state wins', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = torrent();
      const stateFile = join(dir, 'r.resume');
      const gates = [deferred(), deferred()];
      let flushes = 0;
      const storage = { flush: () => gates[flushes++].promise };
      const writer = new ResumeWriter({ m, savePath: dir, stateFile, storage });
      const saves = [writer.save(Bitfield.fromString('*  ')), writer.save(Bitfield.fromString('** ')), writer.save(Bitfield.fromString('***'))];
      gates[0].resolve();
      gates[1].resolve();
      await Promise.all(saves);
      await writer.idle();
      assert.equal(writer.writeCount, 2);
      assert.equal(flushes, 2);
      assert.equal((await loadResumeState(stateFile, m)).state?.have.toString(), '***');
    } finally {
      await cleanup();
    }
  });

  test('a write that fails leaves the previous state and reports the error', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = torrent();
      await writeFile(join(dir, 'blocker'), 'a file, not a folder');
      const errors: Error[] = [];
      const writer = new ResumeWriter({ m, savePath: dir, stateFile: join(dir, 'blocker', 'x.resume'), storage: { flush: async () => undefined }, onError: (e) => errors.push(e) });
      await writer.save(new Bitfield(3));
      assert.equal(errors.length, 1);
    } finally {
      await cleanup();
    }
  });

  test('a leftover temp file is never taken for the state', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = torrent();
      const stateFile = join(dir, 'r.resume');
      const writer = new ResumeWriter({ m, savePath: dir, stateFile, storage: { flush: async () => undefined } });
      await writer.save(Bitfield.fromString('* *'));
      await writeFile(`${stateFile}.tmp`, '{"format":"btd-resume", "trunc');
      assert.equal((await loadResumeState(stateFile, m)).state?.have.toString(), '*.*');
      await writer.save(Bitfield.fromString('***'));
      assert.equal((await loadResumeState(stateFile, m)).state?.have.toString(), '***');
      assert.deepEqual((await readdir(dir)).sort(), ['r.resume']);
    } finally {
      await cleanup();
    }
  });

  test('corrupt, foreign and mismatched state files are ignored with a reason', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m } = torrent();
      const other = makeTorrent([{ path: [], length: 49000 }], 16384, 'other').m;
      const stateFile = join(dir, 'r.resume');
      assert.deepEqual(await loadResumeState(stateFile, m), { state: undefined }, 'absent is not a problem');
      await new ResumeWriter({ m: other, savePath: dir, stateFile, storage: { flush: async () => undefined } }).save(new Bitfield(3));
      assert.match((await loadResumeState(stateFile, m)).problem ?? '', /another torrent/);
      const good = await readFile(stateFile, 'utf8');
      const bad = [
        '',
        'null',
        '[]',
        good.slice(0, good.length / 2),
        good.replace('"version":1', '"version":9'),
        good.replace(/"have":"[^"]*"/, '"have":"/w=="'),
        good.replace(/"files":\[.*\]/, '"files":[null,null]'),
      ];
      for (const text of bad) {
        await writeFile(stateFile, text);
        const loaded = await loadResumeState(stateFile, other);
        assert.equal(loaded.state, undefined, text);
        assert.ok('problem' in loaded && loaded.problem, text);
      }
    } finally {
      await cleanup();
    }
  });
});
