import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import sinon from 'sinon';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { checked, completed, Fixture, seederAndLeecher } from './helpers';

describe('connection limits', () => {
  const fx = new Fixture();
  const idle: PeerConnection[] = [];
  let clock: sinon.SinonFakeTimers | undefined;
  after(async () => {
    clock?.restore();
    for (const c of idle) c.destroy();
    await fx.dispose();
  });

  test('a full torrent drops an idle peer to reach one that has data', async () => {
    const { metainfo, seeder, leecher } = await seederAndLeecher(fx, 'limits-case', { 'l.bin': 200_000 }, {}, { maxConnectionsPerTorrent: 2 });
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
