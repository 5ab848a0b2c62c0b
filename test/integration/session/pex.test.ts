import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../../daemon/src/session';
import type { PeerChange } from '../../../daemon/src/session/types';
import { until, within } from '../../support/deadline';
import { checked, completed, Fixture, makeTorrent, sameFiles } from './helpers';
import { fakeSeeder } from './fake-peer';

const DEADLINE = 60_000;

/** Bytes `session` received from peers other than the one at `except`, as its peer snapshots report them. */
function bytesFromOthers(session: Session, except: string): () => number {
  const most = new Map<string, number>();
  session.on('peer', (_t: unknown, c: PeerChange) => {
    if (c.peer.id !== except) most.set(c.peer.id, Math.max(most.get(c.peer.id) ?? 0, c.peer.downloaded));
  });
  return () => [...most.values()].reduce((a, b) => a + b, 0);
}

describe('peer exchange (BEP 11)', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('two leechers that only know the seeder find each other through its PEX and trade pieces', async () => {
    const seedDir = await fx.dir();
    const { metainfo, contents } = await makeTorrent(seedDir, 'course', { 'v.bin': 3 * 1024 * 1024 }, 65536);
    // The seeder's upload is slow, so the leechers must get much of the data from each other.
    const a = await fx.session(seedDir, { uploadRateLimit: 512 * 1024 });
    await checked(await a.addTorrent(metainfo));
    const seederId = `127.0.0.1:${a.port}`;
    const [dirB, dirC] = [await fx.dir(), await fx.dir()];
    const [b, c] = [await fx.session(dirB), await fx.session(dirC)];
    const fromOthersB = bytesFromOthers(b, seederId);
    const fromOthersC = bytesFromOthers(c, seederId);
    const tb = await b.addTorrent(metainfo);
    const tc = await c.addTorrent(metainfo);
    await Promise.all([checked(tb), checked(tc)]);
    tb.addPeer('127.0.0.1', a.port);
    tc.addPeer('127.0.0.1', a.port);
    await within(DEADLINE, Promise.all([completed(tb), completed(tc)]), 'the leechers did not complete');
    assert.ok(await sameFiles(dirB, 'course', contents));
    assert.ok(await sameFiles(dirC, 'course', contents));
    const viaPex = (tb.summary().peersMet?.pex ?? 0) + (tc.summary().peersMet?.pex ?? 0);
    assert.ok(viaPex >= 1, `no connection came from PEX: ${JSON.stringify([tb.summary().peersMet, tc.summary().peersMet])}`);
    assert.ok(fromOthersB() + fromOthersC() > 0, `the leechers traded nothing (B got ${fromOthersB()}, C got ${fromOthersC()} bytes from each other)`);
  });

  test('fake seeders that never unchoke are not passed on: a leecher that learns peers by PEX never dials them', async () => {
    const seedDir = await fx.dir();
    const { metainfo, contents } = await makeTorrent(seedDir, 'fakes', { 'f.bin': 2 * 1024 * 1024 }, 65536);
    // A slow seeder keeps B downloading (and its fake seeders connected) while C joins.
    const a = await fx.session(seedDir, { uploadRateLimit: 256 * 1024 });
    await checked(await a.addTorrent(metainfo));
    const fakes = await Promise.all(Array.from({ length: 5 }, (_, i) => fakeSeeder(metainfo, i)));
    try {
      const [dirB, dirC] = [await fx.dir(), await fx.dir()];
      const [b, c] = [await fx.session(dirB), await fx.session(dirC)];
      const tb = await b.addTorrent(metainfo);
      await checked(tb);
      for (const f of fakes) tb.addPeer('127.0.0.1', f.port);
      tb.addPeer('127.0.0.1', a.port);
      await until(() => tb.summary().downloaded > 0 && fakes.every((f) => f.connections() > 0), DEADLINE, 'B never got data from the seeder or never dialled the fake seeders');
      const tc = await c.addTorrent(metainfo);
      await checked(tc);
      tc.addPeer('127.0.0.1', b.port);
      await until(() => (tc.summary().peersMet?.pex ?? 0) >= 1, DEADLINE, 'C learnt nobody by PEX from B');
      await within(DEADLINE, Promise.all([completed(tb), completed(tc)]), 'the leechers did not complete');
      assert.ok(await sameFiles(dirC, 'fakes', contents));
      assert.deepEqual(fakes.map((f) => f.connections()), [1, 1, 1, 1, 1], 'only B, which was told of them, dialled the fake seeders');
    } finally {
      await Promise.all(fakes.map((f) => f.close()));
    }
  });
});

