import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { parseMagnet, buildMagnet } from '../../../daemon/src/metainfo';
import type { Torrent } from '../../../daemon/src/session';
import { within } from '../../support/deadline';
import { checked, completed, Fixture, makeTorrent, sameFiles } from './helpers';
import { HostileMetadataPeer } from './hostile-metadata-peer';

const DEADLINE = 30_000;

describe('magnet links (BEP 9)', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('a magnet with only x.pe downloads from a seeder that serves its metadata', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const { metainfo, contents } = await makeTorrent(seedDir, 'film', { 'a.bin': 300_000, 'sub/b.bin': 123_457 });
    const seeder = await fx.session(seedDir);
    const leecher = await fx.session(leechDir);
    await checked(await seeder.addTorrent(metainfo));
    const magnet = parseMagnet(`${buildMagnet({ infoHash: metainfo.infoHash, name: 'film' })}&x.pe=127.0.0.1:${seeder.port}`);
    const pending = leecher.addMagnet(magnet);
    assert.equal(pending.summary().metadataPending, true);
    assert.equal(pending.summary().name, 'film');
    const [t, bytes] = (await within(DEADLINE, once(leecher, 'metadata'), 'the metadata never came')) as [Torrent, Uint8Array];
    assert.equal(t.infoHashHex, metainfo.infoHashHex);
    assert.deepEqual(Buffer.from(t.metainfo.infoBytes), Buffer.from(metainfo.infoBytes), 'the info dictionary byte for byte');
    assert.ok(Buffer.from(bytes).includes(Buffer.from(metainfo.infoBytes)));
    assert.equal(leecher.get(metainfo.infoHashHex), t, 'the torrent took the magnet entry');
    await within(DEADLINE, completed(t), 'the download did not complete');
    assert.ok(await sameFiles(leechDir, 'film', contents));
    assert.deepEqual(t.summary().peersMet, { magnet: 1 }, 'the connection that brought the metadata went on to bring the data');
  });

  test('a metadata size over the limit and metadata that does not hash are refused; the honest peer wins', async () => {
    const seedDir = await fx.dir();
    const leechDir = await fx.dir();
    const { metainfo, contents } = await makeTorrent(seedDir, 'doc', { 'doc.bin': 200_000 });
    const seeder = await fx.session(seedDir);
    await checked(await seeder.addTorrent(metainfo));
    const huge = await HostileMetadataPeer.start(metainfo.infoHash, { metadataSize: 4 * 1024 ** 3 });
    const liar = await HostileMetadataPeer.start(metainfo.infoHash, { metadataSize: metainfo.infoBytes.length, lie: true });
    const leecher = await fx.session(leechDir);
    const before = process.memoryUsage().rss;
    const uri = `${buildMagnet({ infoHash: metainfo.infoHash })}&x.pe=127.0.0.1:${huge.port}&x.pe=127.0.0.1:${liar.port}`;
    const pending = leecher.addMagnet(parseMagnet(uri));
    await within(DEADLINE, liar.served, 'the lying peer was never asked');
    pending.addPeer('127.0.0.1', seeder.port);
    const [t] = (await within(DEADLINE, once(leecher, 'metadata'), 'the metadata never came')) as [Torrent];
    await within(DEADLINE, completed(t), 'the download did not complete');
    assert.ok(await sameFiles(leechDir, 'doc', contents));
    assert.equal(huge.requests, 0, 'nothing asked of a peer offering 4 GiB of metadata');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays flat');
    await within(DEADLINE, Promise.all([huge.close(), liar.close()]), 'the hostile peers did not close');
  });
});
