/**
 * The wire extension codecs: BEP 10 extended handshake, BEP 9 ut_metadata and its assembler, BEP 11
 * ut_pex, the BEP 6 allowed-fast set. Round trips, the documented caps, hostile input (truncated,
 * 10,000 levels deep, 100,000 peers) and fuzzing: any input decodes or is a WireError.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { bencode } from '../../../daemon/src/bencode';
import { decodeExtendedHandshake, encodeExtendedHandshake, MAX_EXTENDED_PAYLOAD } from '../../../daemon/src/wire/extended';
import { WireError } from '../../../daemon/src/wire/errors';
import { allowedFastSet } from '../../../daemon/src/wire/fast';
import { decodeMetadataMessage, encodeMetadataMessage, MAX_METADATA_SIZE, METADATA_PIECE_LENGTH, MetadataAssembler } from '../../../daemon/src/wire/ut-metadata';
import { decodePex, encodePex, MAX_PEX_PEERS, PexDiff, PexFlag, type PexPeer } from '../../../daemon/src/wire/ut-pex';
import { valueArb } from '../bencode/arbitraries';

/** Runs `decode`; passes when it returns or throws a WireError, fails on anything else. */
function decodesOrWireError(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
  }
}

const deep = (n: number): Uint8Array => Buffer.from(`d1:m${'l'.repeat(n)}${'e'.repeat(n)}e`);

describe('extended handshake (BEP 10)', () => {
  test('round-trips the fields we send', () => {
    const h = { m: { ut_metadata: 1, ut_pex: 2 }, v: 'btd 0.1.0', p: 6881, reqq: 1024, yourip: '10.1.2.3', metadataSize: 31_337 };
    assert.deepEqual(decodeExtendedHandshake(encodeExtendedHandshake(h)), h);
    assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {}, yourip: '::1' })).yourip, '::1');
  });

  test('takes what fits and drops the rest: disabled ids, odd names, control characters, a huge reqq', () => {
    const payload = bencode(new Map<string, unknown>([
      ['m', new Map<string, unknown>([['ut_metadata', 3], ['ut_pex', 0], ['x', 'str'], ['big', 999]])],
      ['v', Buffer.from('Evil\u0007\u202eClient 1.0')],
      ['reqq', 10 ** 12],
      ['p', 70_000],
      ['yourip', Buffer.from([1, 2, 3])],
      ['metadata_size', -5],
    ]) as never);
    const h = decodeExtendedHandshake(payload);
    assert.deepEqual(h.m, { ut_metadata: 3 });
    assert.equal(h.v, 'EvilClient 1.0');
    assert.equal(h.reqq, 100_000);
    assert.equal(h.p, undefined);
    assert.equal(h.yourip, undefined);
    assert.equal(h.metadataSize, undefined);
  });

  test('hostile payloads are WireErrors: truncated, 10,000 levels deep, over 64 KiB, not a dictionary', () => {
    assert.throws(() => decodeExtendedHandshake(Buffer.from('d1:md11:ut_metadatai1e')), WireError);
    assert.throws(() => decodeExtendedHandshake(deep(10_000)), WireError);
    assert.throws(() => decodeExtendedHandshake(new Uint8Array(MAX_EXTENDED_PAYLOAD + 1)), WireError);
    assert.throws(() => decodeExtendedHandshake(Buffer.from('li1ee')), WireError);
  });

  test('fuzz: any bytes, and any bencoded value, decode or are a WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodesOrWireError(decodeExtendedHandshake, b)), { numRuns: 2000 });
    fc.assert(fc.property(valueArb, (v) => decodesOrWireError(decodeExtendedHandshake, bencode(new Map([['m', v], ['v', v], ['reqq', v]]) as never))), { numRuns: 1000 });
  });
});

describe('ut_metadata (BEP 9)', () => {
  test('request, data and reject round-trip; the data follows its dictionary', () => {
    for (const m of [{ msgType: 'request', piece: 3 }, { msgType: 'reject', piece: 0 }] as const) assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage(m)), m);
    const data = randomBytes(1000);
    const got = decodeMetadataMessage(encodeMetadataMessage({ msgType: 'data', piece: 1, totalSize: METADATA_PIECE_LENGTH + 1000, data }));
    assert.equal(got.msgType, 'data');
    if (got.msgType === 'data') assert.deepEqual(Buffer.from(got.data), data);
  });

  test('refuses a total size over the limit, a piece past it, an unknown type, trailing bytes, an oversized piece', () => {
    const dict = (entries: [string, number][]): Uint8Array => bencode(new Map(entries) as never);
    assert.throws(() => decodeMetadataMessage(dict([['msg_type', 1], ['piece', 0], ['total_size', MAX_METADATA_SIZE + 1]])), /total_size/);
    assert.throws(() => decodeMetadataMessage(dict([['msg_type', 0], ['piece', MAX_METADATA_SIZE / METADATA_PIECE_LENGTH]])), /piece not in/);
    assert.throws(() => decodeMetadataMessage(dict([['msg_type', 7], ['piece', 0]])), /msg_type/);
    assert.throws(() => decodeMetadataMessage(Buffer.concat([dict([['msg_type', 0], ['piece', 0]]), Buffer.from('x')])), /trailing/);
    const big = Buffer.concat([dict([['msg_type', 1], ['piece', 0], ['total_size', 10 ** 6]]), new Uint8Array(METADATA_PIECE_LENGTH + 1)]);
    assert.throws(() => decodeMetadataMessage(big), /piece of/);
    assert.throws(() => decodeMetadataMessage(deep(10_000)), WireError);
  });

  test('the assembler completes on the right hash, and on a wrong one names who sent what and starts over', () => {
    const info = randomBytes(METADATA_PIECE_LENGTH * 2 + 5);
    const hash = createHash('sha1').update(info).digest();
    const a = new MetadataAssembler(hash, info.length);
    assert.equal(a.pieceCount, 3);
    assert.equal(a.add(0, info.subarray(0, METADATA_PIECE_LENGTH), 'p1'), 'more');
    assert.equal(a.add(0, info.subarray(0, METADATA_PIECE_LENGTH), 'p1'), 'more', 'a repeat is ignored');
    assert.throws(() => a.add(2, new Uint8Array(4), 'p2'), /expected 5/);
    assert.throws(() => a.add(3, new Uint8Array(5)), /out of range/);
    assert.equal(a.add(1, randomBytes(METADATA_PIECE_LENGTH), 'liar'), 'more');
    assert.equal(a.add(2, info.subarray(2 * METADATA_PIECE_LENGTH), 'p2'), 'mismatch');
    assert.deepEqual(new Set(a.sources()), new Set(['p1', 'liar', 'p2']));
    assert.equal(a.receivedCount, 0);
    for (let i = 0; i < 3; i++) a.add(i, info.subarray(i * METADATA_PIECE_LENGTH, (i + 1) * METADATA_PIECE_LENGTH), 'good');
    assert.deepEqual(Buffer.from(a.bytes), info);
    assert.throws(() => new MetadataAssembler(hash, 4 * 1024 ** 3), RangeError, 'a 4 GiB metadata_size allocates nothing');
  });

  test('fuzz: any bytes decode or are a WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodesOrWireError(decodeMetadataMessage, b)), { numRuns: 2000 });
    fc.assert(fc.property(valueArb, fc.uint8Array({ maxLength: 40 }), (v, tail) => decodesOrWireError(decodeMetadataMessage, Buffer.concat([bencode(new Map([['msg_type', v], ['piece', v]]) as never), tail]))), { numRuns: 1000 });
  });
});

describe('ut_pex (BEP 11)', () => {
  const peer = (i: number, flags = 0): PexPeer => ({ ip: `10.0.${i >> 8}.${i & 0xff}`, port: 6881 + (i % 100), flags });

  test('IPv4 and IPv6 peers with their flags round-trip; dropped peers too', () => {
    const m = { added: [peer(1, PexFlag.seed), peer(2, PexFlag.reachable), { ip: '2001:db8::7', port: 51413, flags: PexFlag.seed | PexFlag.utp }], dropped: [{ ip: '10.9.9.9', port: 1 }, { ip: '::1', port: 2 }] };
    assert.deepEqual(decodePex(encodePex(m)), m);
  });

  test('a message naming 100,000 peers yields at most 200; malformed lists and port 0 are skipped', () => {
    const many = Buffer.alloc(100_000 * 6, 1);
    const payload = bencode(new Map<string, unknown>([['added', many.subarray(0, 60_000)], ['dropped', many.subarray(0, 1200)]]) as never);
    assert.ok(payload.length <= MAX_EXTENDED_PAYLOAD);
    const m = decodePex(payload);
    assert.equal(m.added.length + m.dropped.length, MAX_PEX_PEERS);
    assert.throws(() => decodePex(bencode(new Map([['added', many]]) as never)), WireError, 'over 64 KiB');
    const odd = decodePex(bencode(new Map<string, unknown>([['added', Buffer.alloc(7)], ['added6', 'x'], ['dropped', Buffer.from([1, 2, 3, 4, 0, 0])]]) as never));
    assert.deepEqual(odd, { added: [], dropped: [] });
  });

  test('diffs send at most 50 added and 50 dropped at a time, then what changed since', () => {
    const diff = new PexDiff();
    const all = new Map<string, PexPeer>(Array.from({ length: 120 }, (_, i) => [`k${i}`, peer(i)]));
    const sizes: number[] = [];
    for (let m = diff.next(all); m; m = diff.next(all)) sizes.push(m.added.length);
    assert.deepEqual(sizes, [50, 50, 20]);
    all.delete('k0');
    all.set('new', peer(500));
    assert.deepEqual(diff.next(all), { added: [peer(500)], dropped: [{ ip: peer(0).ip, port: peer(0).port }] });
    assert.equal(diff.next(all), undefined);
  });

  test('fuzz: any bytes and any bencoded value decode or are a WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodesOrWireError(decodePex, b)), { numRuns: 2000 });
    fc.assert(fc.property(valueArb, (v) => decodesOrWireError(decodePex, bencode(new Map([['added', v], ['added.f', v], ['dropped6', v]]) as never))), { numRuns: 1000 });
  });
});

describe('allowed-fast set (BEP 6)', () => {
  test('matches the example of BEP 6: 80.4.4.200, an info hash of 0xaa bytes, 1313 pieces', () => {
    const infoHash = new Uint8Array(20).fill(0xaa);
    assert.deepEqual(allowedFastSet(infoHash, '80.4.4.200', 1313, 7), [1059, 431, 808, 1217, 287, 376, 1188]);
    assert.deepEqual(allowedFastSet(infoHash, '80.4.4.200', 1313, 9), [1059, 431, 808, 1217, 287, 376, 1188, 353, 508]);
  });

  test('the same for every address in a /24; never more pieces than there are', () => {
    const infoHash = randomBytes(20);
    assert.deepEqual(allowedFastSet(infoHash, '192.0.2.1', 500, 10), allowedFastSet(infoHash, '192.0.2.254', 500, 10));
    assert.deepEqual(allowedFastSet(infoHash, '192.0.2.1', 3, 10).sort(), [0, 1, 2]);
  });
});
