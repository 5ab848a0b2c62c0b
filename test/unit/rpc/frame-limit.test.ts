/** The Content-Length size guard: transparent for good frames, skips large ones, fuzzed over chunkings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameLimiter } from '../../../daemon/src/rpc/frame-limit';

const frame = (body: string): Buffer => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);

function feed(limiter: FrameLimiter, input: Buffer, cuts: number[]): { out: Buffer; oversize: number[]; fatal?: string } {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  const oversize: number[] = [];
  let fatal: string | undefined;
  let at = 0;
  for (const p of [...points, input.length]) {
    const step = limiter.push(input.subarray(at, p));
    out.push(...step.forward);
    oversize.push(...step.oversize);
    fatal ??= step.fatal;
    at = p;
  }
  return { out: Buffer.concat(out), oversize, fatal };
}

test('frames under the limit pass through unchanged, however the input is cut', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 200 }), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (bodies, cuts) => {
      const input = Buffer.concat(bodies.map(frame));
      const r = feed(new FrameLimiter(1000), input, cuts);
      assert.deepEqual(r.out, input);
      assert.deepEqual(r.oversize, []);
    }),
  );
});

test('a frame over the limit is skipped and reported; the next one still passes', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
      const big = 'x'.repeat(5000);
      const input = Buffer.concat([frame('{"a":1}'), frame(big), frame('{"b":2}')]);
      const r = feed(new FrameLimiter(1000), input, cuts);
      assert.deepEqual(r.out, Buffer.concat([frame('{"a":1}'), frame('{"b":2}')]));
      assert.deepEqual(r.oversize, [5000]);
    }),
  );
});

test('a header block without end or without Content-Length is fatal, not buffered forever', () => {
  assert.match(feed(new FrameLimiter(1000, 64), Buffer.alloc(100, 'a'), [10, 50]).fatal ?? '', /header block longer/);
  assert.match(feed(new FrameLimiter(), Buffer.from('Content-Type: x\r\n\r\n{}'), []).fatal ?? '', /Content-Length/);
  assert.match(feed(new FrameLimiter(), Buffer.from('Content-Length: 99999999999999999999\r\n\r\n'), []).fatal ?? '', /Content-Length/);
});

test('any bytes at all: never throws, output never exceeds input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000, size: 'max' }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const r = feed(new FrameLimiter(100, 256), Buffer.from(bytes), cuts);
      assert.ok(r.out.length <= bytes.length);
    }),
  );
});
