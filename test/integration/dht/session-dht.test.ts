/**
 * Sessions with the DHT on: a magnet link with no tracker and no peer address, seeded by one session,
 * downloads in another through a loopback DHT alone; the port message feeds each side's table; a
 * private torrent never reaches the DHT.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Dht } from '../../../daemon/src/dht/dht';
import { buildMagnet, parseMagnet } from '../../../daemon/src/metainfo';
import type { Torrent } from '../../../daemon/src/session';
import { within, until } from '../../support/deadline';
import { checked, completed, Fixture, makeTorrent, sameFiles } from '../session/helpers';

process.env.BTD_LOOPBACK_ONLY = '1';
const DEADLINE = 30_000;
const NODES = 10;

describe('sessions on a loopback DHT', () => {
  const fx = new Fixture();
  const nodes: Dht[] = [];

  before(async () => {
    for (let i = 0; i < NODES; i++) {
      const d = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: i === 0 ? [] : [`127.0.0.1:${nodes[i - 1].port}`] });
      await within(10_000, d.bootstrapped, 'bootstrap');
      nodes.push(d);
    }
  });

  after(async () => {
    await fx.dispose();
    await Promise.all(nodes.map((d) => d.close()));
  });

  test('a magnet link with no tracker and no x.pe downloads through the DHT alone', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const { metainfo, contents } = await makeTorrent(seedDir, 'dht-film', { 'a.bin': 300_000, 'b/c.bin': 70_001 });
    const seeder = await fx.session(seedDir, { dht: true, dhtBootstrap: [`127.0.0.1:${nodes[0].port}`] });
    const leecher = await fx.session(leechDir, { dht: true, dhtBootstrap: [`127.0.0.1:${nodes[NODES - 1].port}`] });
    await checked(await seeder.addTorrent(metainfo));
    const magnet = parseMagnet(buildMagnet({ infoHash: metainfo.infoHash, name: 'dht-film' }));
    assert.deepEqual([magnet.trackers, magnet.peers], [[], []]);
    leecher.addMagnet(magnet);
    const [t] = (await within(DEADLINE, once(leecher, 'metadata'), 'the metadata never came')) as [Torrent];
    await within(DEADLINE, completed(t), 'the download did not complete');
    assert.ok(await sameFiles(leechDir, 'dht-film', contents));
    const stats = leecher.dhtStats();
    assert.ok(stats && stats.nodes > 0 && stats.torrents === 1, JSON.stringify(stats));
    assert.equal(leecher.stats().dhtNodes, stats.nodes);
  });

  test('peers that share the DHT bit exchange port messages and enter each other\'s tables', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const { metainfo } = await makeTorrent(seedDir, 'ports', { 'p.bin': 50_000 });
    const seeder = await fx.session(seedDir, { dht: true, dhtBootstrap: [] });
    const leecher = await fx.session(leechDir, { dht: true, dhtBootstrap: [] });
    await checked(await seeder.addTorrent(metainfo));
    const t = await leecher.addTorrent(metainfo);
    t.addPeer('127.0.0.1', seeder.port);
    await within(DEADLINE, until(() => seeder.dhtStats()?.nodes === 1 && leecher.dhtStats()?.nodes === 1, DEADLINE, 'port messages'), 'tables');
  });

  test('the DHT is off unless asked (Session.start), and can be turned on and off live', async () => {
    const session = await fx.session(await fx.dir());
    assert.equal(session.dhtStats(), undefined);
    assert.equal(session.stats().dhtNodes, undefined);
    await session.setOptions({ dht: true, dhtBootstrap: [`127.0.0.1:${nodes[2].port}`] });
    await within(DEADLINE, until(() => (session.dhtStats()?.nodes ?? 0) > 0, DEADLINE, 'the DHT joined'), 'joined');
    await session.setOptions({ dht: false });
    assert.equal(session.dhtStats(), undefined);
  });

  test('a private torrent is never looked up or announced on the DHT, and its peers exchange no port message', async () => {
    const dir = await fx.dir();
    const leechDir = await fx.dir();
    const { metainfo } = await makeTorrent(dir, 'secret', { 's.bin': 100_000 });
    const secret = { ...metainfo, private: true };
    const session = await fx.session(dir, { dht: true, dhtBootstrap: [] });
    await checked(await session.addTorrent(secret));
    assert.equal(session.dhtStats()?.torrents, 0);
    const leecher = await fx.session(leechDir, { dht: true, dhtBootstrap: [] });
    const t = await leecher.addTorrent(secret);
    t.addPeer('127.0.0.1', session.port);
    await within(DEADLINE, completed(t), 'the private download');
    assert.deepEqual([session.dhtStats()?.nodes, leecher.dhtStats()?.nodes, leecher.dhtStats()?.torrents], [0, 0, 0]);
  });
});
