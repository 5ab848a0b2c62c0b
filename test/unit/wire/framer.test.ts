import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Framer } from '../../../daemon/src/wire/framer';
import { WireError } from '../../../daemon/src/wire/errors';
import * as M from '../../../daemon/src/wire/messages';
import { decodeMessage } from '../../../daemon/src/wire/messages';
import { HANDSHAKE_LENGTH, decodeHandshake, encodeHandshake } from '../../../daemon/src/wire/handshake';

function collect(maxFrame: number, expectHandshake = false) {
  const frames: Buffer[] = [];
  const handshakes: Buffer[] = [];
  const framer = new Framer(
    { handshake: (b) => handshakes.push(Buffer.from(b)), frame: (b) => frames.push(Buffer.from(b)) },
    maxFrame,
    expectHandshake,
  );
  return { framer, frames, handshakes };
}

function frame(body: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

describe('Framer', () => {
  test('hands out the handshake, then frames, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (bodies, cuts) => {
          const hs = Buffer.alloc(HANDSHAKE_LENGTH, 7);
          const all = Buffer.concat([hs, ...bodies.map(frame)]);
          const { framer, frames, handshakes } = collect(300, true);
          let pos = 0;
          for (let i = 0; pos < all.length; i++) {
            const n = cuts[i % cuts.length];
            framer.push(all.subarray(pos, pos + n));
            pos += n;
          }
          assert.deepEqual(handshakes, [hs]);
          assert.deepEqual(
            frames.map((f) => [...f]),
            bodies.map((b) => [...b]),
          );
          assert.equal(framer.pending, 0);
        },
      ),
    );
  });

  test('keeps no reference to an input chunk: a reused read buffer is safe', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), (bodies, readSize) => {
        const all = Buffer.concat(bodies.map(frame));
        const { framer, frames } = collect(200);
        const readBuffer = Buffer.alloc(readSize);
        for (let pos = 0; pos < all.length; pos += readSize) {
          const n = all.copy(readBuffer, 0, pos, pos + readSize);
          framer.push(readBuffer.subarray(0, n));
          readBuffer.fill(0xee); // what the next read would do to a retained view
        }
        assert.deepEqual(
          frames.map((f) => [...f]),
          bodies.map((b) => [...b]),
        );
      }),
    );
  });

  test('a keep-alive is an empty frame', () => {
    const { framer, frames } = collect(100);
    framer.push(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 2]));
    assert.deepEqual(
      frames.map((f) => f.length),
      [0, 1],
    );
  });

  test('a 4 GiB length prefix is refused before any body arrives', () => {
    const { framer, frames } = collect(16384 + 13);
    assert.throws(
      () => framer.push(Buffer.from([0xff, 0xff, 0xff, 0xff])),
      (e: unknown) => e instanceof WireError && e.code === 'frame-too-large',
    );
    assert.equal(frames.length, 0);
    assert.equal(framer.pending, 0);
    assert.throws(() => framer.push(Buffer.from([0])), WireError);
  });

  test('a prefix of exactly the maximum is accepted, one more is not', () => {
    const ok = collect(10);
    ok.framer.push(frame(new Uint8Array(10)));
    assert.equal(ok.frames.length, 1);
    const bad = collect(10);
    assert.throws(() => bad.framer.push(frame(new Uint8Array(11))), WireError);
  });

  test('mutated valid streams (handshake and every message) only ever raise WireError', () => {
    const stream = Buffer.concat([
      encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2) }),
      M.encodeBitfield(Uint8Array.of(0xff, 0x80)),
      M.encodeKeepAlive(),
      M.encodeChoke(),
      M.encodeUnchoke(),
      M.encodeInterested(),
      M.encodeNotInterested(),
      M.encodeHave(7),
      M.encodeRequest(1, 16384, 16384),
      M.encodeCancel(1, 16384, 16384),
      M.encodePiece(1, 0, new Uint8Array(40).fill(9)),
      M.encodePort(6881),
    ]);
    let decoded = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(stream.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(stream.length), (edits, cut) => {
        const bytes = Buffer.from(stream.subarray(0, cut));
        for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
        const framer = new Framer({ handshake: (b) => void decodeHandshake(b), frame: (b) => void (decodeMessage(b), decoded++) }, 1024, true);
        try {
          framer.push(bytes);
        } catch (err) {
          assert.ok(err instanceof WireError, String(err));
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(decoded > 3000, `messages reached the decoder ${decoded} times`);
  });

  test('random bytes only ever raise WireError through framer and decoders', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000, size: 'max' }), fc.boolean(), (bytes, withHandshake) => {
        const framer = new Framer(
          { handshake: (b) => void decodeHandshake(b), frame: (b) => void decodeMessage(b) },
          1024,
          withHandshake,
        );
        try {
          framer.push(bytes);
        } catch (err) {
          assert.ok(err instanceof WireError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
