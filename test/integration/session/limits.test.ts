import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import sinon from 'sinon';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { checked, completed, Fixture, seederAndLeecher } from './helpers';
import { until, within } from '../../support/deadline';

describe('connection limits', () => {
  const fx = new Fixture();
  const idle: PeerConnection[] = [];
  const servers: net.Server[] = [];
  let clock: sinon.SinonFakeTimers | undefined;
  after(async () => {
    clock?.restore();
    for (const c of idle) c.destroy();
    for (const s of servers) s.close();
    await fx.dispose();
  });

  test('a full torrent drops an idle peer to reach one that has data', async () => {
    const { metainfo, seeder, leecher } = await seederAndLeecher(fx, 'limits-case', { 'l.bin': 200_000 }, {}, { maxConnectionsPerTorrent: 2 });
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    // Two peers with nothing to give take both slots: one dials in, one we dial.
    const socket = net.connect({ host: '127.0.0.1', port: leecher.port });
    const incoming = PeerConnection.connect(socket, { peerId: Buffer.from('-XX0001-idlepeer0000') }, metainfo.infoHash, metainfo);
    idle.push(incoming);
    await within(10_000, once(incoming, 'ready'), 'the idle peer connected');
    const server = net.createServer((s) => {
      const c = new PeerConnection(s, { peerId: Buffer.from('-XX0001-idlepeer0001') });
      c.on('handshake', () => c.accept(metainfo.infoHash, metainfo));
      idle.push(c);
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    t.addPeer('127.0.0.1', (server.address() as net.AddressInfo).port);
    await until(() => t.summary().peers >= 2, 10_000, 'both idle peers connected');
    // A third that dials in finds the incoming share (80 % of 2 slots: 1) taken by a peer that has done
    // nothing useful since it connected: the newcomer takes its place.
    const third = PeerConnection.connect(net.connect({ host: '127.0.0.1', port: leecher.port }), { peerId: Buffer.from('-XX0001-idlepeer0002') }, metainfo.infoHash, metainfo);
    idle.push(third);
    const [gaveWay, letIn] = [once(incoming, 'close'), once(third, 'ready')];
    await within(10_000, gaveWay, 'the first idle peer gave way to the newcomer');
    await within(10_000, letIn, 'the newcomer was let in');
    await until(() => t.summary().peers === 2, 10_000, 'two peers again');
    // Dialling out does not push anyone out in the grace period.
    t.addPeer('127.0.0.1', seeder.port);
    assert.equal(t.summary().peers, 2, 'no room to dial the seeder yet');
    // Only Date is faked: the idle peers' grace period passes while real timers keep running.
    clock = sinon.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'], shouldAdvanceTime: true });
    await completed(t);
    assert.ok(idle.some((c) => c.closed), 'an idle peer was dropped');
  });
});
