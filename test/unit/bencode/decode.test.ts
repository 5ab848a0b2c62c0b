import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BencodeError, bdecode, bdecodeWithSpans, isDict } from '../../../daemon/src/bencode';

const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const u8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function refuses(input: string, code: string, offset?: number): void {
  assert.throws(
    () => bdecode(b(input)),
    (err: unknown) => {
      assert.ok(err instanceof BencodeError, `expected BencodeError for ${JSON.stringify(input)}, got ${String(err)}`);
      assert.equal(err.code, code, `code for ${JSON.stringify(input)}: ${err.message}`);
      if (offset !== undefined) assert.equal(err.offset, offset, `offset for ${JSON.stringify(input)}`);
      return true;
    },
  );
}

describe('bdecode accepts', () => {
  test('integers, including extremes', () => {
    assert.equal(bdecode(b('i0e')), 0);
    assert.equal(bdecode(b('i-42e')), -42);
    assert.equal(bdecode(b('i9007199254740991e')), Number.MAX_SAFE_INTEGER);
    assert.equal(bdecode(b('i-9007199254740991e')), -Number.MAX_SAFE_INTEGER);
  });

  test('byte strings as plain Uint8Array copies, also from a Buffer input', () => {
    const input = Buffer.from('4:spam');
    const v = bdecode(input);
    assert.deepEqual(v, u8('spam'));
    assert.equal(Object.getPrototypeOf(v), Uint8Array.prototype);
    input[2] = 0x78;
    assert.deepEqual(v, u8('spam'), 'decoded value must not alias the input');
    assert.deepEqual(bdecode(b('0:')), new Uint8Array(0));
  });

  test('lists and dictionaries with latin1 keys (lossless for every byte)', () => {
    assert.deepEqual(bdecode(b('li1e3:abcle0:e')), [1, u8('abc'), [], new Uint8Array(0)]);
    const d = bdecode(b('d3:bar4:spam3:fooi42ee'));
    assert.ok(isDict(d));
    assert.equal(d.get('foo'), 42);
    const raw = bdecode(new Uint8Array([0x64, 0x31, 0x3a, 0x80, 0x69, 0x31, 0x65, 0x65]));
    assert.ok(isDict(raw));
    assert.deepEqual([...raw.keys()], ['\u0080']);
  });

  test('keys out of sorted order (real files have them)', () => {
    const d = bdecode(b('d1:bi1e1:ai2ee'));
    assert.ok(isDict(d));
    assert.deepEqual([...d.keys()], ['b', 'a']);
  });
});

describe('bdecode refuses, with code and offset', () => {
  const cases: [string, string, number?][] = [
    ['', 'empty-input', 0],
    ['i', 'unexpected-end', 1],
    ['ie', 'bad-integer', 1],
    ['i-e', 'bad-integer', 1],
    ['i03e', 'bad-integer', 1],
    ['i-0e', 'bad-integer', 1],
    ['i-03e', 'bad-integer', 1],
    ['i+3e', 'bad-integer', 1],
    ['i1.5e', 'bad-integer', 2],
    ['i1e5e', 'trailing-data', 3],
    ['i 1e', 'bad-integer', 1],
    ['i9007199254740992e', 'integer-out-of-range', 1],
    ['i99999999999999999999e', 'integer-out-of-range', 1],
    ['i12', 'unexpected-end', 3],
    ['5:abc', 'bad-string-length', 0],
    ['05:abcde', 'bad-string-length', 0],
    ['-1:a', 'unexpected-byte', 0],
    ['3abc', 'bad-string-length', 1],
    ['99999999999999999999:x', 'bad-string-length', 0],
    ['9999999999:x', 'bad-string-length', 0],
    ['l', 'unexpected-end', 1],
    ['li1e', 'unexpected-end', 4],
    ['d', 'unexpected-end', 1],
    ['d1:a', 'unexpected-end', 4],
    ['di1ei2ee', 'key-not-string', 1],
    ['dlei1ee', 'key-not-string', 1],
    ['d1:ai1e1:ai2ee', 'duplicate-key', 7],
    ['i1ei2e', 'trailing-data', 3],
    ['le ', 'trailing-data', 2],
    ['x', 'unexpected-byte', 0],
    ['e', 'unexpected-byte', 0],
    ['l-e', 'unexpected-byte', 1],
  ];
  for (const [input, code, offset] of cases) {
    test(`${JSON.stringify(input)} → ${code}`, () => refuses(input, code, offset));
  }
});

describe('limits', () => {
  test('depth: default 64 levels, configurable, never a stack overflow', () => {
    assert.doesNotThrow(() => bdecode(b('l'.repeat(64) + 'e'.repeat(64))));
    refuses('l'.repeat(65) + 'e'.repeat(65), 'too-deep', 64);
    assert.throws(() => bdecode(b('ll' + 'ee'), { maxDepth: 1 }), /nesting deeper than 1/);
    const bomb = b('l'.repeat(1_000_000));
    assert.throws(() => bdecode(bomb, { maxDepth: 1e9, maxSize: 1e7 }), (e: unknown) => e instanceof BencodeError && e.code === 'too-deep');
  });

  test('size and item caps', () => {
    assert.throws(() => bdecode(b('4:spam'), { maxSize: 5 }), (e: unknown) => e instanceof BencodeError && e.code === 'too-large');
    assert.doesNotThrow(() => bdecode(b('4:spam'), { maxSize: 6 }));
    assert.throws(() => bdecode(b('li1ei2ei3ee'), { maxItems: 3 }), (e: unknown) => e instanceof BencodeError && e.code === 'too-many-items');
    assert.doesNotThrow(() => bdecode(b('li1ei2ei3ee'), { maxItems: 4 }));
    assert.throws(() => bdecode(b('d1:ai1ee'), { maxItems: 2 }), /more than 2 values/);
  });

  test('a decoder keeps no state between calls (a failure does not affect the next)', () => {
    assert.throws(() => bdecode(b('l'.repeat(100))));
    assert.deepEqual(bdecode(b('le')), []);
  });
});

describe('bdecodeWithSpans', () => {
  test('reports the raw bytes of nested values as they stand in the input', () => {
    const input = b('d4:infod1:bi1e1:a3:xyze3:keyli7eee');
    const { value, span } = bdecodeWithSpans(input);
    assert.ok(isDict(value));
    const info = value.get('info');
    assert.ok(isDict(info));
    const s = span(info);
    assert.ok(s);
    assert.equal(Buffer.from(input.subarray(s.start, s.end)).toString('latin1'), 'd1:bi1e1:a3:xyze', 'unsorted keys kept as written');
    const list = value.get('key');
    assert.ok(Array.isArray(list));
    assert.deepEqual(span(list), { start: input.length - 6, end: input.length - 1 });
    assert.deepEqual(span(info.get('a') as Uint8Array), { start: 17, end: 22 });
    assert.deepEqual(span(value), { start: 0, end: input.length });
    assert.equal(span([]), undefined);
  });
});

describe('short dictionary keys', () => {
  test('keys of up to six bytes that differ in length, order or a zero byte stay apart, each seen again as the same string', () => {
    const keys = ['', 'a', '\x00', 'a\x00', '\x00a', 'ab', 'ba', 'length', 'lengti', 'path', 'attr', '\xff\xff\xff\xff\xff\xff', '\x00\x00\x00\x00\x00\x00', 'lengths'];
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')));
    const body = sorted.map((k, i) => `${k.length}:${k}i${i}e`).join('');
    for (let round = 0; round < 2; round++) {
      const d = bdecode(Buffer.from(`d${body}e`, 'latin1'));
      assert.ok(isDict(d));
      assert.deepEqual([...d.keys()], sorted);
      sorted.forEach((k, i) => assert.equal(d.get(k), i, JSON.stringify(k)));
    }
  });
});
