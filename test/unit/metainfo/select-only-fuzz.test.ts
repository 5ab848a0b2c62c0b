/** Fuzz: `so` values either parse into a well-formed selection that matches a simple model, or fail with MetainfoError('bad-select-only'). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_SELECT_INDEX, MetainfoError, formatSelectOnly, isSelected, parseMagnet, parseSelectOnly, type FileSelection } from '../../../daemon/src/metainfo';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

function wellFormed(sel: FileSelection): void {
  sel.forEach(([first, last], i) => {
    assert.ok(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && first <= last && last <= MAX_SELECT_INDEX, JSON.stringify(sel));
    if (i > 0) assert.ok(first > sel[i - 1][1] + 1, `ranges sorted, disjoint and not adjacent: ${JSON.stringify(sel)}`);
  });
}

const expectSelectError = (err: unknown): void => {
  if (!(err instanceof MetainfoError) || err.code !== 'bad-select-only') throw err;
};

// Values made mostly of the characters that matter, so that many parse and many fail.
const value = fc.string({ unit: fc.constantFrom('0', '1', '2', '7', '9', ',', '-', ' ', 'x', '+'), maxLength: 40 });
const smallIndex = fc.integer({ min: 0, max: 300 });
const item = fc.oneof(smallIndex.map((n) => ({ first: n, last: n, text: `${n}` })), fc.tuple(smallIndex, smallIndex).map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b), text: `${Math.min(a, b)}-${Math.max(a, b)}` })));

test('20,000 random so values: a well-formed selection or a typed error', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (values) => {
      try {
        wellFormed(parseSelectOnly(values));
      } catch (err) {
        expectSelectError(err);
      }
    }),
    { numRuns: 20_000, seed: 53 },
  );
});

test('5,000 valid lists: the selection holds exactly the indices named, and formatting round-trips', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 30 }), (items) => {
      const sel = parseSelectOnly([items.map((i) => i.text).join(',')]);
      wellFormed(sel);
      for (let n = 0; n <= 301; n++) assert.equal(isSelected(sel, n), items.some((i) => n >= i.first && n <= i.last), `index ${n}`);
      assert.deepEqual(parseSelectOnly([formatSelectOnly(sel)]), sel);
    }),
    { numRuns: 5_000, seed: 9 },
  );
});

test('10,000 magnets with arbitrary so text: a Magnet or a MetainfoError, never anything else', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(value, fc.string({ maxLength: 20 })), { maxLength: 3 }), (values) => {
      const uri = `magnet:?xt=urn:btih:${HEX}${values.map((v) => `&so=${encodeURIComponent(v)}`).join('')}`;
      try {
        const m = parseMagnet(uri);
        if (m.selectOnly) wellFormed(m.selectOnly);
        else assert.equal(values.length, 0);
      } catch (err) {
        expectSelectError(err);
      }
    }),
    { numRuns: 10_000, seed: 11 },
  );
});
