import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sinon from 'sinon';
import { HandleCache } from '../../../daemon/src/storage/handles';
import { StorageError } from '../../../daemon/src/storage';
import { tempDir } from './fixtures';

const write = (text: string) => async (fh: import('node:fs/promises').FileHandle) => {
  await fh.write(text, 0);
};

test('stays within its bound once idle, and flush fsyncs evicted files too', async () => {
  const { dir, cleanup } = await tempDir();
  const probe = await open(join(dir, 'probe'), 'w');
  const sync = sinon.spy(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
  await probe.close();
  try {
    const cache = new HandleCache(2);
    for (let i = 0; i < 6; i++) await cache.use(join(dir, 'sub', `f${i}`), true, write(`file ${i}`));
    await cache.flush();
    assert.ok(cache.openCount <= 2, `${cache.openCount} open`);
    assert.equal(sync.callCount, 6, 'every written file was fsynced once');
    await cache.flush();
    assert.equal(sync.callCount, 6, 'nothing dirty, nothing synced');
    await cache.close();
    assert.equal(cache.openCount, 0);
    assert.equal(await readFile(join(dir, 'sub', 'f5'), 'utf8'), 'file 5');
  } finally {
    sync.restore();
    await cleanup();
  }
});

test('close lets running operations finish, then refuses new ones', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cache = new HandleCache(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = cache.use(join(dir, 'a'), true, async (fh) => {
      await gate;
      await fh.write('late', 0);
      return 'done';
    });
    const closed = cache.close();
    release();
    assert.equal(await running, 'done');
    await closed;
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'late');
    await assert.rejects(cache.use(join(dir, 'a'), false, async () => 1), (e) => e instanceof StorageError && e.code === 'closed');
  } finally {
    await cleanup();
  }
});

test('a failed open is reported and not cached', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cache = new HandleCache(4);
    await writeFile(join(dir, 'x'), 'blocks the folder');
    await assert.rejects(cache.use(join(dir, 'x', 'f'), true, write('a')), (e) => e instanceof StorageError && e.code === 'io');
    await assert.rejects(cache.use(join(dir, 'nope'), false, async () => 1), (e) => e instanceof StorageError && e.code === 'missing');
    await rm(join(dir, 'x'));
    await cache.use(join(dir, 'x', 'f'), true, write('a'));
    assert.equal(await readFile(join(dir, 'x', 'f'), 'utf8'), 'a');
    await cache.close();
  } finally {
    await cleanup();
  }
});
