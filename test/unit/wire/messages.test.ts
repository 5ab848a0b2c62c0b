import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as m from '../../../daemon/src/wire/messages';
import { WireError } from '../../../daemon/src/wire/errors';
import { decodeHandshake, encodeHandshake } from '../../../daemon/src/wire/handshake';

/** Strips the length prefix, checking it. */
function body(frame: Buffer): Uint8Array {
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  return frame.subarray(4);
}

describe('messages', () => {
  test('simple messages round-trip', () => {
    assert.deepEqual(m.decodeMessage(body(m.encodeKeepAlive())), { type: 'keep-alive' });
    assert.deepEqual(m.decodeMessage(body(m.encodeChoke())), { type: 'choke' });
    assert.deepEqual(m.decodeMessage(body(m.encodeUnchoke())), { type: 'unchoke' });
    assert.deepEqual(m.decodeMessage(body(m.encodeInterested())), { type: 'interested' });
    assert.deepEqual(m.decodeMessage(body(m.encodeNotInterested())), { type: 'not-interested' });
    assert.deepEqual(m.decodeMessage(body(m.encodePort(6881))), { type: 'port', port: 6881 });
  });

  test('numeric messages round-trip over the whole u32 range', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(u32, u32, u32, (index, begin, length) => {
        assert.deepEqual(m.decodeMessage(body(m.encodeHave(index))), { type: 'have', index });
        assert.deepEqual(m.decodeMessage(body(m.encodeRequest(index, begin, length))), { type: 'request', index, begin, length });
        assert.deepEqual(m.decodeMessage(body(m.encodeCancel(index, begin, length))), { type: 'cancel', index, begin, length });
      }),
    );
  });

  test('piece and bitfield carry their bytes', () => {
    const data = Buffer.from('hello block');
    const piece = m.decodeMessage(body(m.encodePiece(3, 16384, data)));
    assert.equal(piece.type, 'piece');
    if (piece.type === 'piece') {
      assert.equal(piece.index, 3);
      assert.equal(piece.begin, 16384);
      assert.deepEqual(Buffer.from(piece.data), data);
    }
    const bf = m.decodeMessage(body(m.encodeBitfield(new Uint8Array([0xf0, 0x80]))));
    assert.deepEqual(bf.type === 'bitfield' && [...bf.bytes], [0xf0, 0x80]);
  });

  test('wrong payload sizes are WireError bad-message', () => {
    const bad = [[0, 1], [1, 0, 0], [4, 0, 0, 0], [6, ...new Array(11).fill(0)], [7, 0, 0, 0, 0, 0, 0, 0], [9, 1]];
    for (const b of bad) {
      assert.throws(
        () => m.decodeMessage(Uint8Array.from(b)),
        (e: unknown) => e instanceof WireError && e.code === 'bad-message',
        `body ${b}`,
      );
    }
  });

  test('unknown ids are returned, not rejected', () => {
    assert.deepEqual(m.decodeMessage(Uint8Array.from([21, 1, 2])), { type: 'unknown', id: 21, payload: Uint8Array.from([1, 2]) });
    assert.deepEqual(m.decodeMessage(Uint8Array.from([12])), { type: 'unknown', id: 12, payload: new Uint8Array(0) });
  });
});

describe('handshake', () => {
  test('round-trips and keeps the reserved bytes', () => {
    const h = { reserved: Uint8Array.from([0, 0, 0, 0, 0, 0x10, 0, 1]), infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2) };
    const enc = encodeHandshake(h);
    assert.equal(enc.length, 68);
    assert.deepEqual(decodeHandshake(enc), h);
  });

  test('rejects another protocol', () => {
    const enc = encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(20), peerId: new Uint8Array(20) });
    enc[5] ^= 1;
    assert.throws(() => decodeHandshake(enc), (e: unknown) => e instanceof WireError && e.code === 'bad-handshake');
  });
});
