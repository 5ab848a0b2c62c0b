/**
 * Nobody locks a torrent out by holding its connections: 50 peers that only say "interested" and then
 * keep-alives, or 50 fake seeders that claim every piece and never unchoke. Both used to fill the 50
 * slots for good. Now a share of the slots stays for connections we open, and once their grace period
 * is over (or they have sent nothing useful for 10 s) the least useful connections give way to newcomers.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import sinon from 'sinon';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { within } from '../../support/deadline';
import { checked, completed, Fixture, sameFiles, seederAndLeecher } from './helpers';

const HOSTILE = 50;
const DEADLINE = 60_000;

/** Opens `n` connections to `port` for `m`; `onReady` plays the hostile part on each. Resolves with those that got in. */
async function hostile(port: number, m: Metainfo, n: number, onReady: (c: PeerConnection) => void, out: PeerConnection[]): Promise<PeerConnection[]> {
  const conns = Array.from({ length: n }, (_, i) => {
    const c = PeerConnection.connect(net.connect({ host: '127.0.0.1', port }), { peerId: Buffer.from(`-XX0001-${String(i).padStart(12, '0')}`) }, m.infoHash, m);
    out.push(c);
    return c;
  });
  const settled = await Promise.all(conns.map((c) => within(DEADLINE, Promise.race([once(c, 'ready').then(() => true), once(c, 'close').then(() => false)]), 'a hostile connection hung')));
  const inside = conns.filter((c, i) => settled[i] && !c.closed);
  for (const c of inside) onReady(c);
  return inside;
}

describe('lock-out by idle or fake peers', () => {
  const fx = new Fixture();
  const conns: PeerConnection[] = [];
  let clock: sinon.SinonFakeTimers | undefined;
  after(async () => {
    clock?.restore();
    for (const c of conns) c.destroy();
    await fx.dispose();
  });

  test('50 idle "interested" peers on a seeder: an honest leecher still gets in and completes', async () => {
    const { metainfo, contents, leechDir, seeder, leecher } = await seederAndLeecher(fx, 'lockout-seed', { 's.bin': 400_000 });
    const inside = await hostile(seeder.port, metainfo, HOSTILE, (c) => c.interested(), conns);
    assert.ok(inside.length < HOSTILE, `all ${HOSTILE} got in: no slot kept for outgoing connections`);
    // Their grace period passes (only Date is faked; real timers keep the sockets going).
    clock = sinon.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'], shouldAdvanceTime: true });
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    await within(DEADLINE, completed(t), 'the honest leecher never got a slot');
    assert.ok(await sameFiles(leechDir, 'lockout-seed', contents));
    assert.ok(conns.some((c) => c.closed), 'an idle peer gave way');
    clock.restore();
    clock = undefined;
  });

  test('idle peers give way after 10 s of nothing useful, well before the 30 s grace period', async () => {
    const { metainfo, contents, leechDir, seeder, leecher } = await seederAndLeecher(fx, 'lockout-idle', { 'i.bin': 400_000 });
    const inside = await hostile(seeder.port, metainfo, HOSTILE, (c) => c.interested(), conns);
    assert.ok(inside.length > 0, 'no idle peer got in');
    clock = sinon.useFakeTimers({ now: Date.now() + 11_000, toFake: ['Date'], shouldAdvanceTime: true });
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', seeder.port);
    // Well before the first redial of a refused address (15 s), so the first dial must get in.
    await within(10_000, completed(t), 'the honest leecher was not let in at once');
    assert.ok(await sameFiles(leechDir, 'lockout-idle', contents));
    assert.ok(inside.some((c) => c.closed), 'an idle peer gave way');
    clock.restore();
    clock = undefined;
  });

  test('50 fake seeders that never unchoke: the leecher still reaches the real seeder and completes', async () => {
    const { metainfo, contents, leechDir, seeder, leecher } = await seederAndLeecher(fx, 'lockout-leech', { 'l.bin': 400_000 });
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    const fakes = await hostile(leecher.port, metainfo, HOSTILE, (c) => c.bitfield(Bitfield.full(metainfo.pieceCount)), conns);
    assert.ok(fakes.length < HOSTILE, 'the fake seeders took every slot');
    t.addPeer('127.0.0.1', seeder.port);
    await within(DEADLINE, completed(t), 'the download starved behind fake seeders');
    assert.ok(await sameFiles(leechDir, 'lockout-leech', contents));
  });
});
