import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PexExchange, PEX_INTERVAL_MS, pexWorthy } from '../../../daemon/src/session/pex';
import { swarmExtensions } from '../../../daemon/src/session/swarm-extensions';
import type { Peer } from '../../../daemon/src/session/peer';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { decodePex, encodePex, PexFlag } from '../../../daemon/src/wire/ut-pex';

/** A peer that records the ut_pex messages we send it. */
function fakePeer(ip: string, port: number, opts: { incoming?: boolean; listenPort?: number; seed?: boolean; pex?: boolean; downloaded?: number; uploaded?: number } = {}) {
  const sent: Uint8Array[] = [];
  const conn = {
    closed: false,
    downloadedBytes: opts.downloaded ?? 1,
    uploadedBytes: opts.uploaded ?? 0,
    direction: opts.incoming ? 'incoming' : 'outgoing',
    peerPieces: { complete: opts.seed ?? false },
    ext: {
      peer: { m: opts.pex === false ? {} : { ut_pex: 7 }, ...(opts.listenPort ? { p: opts.listenPort } : {}) },
      supports: (name: string) => name === 'ut_pex' && opts.pex !== false,
      send: (_name: string, payload: Uint8Array) => sent.push(payload) > 0,
    },
  };
  return { peer: { conn, ip, port, key: `${ip}:${port}` } as unknown as Peer, sent };
}

describe('peer exchange', () => {
  test('each peer hears of the others at once, then at most once a minute, with listening ports and flags', () => {
    const pex = new PexExchange(() => undefined);
    const a = fakePeer('127.0.0.2', 6001);
    const b = fakePeer('127.0.0.3', 50_000, { incoming: true, listenPort: 6002, seed: true });
    const c = fakePeer('127.0.0.4', 50_001, { incoming: true }); // no listening port known: not listed
    const peers = new Map([a, b, c].map((x) => [x.peer.key, x.peer]));
    for (const x of [a, b, c]) pex.peerReady(x.peer);
    pex.tick(1000, peers);
    assert.equal(a.sent.length, 1);
    const toA = decodePex(a.sent[0]);
    assert.deepEqual(toA.added, [{ ip: '127.0.0.3', port: 6002, flags: PexFlag.seed }]);
    const toB = decodePex(b.sent[0]);
    assert.deepEqual(toB.added, [{ ip: '127.0.0.2', port: 6001, flags: PexFlag.reachable }]);
    pex.tick(1000 + PEX_INTERVAL_MS - 1, peers);
    assert.equal(a.sent.length, 1, 'not again within a minute');
    peers.delete(b.peer.key);
    pex.tick(1000 + PEX_INTERVAL_MS, peers);
    assert.deepEqual(decodePex(a.sent[1]).dropped, [{ ip: '127.0.0.3', port: 6002 }]);
  });

  test('addresses a peer names are learned, never the peer itself; a peer without ut_pex gets nothing', () => {
    const learned: string[] = [];
    const pex = new PexExchange((ip, port) => learned.push(`${ip}:${port}`));
    const a = fakePeer('127.0.0.2', 6001);
    const quiet = fakePeer('127.0.0.9', 6009, { pex: false });
    pex.peerReady(quiet.peer);
    pex.message(a.peer, encodePex({ added: [{ ip: '127.0.0.2', port: 6001, flags: 0 }, { ip: '127.0.0.5', port: 7000, flags: PexFlag.seed }], dropped: [] }));
    assert.deepEqual(learned, ['127.0.0.5:7000']);
    pex.tick(0, new Map([[a.peer.key, a.peer], [quiet.peer.key, quiet.peer]]));
    assert.equal(quiet.sent.length, 0);
  });

  test('a private torrent offers no PEX (BEP 27); every torrent serves its metadata', () => {
    const m = (priv: boolean) => ({ private: priv, infoBytes: new Uint8Array(100) }) as unknown as Metainfo;
    assert.deepEqual(swarmExtensions(m(false), () => undefined).map((e) => e.name), ['ut_metadata', 'ut_pex']);
    assert.deepEqual(swarmExtensions(m(true), () => undefined).map((e) => e.name), ['ut_metadata']);
  });

  test('a peer we had no payload exchange with (a fake seeder, an idle connection) is not passed on', () => {
    const pex = new PexExchange(() => undefined);
    const a = fakePeer('127.0.0.2', 6001);
    const fake = fakePeer('127.0.0.5', 6005, { seed: true, downloaded: 0 });
    const served = fakePeer('127.0.0.6', 6006, { downloaded: 0, uploaded: 16384 });
    assert.equal(pexWorthy(fake.peer), false);
    assert.equal(pexWorthy(served.peer), true);
    const peers = new Map([a, fake, served].map((x) => [x.peer.key, x.peer]));
    for (const x of [a, fake, served]) pex.peerReady(x.peer);
    pex.tick(1000, peers);
    assert.deepEqual(decodePex(a.sent[0]).added.map((p) => p.port), [6006]);
    // Once it sends us payload it is passed on with the next message.
    (fake.peer.conn as unknown as { downloadedBytes: number }).downloadedBytes = 16384;
    pex.tick(1000 + PEX_INTERVAL_MS, peers);
    assert.deepEqual(decodePex(a.sent[1]).added.map((p) => p.port), [6005]);
  });
});
