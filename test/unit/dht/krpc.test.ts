/** KRPC messages: every query and answer round-trips, the BEP 5 examples decode, garbage is a typed error. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bencode } from '../../../daemon/src/bencode';
import { decodeKrpc, encodeKrpc, KrpcError, MAX_DATAGRAM, MAX_NODES, type KrpcMessage } from '../../../daemon/src/dht/krpc';
import { valueArb } from '../bencode/arbitraries';

const ID = new Uint8Array(Buffer.from('abcdefghij0123456789'));
const HASH = new Uint8Array(Buffer.from('mnopqrstuvwxyz123456'));
const T = new Uint8Array(Buffer.from('aa'));

function roundTrip(m: KrpcMessage): KrpcMessage {
  return decodeKrpc(encodeKrpc(m));
}

function errorOf(bytes: Uint8Array): KrpcError {
  try {
    decodeKrpc(bytes);
  } catch (err) {
    assert.ok(err instanceof KrpcError, String(err));
    return err;
  }
  assert.fail('decoded');
}

describe('KRPC codec', () => {
  test('the BEP 5 example ping decodes, and our encoding matches it byte for byte', () => {
    const wire = Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe');
    const m = decodeKrpc(wire);
    assert.equal(m.y, 'q');
    assert.deepEqual(m.y === 'q' && m.q, { method: 'ping', id: ID });
    assert.deepEqual(encodeKrpc({ t: T, y: 'q', q: { method: 'ping', id: ID } }), wire);
  });

  test('every query round-trips', () => {
    const queries: KrpcMessage[] = [
      { t: T, y: 'q', q: { method: 'find_node', id: ID, target: HASH } },
      { t: T, y: 'q', q: { method: 'get_peers', id: ID, infoHash: HASH } },
      { t: T, y: 'q', q: { method: 'announce_peer', id: ID, infoHash: HASH, port: 6881, impliedPort: false, token: new Uint8Array([1, 2]) } },
      { t: T, y: 'q', q: { method: 'announce_peer', id: ID, infoHash: HASH, port: 0, impliedPort: true, token: new Uint8Array([3]) } },
    ];
    for (const m of queries) assert.deepEqual(roundTrip(m), m);
  });

  test('responses carry compact nodes, compact peers, a token, BEP 42 ip and a version', () => {
    const nodes = [{ id: ID, ip: '127.0.0.1', port: 6881 }, { id: HASH, ip: '10.20.30.40', port: 65535 }];
    const m = roundTrip({ t: T, y: 'r', v: Buffer.from('BT01'), ip: { ip: '1.2.3.4', port: 5 }, r: { id: ID, nodes, values: [{ ip: '127.0.0.2', port: 1 }], token: Buffer.from('xyz') } });
    assert.equal(m.y, 'r');
    if (m.y !== 'r') return;
    assert.deepEqual(m.r.nodes, nodes);
    assert.deepEqual(m.r.values, [{ ip: '127.0.0.2', port: 1 }]);
    assert.equal(Buffer.from(m.r.token ?? []).toString(), 'xyz');
    assert.deepEqual(m.ip, { ip: '1.2.3.4', port: 5 });
    assert.equal(Buffer.from(m.v ?? []).toString(), 'BT01');
  });

  test('errors round-trip; the BEP 5 example error decodes', () => {
    const m = decodeKrpc(Buffer.from('d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee'));
    assert.deepEqual(m.y === 'e' && [m.code, m.message], [201, 'A Generic Error Ocurred']);
    const back = roundTrip({ t: T, y: 'e', code: 203, message: 'bad' });
    assert.deepEqual(back.y === 'e' && [back.code, back.message], [203, 'bad']);
  });

  test('bad queries are protocol errors that keep the transaction id; unknown methods are 204', () => {
    const unknown = errorOf(bencode({ t: 'xy', y: 'q', q: 'vote', a: { id: ID } }));
    assert.equal(unknown.code, 204);
    assert.equal(Buffer.from(unknown.t ?? []).toString(), 'xy');
    const shortId = errorOf(bencode({ t: 'xy', y: 'q', q: 'ping', a: { id: 'short' } }));
    assert.equal(shortId.code, 203);
    assert.equal(Buffer.from(shortId.t ?? []).toString(), 'xy');
    assert.equal(errorOf(bencode({ t: 'xy', y: 'q', q: 'announce_peer', a: { id: ID, info_hash: HASH, port: 1 } })).code, 203, 'no token');
    assert.equal(errorOf(bencode({ t: 'xy', y: 'q', q: 'announce_peer', a: { id: ID, info_hash: HASH, port: 0, token: 'a' } })).code, 203, 'port 0 without implied_port');
    assert.equal(errorOf(bencode({ t: 'xy', y: 'r', r: { id: ID, nodes: Buffer.alloc(27) } })).code, 203, 'nodes not a multiple of 26');
  });

  test('malformed bencode, a non-dictionary, no transaction id and an oversized datagram are typed errors without t', () => {
    for (const bad of [Buffer.from('d1:t'), Buffer.from('i1e'), bencode({ y: 'q' }), Buffer.alloc(MAX_DATAGRAM + 1, 0x64), Buffer.alloc(64 * 1024), Buffer.alloc(0)]) {
      assert.equal(errorOf(bad).t, undefined);
    }
  });

  test('nodes and values are capped; IPv6 or broken values are skipped', () => {
    const many = Array.from({ length: MAX_NODES + 40 }, (_, i) => ({ id: Buffer.alloc(20, i), ip: '127.0.0.1', port: i + 1 }));
    const m = decodeKrpc(bencode({ t: 'a', y: 'r', r: { id: ID, nodes: Buffer.concat(many.map((n) => Buffer.concat([Buffer.from(n.id), Buffer.from([127, 0, 0, 1, 0, n.port])]))), values: [Buffer.alloc(18), Buffer.alloc(5), Buffer.from([1, 2, 3, 4, 0, 9])] } }));
    assert.ok(m.y === 'r');
    if (m.y !== 'r') return;
    assert.equal(m.r.nodes?.length, MAX_NODES);
    assert.deepEqual(m.r.values, [{ ip: '1.2.3.4', port: 9 }]);
  });

  test('fuzz: random bencode and random bytes never throw anything but KrpcError', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeKrpc(bytes);
      } catch (err) {
        if (!(err instanceof KrpcError)) throw err;
      }
    };
    fc.assert(fc.property(valueArb, (v) => check(bencode(v))), { numRuns: 3000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 3000 });
    const shaped = fc.record({
      t: fc.uint8Array({ maxLength: 40 }),
      y: fc.constantFrom('q', 'r', 'e', 'x'),
      q: fc.constantFrom('ping', 'find_node', 'get_peers', 'announce_peer', 'nope'),
      a: fc.dictionary(fc.constantFrom('id', 'target', 'info_hash', 'port', 'token', 'implied_port'), fc.oneof(fc.uint8Array({ minLength: 18, maxLength: 22 }), fc.integer({ min: -2, max: 70000 }))),
      r: fc.dictionary(fc.constantFrom('id', 'nodes', 'values', 'token'), fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 4 }), fc.integer())),
      e: fc.array(fc.oneof(fc.integer(), fc.uint8Array({ maxLength: 8 })), { maxLength: 3 }),
    });
    fc.assert(fc.property(shaped, (m) => check(bencode(m))), { numRuns: 5000 });
  });
});
