import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import sinon from 'sinon';
import { PeerConnection, type PieceShape } from '../../../daemon/src/wire/connection';
import { WireError } from '../../../daemon/src/wire/errors';
import { encodeHandshake, type ReservedFeature } from '../../../daemon/src/wire/handshake';
import * as m from '../../../daemon/src/wire/messages';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { duplexPair } from './pair';

const infoHash = new Uint8Array(20).fill(0xab);
const geometry: PieceShape = { pieceCount: 10, pieceLength: 32768, totalLength: 9 * 32768 + 1000 };
const idA = Buffer.from('-BT0100-aaaaaaaaaaaa');
const idB = Buffer.from('-TR3000-bbbbbbbbbbbb');

/** An accepted pair: `a` dialled `b`. */
async function connectedPair(featuresB?: ReservedFeature[]): Promise<[PeerConnection, PeerConnection]> {
  const [sa, sb] = duplexPair();
  const b = new PeerConnection(sb, { peerId: idB, ...(featuresB && { features: featuresB }) });
  b.on('handshake', () => b.accept(infoHash, geometry));
  const a = PeerConnection.connect(sa, { peerId: idA }, infoHash, geometry);
  await Promise.all([once(a, 'ready'), once(b, 'ready')]);
  return [a, b];
}

/** A connection `c` whose far end `raw` we drive byte by byte. */
async function rawPeer(): Promise<{ c: PeerConnection; raw: Duplex; closed: Promise<Error | undefined> }> {
  const [sa, raw] = duplexPair();
  const c = PeerConnection.connect(sa, { peerId: idA }, infoHash, geometry);
  const closed = once(c, 'close').then(([reason]) => reason as Error | undefined);
  raw.write(encodeHandshake({ reserved: new Uint8Array(8), infoHash, peerId: idB }));
  await once(c, 'ready');
  return { c, raw, closed };
}

async function closesWith(bytes: Buffer, code: string): Promise<void> {
  const { raw, closed } = await rawPeer();
  raw.write(bytes);
  const reason = await closed;
  assert.ok(reason instanceof WireError, `expected WireError, got ${reason}`);
  assert.equal(reason.code, code);
}

describe('PeerConnection', () => {
  test('handshakes both ways and exposes the remote peer id', async () => {
    const [a, b] = await connectedPair();
    assert.deepEqual(Buffer.from(a.remote?.peerId ?? []), idB);
    assert.deepEqual(Buffer.from(b.remote?.peerId ?? []), idA);
    assert.equal(a.direction, 'outgoing');
    assert.equal(b.direction, 'incoming');
    a.destroy();
    await once(b, 'close');
  });

  test('an incoming handshake nobody accepts closes the connection', async () => {
    const [sa, sb] = duplexPair();
    const b = new PeerConnection(sb, { peerId: idB });
    PeerConnection.connect(sa, { peerId: idA }, infoHash, geometry);
    const [reason] = await once(b, 'close');
    assert.equal((reason as WireError).code, 'bad-handshake');
  });

  test('an outgoing connection answered with another info hash closes', async () => {
    const [sa, raw] = duplexPair();
    const c = PeerConnection.connect(sa, { peerId: idA }, infoHash, geometry);
    raw.write(encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(20), peerId: idB }));
    const [reason] = await once(c, 'close');
    assert.equal((reason as WireError).code, 'bad-handshake');
  });

  test('choke and interest state travel both ways', async () => {
    const [a, b] = await connectedPair();
    assert.equal(b.peerInterested, false);
    a.interested();
    await once(b, 'interested');
    assert.equal(b.peerInterested, true);
    b.unchoke();
    await once(a, 'unchoke');
    assert.equal(a.peerChoking, false);
    assert.equal(b.amChoking, false);
    b.choke();
    await once(a, 'choke');
    a.notInterested();
    await once(b, 'not-interested');
    assert.equal(b.peerInterested, false);
    a.destroy();
  });

  test('bitfield and have update what the peer has', async () => {
    const [a, b] = await connectedPair();
    b.bitfield(Bitfield.fromString('*.*.......'));
    await once(a, 'bitfield');
    b.have(9);
    await once(a, 'have');
    assert.equal(a.peerPieces.toString(), '*.*......*');
    a.destroy();
  });

  test('a requested block is delivered once; unrequested and cancelled ones are dropped', async () => {
    const [a, b] = await connectedPair();
    const got: [number, number, number][] = [];
    a.on('piece', (i, begin, data) => got.push([i, begin, data.length]));
    b.on('request', (i, begin, len) => b.piece(i, begin, new Uint8Array(len)));
    a.request(9, 0, 1000);
    a.request(1, 16384, 16384);
    a.request(2, 0, 16384);
    a.cancel(2, 0, 16384);
    b.piece(3, 0, new Uint8Array(100)); // never asked
    await once(b, 'cancel');
    a.keepAlive();
    b.keepAlive();
    await new Promise<void>((resolve) => {
      const check = (): void => void (got.length >= 2 && a.outstandingRequests === 0 && resolve());
      a.on('piece', check);
      check();
    });
    // The cancelled request was answered before the cancel arrived; it must not surface.
    assert.deepEqual(got, [
      [9, 0, 1000],
      [1, 16384, 16384],
    ]);
    assert.equal(a.downloadedBytes, 17384);
    a.destroy();
  });

  test('a choke discards outstanding requests (no fast extension)', async () => {
    const [a, b] = await connectedPair(['extension']);
    b.unchoke();
    await once(a, 'unchoke');
    a.request(0, 0, 16384);
    b.choke();
    await once(a, 'choke');
    assert.equal(a.outstandingRequests, 0);
    a.destroy();
  });

  test('bitfield with spare bits set closes', () => closesWith(m.encodeBitfield(Uint8Array.from([0, 0x01])), 'bad-message'));
  test('bitfield of the wrong length closes', () => closesWith(m.encodeBitfield(Uint8Array.from([0])), 'bad-message'));
  test('a later bitfield (aria2 sends one) replaces what the peer has', async () => {
    const { c, raw } = await rawPeer();
    const got = once(c, 'bitfield'); // the in-memory pair may deliver synchronously
    raw.write(Buffer.concat([m.encodeHave(1), m.encodeUnchoke(), m.encodeBitfield(Uint8Array.from([0x80, 0x40]))]));
    const [field, previous] = await got;
    assert.equal((previous as Bitfield).toString(), '.*........');
    assert.equal((field as Bitfield).toString(), '*........*');
    assert.equal(c.peerPieces, field);
    c.destroy();
  });
  test('have out of range closes', () => closesWith(m.encodeHave(10), 'bad-message'));
  test('request above 128 KiB closes', () => closesWith(m.encodeRequest(0, 0, 128 * 1024 + 1), 'bad-message'));
  test('request beyond the last piece closes', () => closesWith(m.encodeRequest(9, 0, 1001), 'bad-message'));
  test('a zero-length request closes', () => closesWith(m.encodeRequest(0, 0, 0), 'bad-message'));
  test('a piece larger than a block closes', () => closesWith(m.encodePiece(0, 0, new Uint8Array(16385)), 'bad-message'));
  test('a frame over the largest extension message closes', () => closesWith(m.encodeExtended(1, new Uint8Array(70_000)), 'frame-too-large'));
  test('a 4 GiB length prefix closes', () => closesWith(Buffer.from([0xff, 0xff, 0xff, 0xff, 7]), 'frame-too-large'));

  test('requests up to 128 KiB inside the piece are passed on', async () => {
    const big: PieceShape = { pieceCount: 2, pieceLength: 262144, totalLength: 524288 };
    const [sa, raw] = duplexPair();
    const c = PeerConnection.connect(sa, { peerId: idA }, infoHash, big);
    raw.write(encodeHandshake({ reserved: new Uint8Array(8), infoHash, peerId: idB }));
    raw.write(m.encodeRequest(1, 131072, 131072));
    const [index, begin, length] = await once(c, 'request');
    assert.deepEqual([index, begin, length], [1, 131072, 131072]);
    c.destroy();
  });
  test('piece calls `sent` once the socket is done with the block, and at once when closed', async () => {
    const [a, b] = await connectedPair();
    let sent = 0;
    const delivered = once(a, 'piece');
    const released = new Promise<void>((resolve) => {
      b.on('request', (i, begin, len) => b.piece(i, begin, new Uint8Array(len), () => (sent++, resolve())));
    });
    a.request(1, 0, 16384);
    await Promise.all([delivered, released]);
    assert.equal(sent, 1);
    b.destroy();
    b.piece(1, 0, new Uint8Array(10), () => sent++);
    assert.equal(sent, 2, 'a closed connection sends nothing and releases the block');
    a.destroy();
  });
});

describe('PeerConnection timers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => clock.restore());

  test('closes when the handshake does not come in time', () => {
    const [sa] = duplexPair();
    const c = PeerConnection.connect(sa, { peerId: idA, handshakeTimeoutMs: 5000 }, infoHash, geometry);
    let reason: Error | undefined;
    c.on('close', (r) => (reason = r));
    clock.tick(4999);
    assert.equal(c.closed, false);
    clock.tick(1);
    assert.equal((reason as WireError).code, 'timeout');
  });

  test('sends keep-alives and closes a silent peer', async () => {
    const { c, raw } = await rawPeer();
    const received: Buffer[] = [];
    raw.on('data', (d: Buffer) => received.push(d));
    clock.tick(90_000);
    await new Promise((r) => process.nextTick(r));
    assert.ok(received.some((d) => d.equals(m.encodeKeepAlive())), 'keep-alive sent');
    assert.equal(c.closed, false);
    clock.tick(90_000);
    assert.equal(c.closed, true);
  });
});
