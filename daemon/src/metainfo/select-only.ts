/**
 * BEP 53 select-only (`so`) in magnet links: `so=0,2,4-6` names the files to download by their index
 * in the torrent (0-based, ranges inclusive). Parsed into a sorted set of indices kept as disjoint,
 * merged ranges, so a range as wide as the cap allows costs two numbers, not a million.
 */
import { MetainfoError } from './errors';

/** Sorted, disjoint, non-adjacent inclusive ranges `[first, last]` of file indices. */
export type FileSelection = readonly (readonly [first: number, last: number])[];

/** Most items (single indices and ranges) read from the `so` values of one magnet. */
export const MAX_SELECT_ITEMS = 4096;
/** Largest file index accepted (2^20 - 1); a torrent with more files is refused by the parser anyway. */
export const MAX_SELECT_INDEX = 2 ** 20 - 1;

const ITEM = /^(\d{1,7})(?:-(\d{1,7}))?$/;

function refuse(message: string): never {
  throw new MetainfoError('bad-select-only', `magnet: so=${message}`);
}

function index(text: string, item: string): number {
  const n = Number(text);
  if (n > MAX_SELECT_INDEX) refuse(`${item}: file index ${n} is above the limit of ${MAX_SELECT_INDEX}`);
  return n;
}

/**
 * Parses the `so` values of one magnet (several `so` parameters add up); throws
 * MetainfoError('bad-select-only') for an empty value, an item that is not `N` or `N-M`, a range
 * whose first index is after its last, an index above MAX_SELECT_INDEX, or more than MAX_SELECT_ITEMS items.
 */
export function parseSelectOnly(values: readonly string[]): FileSelection {
  const ranges: [number, number][] = [];
  for (const value of values) {
    if (value.trim() === '') refuse('(empty): expected file indices such as 0,2,4-6');
    const items = value.split(','); // a value is never longer than the magnet URI's limit
    if (ranges.length + items.length > MAX_SELECT_ITEMS) refuse(`…: more than ${MAX_SELECT_ITEMS} indices or ranges`);
    for (const raw of items) {
      const item = raw.trim();
      const m = ITEM.exec(item);
      if (m === null) refuse(`${value.length > 80 ? `${value.slice(0, 80)}…` : value}: "${item.slice(0, 40)}" is not a file index (N) or a range (N-M)`);
      const first = index(m[1], item);
      const last = m[2] === undefined ? first : index(m[2], item);
      if (first > last) refuse(`${item}: the range starts after it ends`);
      ranges.push([first, last]);
    }
  }
  return mergeRanges(ranges);
}

/** Sorts and merges overlapping or adjacent ranges. */
function mergeRanges(ranges: [number, number][]): FileSelection {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [first, last] of ranges) {
    const prev = out[out.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

/** Whether `index` is selected (binary search). */
export function isSelected(selection: FileSelection, index: number): boolean {
  let lo = 0;
  let hi = selection.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const [first, last] = selection[mid];
    if (index < first) hi = mid - 1;
    else if (index > last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The selected indices below `fileCount`, ascending. */
export function selectedIndices(selection: FileSelection, fileCount: number): number[] {
  const out: number[] = [];
  for (const [first, last] of selection) for (let i = first; i <= Math.min(last, fileCount - 1); i++) out.push(i);
  return out;
}

/** How many selected indices are `fileCount` or above (they name no file of the torrent). */
export function countBeyond(selection: FileSelection, fileCount: number): number {
  let n = 0;
  for (const [first, last] of selection) if (last >= fileCount) n += last - Math.max(first, fileCount) + 1;
  return n;
}

/** The `so` value of a selection: `0,2,4-6`. */
export function formatSelectOnly(selection: FileSelection): string {
  return selection.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(',');
}
