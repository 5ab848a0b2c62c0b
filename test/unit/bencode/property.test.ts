import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bdecode, bdecodeWithSpans, bencode, isDict, isList } from '../../../daemon/src/bencode';
import type { BValue } from '../../../daemon/src/bencode';
import { valueArb } from './arbitraries';

test('decode(encode(v)) equals v', () => {
  fc.assert(fc.property(valueArb, (v) => assert.deepEqual(bdecode(bencode(v)), v)), { numRuns: 500 });
});

test('encode(decode(bytes)) gives back canonical bytes', () => {
  fc.assert(
    fc.property(valueArb, (v) => {
      const bytes = bencode(v);
      assert.deepEqual(bencode(bdecode(bytes)), bytes);
    }),
    { numRuns: 500 },
  );
});

test('encoded dictionaries have strictly increasing raw keys', () => {
  fc.assert(
    fc.property(valueArb, (v) => {
      const walk = (x: BValue): void => {
        if (isList(x)) x.forEach(walk);
        if (isDict(x)) {
          const keys = [...bdecode(bencode(x)) as Map<string, BValue>].map(([k]) => Buffer.from(k, 'latin1'));
          for (let i = 1; i < keys.length; i++) assert.ok(Buffer.compare(keys[i - 1], keys[i]) < 0);
          x.forEach(walk);
        }
      };
      walk(v);
    }),
    { numRuns: 200 },
  );
});

test('the span of every nested value re-encodes to exactly its bytes', () => {
  fc.assert(
    fc.property(valueArb, (v) => {
      const bytes = bencode(v);
      const { value, span } = bdecodeWithSpans(bytes);
      const check = (x: BValue): void => {
        if (typeof x === 'number') return;
        const s = span(x);
        assert.ok(s);
        assert.deepEqual(bytes.subarray(s.start, s.end), bencode(x));
        if (isList(x)) x.forEach(check);
        if (isDict(x)) x.forEach(check);
      };
      check(value);
    }),
    { numRuns: 300 },
  );
});
