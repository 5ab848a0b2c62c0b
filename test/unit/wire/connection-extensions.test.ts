import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PeerConnection, type PieceShape } from '../../../daemon/src/wire/connection';
import { encodeHandshake, makeReserved } from '../../../daemon/src/wire/handshake';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import * as msg from '../../../daemon/src/wire/messages';
import { duplexPair } from './pair';

const infoHash = new Uint8Array(20).fill(0xcd);
const geometry: PieceShape = { pieceCount: 10, pieceLength: 32768, totalLength: 10 * 32768 };
const idA = Buffer.from('-BT0100-aaaaaaaaaaaa');
const idB = Buffer.from('-LT2080-bbbbbbbbbbbb');

async function pair(featuresB?: ('extension' | 'fast' | 'dht')[], geometryA: PieceShape | 'none' = geometry): Promise<[PeerConnection, PeerConnection]> {
  const [sa, sb] = duplexPair();
  const b = new PeerConnection(sb, { peerId: idB, ...(featuresB ? { features: featuresB } : {}) });
  b.on('handshake', () => b.accept(infoHash, geometry));
  const a = PeerConnection.connect(sa, { peerId: idA }, infoHash, geometryA === 'none' ? undefined : geometryA);
  await Promise.all([once(a, 'ready'), once(b, 'ready')]);
  return [a, b];
}

describe('PeerConnection extensions', () => {
  test('both ends offer the extension protocol and the fast extension by default', async () => {
    const [a, b] = await pair();
    assert.ok(a.fast && b.fast && a.ext.enabled && b.ext.enabled);
    const [h] = await Promise.all([once(b, 'extended-handshake'), a.ext.sendHandshake({ m: { ut_metadata: 1, ut_pex: 2 }, v: 'btd 0.1.0', reqq: 1024, p: 6881 })]);
    assert.deepEqual(h[0], b.ext.peer);
    assert.equal(b.ext.peer?.v, 'btd 0.1.0');
    assert.ok(b.ext.supports('ut_pex') && !a.ext.supports('ut_pex'));
    // A message goes out under the id the receiver gave; it arrives by our own name for it.
    const got = once(a, 'extended');
    b.ext.sendHandshake({ m: { ut_pex: 9 } });
    await once(a, 'extended-handshake');
    assert.ok(b.ext.send('ut_pex', new Uint8Array([0x64, 0x65])));
    assert.equal(a.ext.send('ut_metadata', new Uint8Array([0x64, 0x65])), false, 'b does not support ut_metadata');
    void got;
    a.destroy();
  });

  test('without the fast bit on one side: no rejects, a choke drops requests, have none is not sent', async () => {
    const [a, b] = await pair(['extension']);
    assert.equal(a.fast, false);
    assert.equal(b.fast, false);
    let frames = 0;
    b.stream.on('data', () => frames++);
    a.reject(0, 0, 16384);
    a.announcePieces(new Bitfield(10));
    await new Promise((r) => setImmediate(r));
    assert.equal(frames, 0);
    a.request(1, 0, 16384);
    b.choke();
    b.unchoke();
    b.choke();
    await once(a, 'choke');
    assert.equal(a.outstandingRequests, 0, 'a choke without the fast extension discards requests');
    a.destroy();
  });

  test('with the fast extension a choke keeps requests outstanding until each is rejected or served', async () => {
    const [a, b] = await pair();
    a.request(1, 0, 16384);
    a.request(1, 16384, 16384);
    b.unchoke();
    b.choke();
    await once(a, 'choke');
    assert.equal(a.outstandingRequests, 2);
    const rejected = once(a, 'reject');
    b.reject(1, 0, 16384);
    assert.deepEqual((await rejected).slice(0, 3), [1, 0, 16384]);
    assert.equal(a.outstandingRequests, 1);
    a.destroy();
  });

  test('a magnet connection (no geometry yet) rejects requests and refuses blocks', async () => {
    const [a, b] = await pair(undefined, 'none');
    assert.equal(a.hasGeometry, false);
    const rejected = once(b, 'reject');
    b.request(2, 0, 16384);
    assert.deepEqual((await rejected).slice(0, 3), [2, 0, 16384]);
    const closed = once(a, 'close');
    b.piece(2, 0, new Uint8Array(16384));
    const [reason] = await closed;
    assert.match(String(reason), /before the torrent is known/);
  });

  test('a magnet connection keeps what the peer announced and goes on as a torrent connection once the metadata is in', async () => {
    const [a, b] = await pair(undefined, 'none');
    a.announcePieces(new Bitfield(10));
    b.bitfield(Bitfield.fromString('1000000001'));
    b.have(4);
    b.unchoke();
    await once(a, 'unchoke');
    assert.equal(a.peerPieces.length, 0);
    a.learnGeometry(geometry);
    assert.ok(a.hasGeometry);
    assert.deepEqual([0, 4, 9].map((i) => a.peerPieces.has(i)), [true, true, true]);
    assert.equal(a.peerPieces.count, 3);
    assert.equal(a.peerChoking, false, 'the choke state carries over');
    // Announced once already (have none): what we have now goes out as haves.
    const had = once(b, 'have');
    a.announcePieces(Bitfield.fromString('0010000000'));
    assert.deepEqual(await had, [2]);
    assert.throws(() => a.learnGeometry(geometry), /already known/);
    const got = once(b, 'request');
    a.interested();
    a.request(0, 0, 16384);
    assert.deepEqual((await got).slice(0, 3), [0, 0, 16384]);
    a.destroy();
  });

  test('a peer whose early announcement does not fit the torrent is refused when the metadata comes', async () => {
    const [a, b] = await pair(undefined, 'none');
    b.have(12);
    b.unchoke();
    await once(a, 'unchoke');
    assert.throws(() => a.learnGeometry(geometry), /have 12 past the last piece 9/);
  });

  test('the reserved bits of the handshake name the features', () => {
    const h = encodeHandshake({ reserved: makeReserved(['extension', 'fast', 'dht']), infoHash, peerId: idA });
    assert.equal(h[20 + 5] & 0x10, 0x10);
    assert.equal(h[20 + 7] & 0x05, 0x05);
    assert.equal(msg.encodeHaveNone().length, 5);
  });
});
