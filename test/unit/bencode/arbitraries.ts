/** fast-check generators of bencode values, shared by the property and fuzz tests. */
import fc from 'fast-check';
import type { BDict, BValue } from '../../../daemon/src/bencode';

/** Raw key bytes as a latin1 string, as the decoder produces them. */
export const keyArb = fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('latin1'));

/** Any decodable value, nested a few levels. */
export const valueArb: fc.Arbitrary<BValue> = fc.letrec<{ value: BValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(keyArb, tie('value')), { maxLength: 5, selector: (e) => e[0] })
      .map((entries): BDict => new Map(entries)),
  ),
})).value;
