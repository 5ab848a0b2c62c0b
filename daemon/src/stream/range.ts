/** The byte range an HTTP request asks of a file, as a pure function of its Range header and the file size. */
import parseRange from 'range-parser';

/** What to send: the whole file (200), one range (206), or 416. Ends are inclusive. */
export type RangeAnswer = { kind: 'full'; start: number; end: number } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * The answer for `header` (the Range header, if any) on a file of `size` bytes. A malformed or non-byte
 * Range is ignored (the whole file, as RFC 9110 allows); several ranges are served as the first one
 * after merging, since players ask for one range at a time.
 */
export function resolveRange(header: string | undefined, size: number): RangeAnswer {
  const whole: RangeAnswer = { kind: 'full', start: 0, end: size - 1 };
  if (header === undefined || header === '') return whole;
  if (size === 0) return /^\s*bytes=/i.test(header) ? { kind: 'unsatisfiable' } : whole;
  const r = parseRange(size, header, { combine: true });
  if (r === -1) return { kind: 'unsatisfiable' };
  if (r === -2 || r.type !== 'bytes' || r.length === 0) return whole;
  return { kind: 'partial', start: r[0].start, end: r[0].end };
}
