import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { checked, makeTorrent, startSession, tempDir } from './helpers';

test('an idle seed leaves the session tick (quiet) after its first ticks, and a peer to dial brings it back', async () => {
  const dir = await tempDir();
  const session = await startSession(dir);
  try {
    const { metainfo } = await makeTorrent(dir, 'q', { 'a.bin': 40000 }, 16384);
    const t = await session.addTorrent(metainfo, { savePath: dir });
    await checked(t);
    assert.equal(t.summary().state, 'seeding');
    assert.equal(session.quiet(t), false, 'a fresh swarm ticks');
    const tick = (): void => (session as unknown as { tick(): void }).tick();
    tick(); // first tick: its figures are news
    tick(); // rates 0, no peer: idle
    assert.equal(session.quiet(t), true);
    t.addPeer('127.0.0.1', 9); // a dial under way
    assert.equal(session.quiet(t), false);
  } finally {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  }
});
