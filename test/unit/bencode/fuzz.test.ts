/** Fuzz: random and mutated inputs must decode or fail with BencodeError — nothing else, and never hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BencodeError, Reader, bdecode, bencode } from '../../../daemon/src/bencode';
import { valueArb } from './arbitraries';

const ALPHABET = Buffer.from('ilde0123456789:-+.ex ');

function onlyTypedErrors(input: Uint8Array): void {
  try {
    bdecode(input, { maxDepth: 32, maxSize: 1 << 16 });
  } catch (err) {
    if (!(err instanceof BencodeError)) {
      assert.fail(`non-typed error ${String(err)} for ${Buffer.from(input).toString('latin1')}`);
    }
    assert.ok(Number.isInteger(err.offset) && err.offset >= 0 && err.offset <= input.length, `offset ${err.offset}`);
  }
}

/** Mutations that stay close to valid input, where a parser's edge cases are. */
const mutatedArb = fc
  .tuple(
    valueArb.map((v) => bencode(v)),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('flip', 'insert', 'delete', 'truncate'), fc.constantFrom(...ALPHABET)), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([bytes, edits]) => {
    let out = Buffer.from(bytes);
    for (const [at, kind, byte] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'flip' && out.length > 0) out[i] = byte;
      else if (kind === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.of(byte), out.subarray(i)]);
      else if (kind === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
      else out = out.subarray(0, i);
    }
    return new Uint8Array(out);
  });

/** Random bytes drawn mostly from bencode's own alphabet, so they get past the first byte. */
const randomArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.array(fc.constantFrom(...ALPHABET), { maxLength: 64 }).map((a) => new Uint8Array(a)),
);

test('30,000 mutated and random inputs: only BencodeError, bounded time', { timeout: 60_000 }, () => {
  const started = Date.now();
  fc.assert(fc.property(mutatedArb, (input) => onlyTypedErrors(input)), { numRuns: 20_000, seed: 1 });
  fc.assert(fc.property(randomArb, (input) => onlyTypedErrors(input)), { numRuns: 10_000, seed: 2 });
  assert.ok(Date.now() - started < 60_000);
});

/** What `Reader.skip` makes of a whole input, in the shape of a decode's outcome. */
function skipOutcome(input: Uint8Array, maxItems?: number): string {
  try {
    if (input.length === 0) throw new BencodeError('empty-input', 'empty input', 0);
    const r = new Reader(input, 0, maxItems);
    r.skip(1, 32);
    if (r.pos !== input.length) throw new BencodeError('trailing-data', 'data after the top value', r.pos);
    return 'ok';
  } catch (err) {
    if (!(err instanceof BencodeError)) throw err;
    return err.message;
  }
}

function decodeOutcome(input: Uint8Array, maxItems?: number): string {
  try {
    bdecode(input, { maxDepth: 32, maxSize: 1 << 16, maxItems });
    return 'ok';
  } catch (err) {
    if (!(err instanceof BencodeError)) throw err;
    return err.message;
  }
}

test('30,000 mutated and random inputs: a skip refuses exactly what a decode refuses, at the same byte', () => {
  const same = (input: Uint8Array): void => {
    assert.equal(skipOutcome(input), decodeOutcome(input));
    assert.equal(skipOutcome(input, 5), decodeOutcome(input, 5), 'with an item cap of 5');
  };
  fc.assert(fc.property(mutatedArb, same), { numRuns: 20_000, seed: 11 });
  fc.assert(fc.property(randomArb, same), { numRuns: 10_000, seed: 12 });
});
