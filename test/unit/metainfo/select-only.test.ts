/** BEP 53 `so`: parsing into merged ranges, lookups, bounds and the errors of malformed values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SELECT_INDEX,
  MAX_SELECT_ITEMS,
  MetainfoError,
  buildMagnet,
  countBeyond,
  formatSelectOnly,
  isSelected,
  parseMagnet,
  parseSelectOnly,
  selectedIndices,
} from '../../../daemon/src/metainfo';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const badSelect = (e: unknown): boolean => e instanceof MetainfoError && e.code === 'bad-select-only';

test('indices and inclusive ranges become sorted, merged ranges', () => {
  assert.deepEqual(parseSelectOnly(['0,2,4-6']), [[0, 0], [2, 2], [4, 6]]);
  assert.deepEqual(parseSelectOnly(['6-8,0,7,3-3,1']), [[0, 1], [3, 3], [6, 8]]);
  assert.deepEqual(parseSelectOnly(['5', '2-4', ' 9 ']), [[2, 5], [9, 9]], 'several so values add up; spaces around an item are allowed');
  assert.deepEqual(parseSelectOnly(['007']), [[7, 7]]);
  assert.deepEqual(parseSelectOnly([`0-${MAX_SELECT_INDEX}`]), [[0, MAX_SELECT_INDEX]]);
});

test('lookups: isSelected, selectedIndices under a file count, countBeyond', () => {
  const sel = parseSelectOnly(['0,2,4-6,10-12']);
  assert.deepEqual([...Array(14).keys()].filter((i) => isSelected(sel, i)), [0, 2, 4, 5, 6, 10, 11, 12]);
  assert.deepEqual(selectedIndices(sel, 5), [0, 2, 4]);
  assert.equal(countBeyond(sel, 5), 5, '5, 6, 10, 11 and 12');
  assert.equal(countBeyond(sel, 13), 0);
  assert.equal(countBeyond(sel, 11), 2);
  assert.equal(countBeyond(parseSelectOnly([`0-${MAX_SELECT_INDEX}`]), 3), MAX_SELECT_INDEX - 2);
  assert.equal(formatSelectOnly(sel), '0,2,4-6,10-12');
});

test('malformed values are refused with a typed error naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [[''], /empty/],
    [['1,,2'], /"" is not a file index/],
    [['1,'], /is not a file index/],
    [['-1'], /"-1" is not a file index/],
    [['a'], /"a" is not a file index/],
    [['1-2-3'], /is not a file index/],
    [['1.5'], /is not a file index/],
    [['0x10'], /is not a file index/],
    [['5-2'], /5-2: the range starts after it ends/],
    [[String(MAX_SELECT_INDEX + 1)], /above the limit/],
    [['99999999'], /is not a file index/],
    [[Array.from({ length: MAX_SELECT_ITEMS + 1 }, (_, i) => String(i)).join(',')], new RegExp(`more than ${MAX_SELECT_ITEMS}`)],
    [[Array.from({ length: MAX_SELECT_ITEMS }, (_, i) => String(i)).join(','), '1'], new RegExp(`more than ${MAX_SELECT_ITEMS}`)],
  ];
  for (const [values, message] of cases) {
    assert.throws(() => parseSelectOnly(values), (e: unknown) => badSelect(e) && message.test((e as Error).message), JSON.stringify(values).slice(0, 60));
  }
  assert.deepEqual(parseSelectOnly([Array.from({ length: MAX_SELECT_ITEMS }, (_, i) => String(2 * i)).join(',')]).length, MAX_SELECT_ITEMS, 'the limit itself is accepted');
});

test('a magnet carries its so selection; build then parse round-trips it', () => {
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${HEX}`).selectOnly, undefined);
  const m = parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=x&so=0,2,4-6&so=8`);
  assert.deepEqual(m.selectOnly, [[0, 0], [2, 2], [4, 6], [8, 8]]);
  assert.deepEqual(parseMagnet(`magnet:?xt=urn:btih:${HEX}&so=1%2C3-4`).selectOnly, [[1, 1], [3, 4]], 'percent-encoded commas');
  const uri = buildMagnet({ infoHash: m.infoHash, name: 'x', selectOnly: m.selectOnly });
  assert.equal(uri, `magnet:?xt=urn:btih:${HEX}&dn=x&so=0,2,4-6,8`);
  assert.deepEqual(parseMagnet(uri).selectOnly, m.selectOnly);
  assert.throws(() => parseMagnet(`magnet:?xt=urn:btih:${HEX}&so=3-1`), badSelect);
  assert.throws(() => parseMagnet(`magnet:?xt=urn:btih:${HEX}&so=`), badSelect);
});
