import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import sinon from 'sinon';
import type { Session } from '../../../daemon/src/session';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { checked, cleanup, completed, makeTorrent, startSession, tempDir } from './helpers';

describe('connection limits', () => {
  const dirs: string[] = [];
  const sessions: Session[] = [];
  const idle: PeerConnection[] = [];
  let clock: sinon.SinonFakeTimers | undefined;
  after(async () => {
    clock?.restore();
    for (const c of idle) c.destroy();
    await Promise.all(sessions.map((s) => s.close()));
    await cleanup(...dirs);
  });

  test('a full torrent drops an idle peer to reach one that has data', async () => {
    const seedDir = await tempDir();
    const leechDir = await tempDir();
    dirs.push(seedDir, leechDir);
    const { metainfo } = await makeTorrent(seedDir, 'limits-case', { 'l.bin': 200_000 });
    const seeder = await startSession(seedDir);
    const leecher = await startSession(leechDir, { maxConnectionsPerTorrent: 2 });
    sessions.push(seeder, leecher);
    await checked(await seeder.addTorrent(metainfo));
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    // Two peers with nothing to give take both slots.
    for (let i = 0; i < 2; i++) {
      const socket = net.connect({ host: '127.0.0.1', port: leecher.port });
      const c = PeerConnection.connect(socket, { peerId: Buffer.from(`-XX0001-idlepeer000${i}`) }, metainfo.infoHash, metainfo);
      idle.push(c);
      await once(c, 'ready');
    }
    while (t.summary().peers < 2) await once(t, 'peer');
    t.addPeer('127.0.0.1', seeder.port);
    assert.equal(t.summary().peers, 2, 'no room to dial the seeder yet');
    // Only Date is faked: the idle peers' grace period passes while real timers keep running.
    clock = sinon.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'], shouldAdvanceTime: true });
    await completed(t);
    assert.ok(idle.some((c) => c.closed), 'an idle peer was dropped');
  });
});
