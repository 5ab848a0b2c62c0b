/** Kept JSON text spliced into a message: the same text a plain serialisation gives, never another value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RawJson, stringifyWithRaw } from '../../../daemon/src/rpc/raw-json';

test('kept text is spliced in where its RawJson stands', () => {
  const msg = { jsonrpc: '2.0', id: 1, result: { torrents: [new RawJson('{"name":"a","n":1}'), { name: 'b' }, new RawJson('[1,"x"]')] } };
  assert.equal(stringifyWithRaw(msg), '{"jsonrpc":"2.0","id":1,"result":{"torrents":[{"name":"a","n":1},{"name":"b"},[1,"x"]]}}');
});

test('outside stringifyWithRaw a RawJson serialises as its value', () => {
  assert.equal(JSON.stringify({ a: new RawJson('{"x":[1,2]}') }), '{"a":{"x":[1,2]}}');
});

test('strings that look like placeholders are left alone', () => {
  const lookalike = '\u0000raw-000000000000-0';
  const out = stringifyWithRaw({ s: lookalike, r: new RawJson('7') });
  assert.deepEqual(JSON.parse(out), { s: lookalike, r: 7 });
});

test('any JSON values, some kept as text: the same as serialising them plainly', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.jsonValue(), fc.boolean()), { maxLength: 20 }), (items) => {
      const plain = JSON.stringify(items.map(([v]) => v));
      const spliced = stringifyWithRaw(items.map(([v, keep]) => (keep ? new RawJson(JSON.stringify(v)) : v)));
      assert.equal(spliced, plain);
    }),
    { numRuns: 2_000, seed: 9 },
  );
});
