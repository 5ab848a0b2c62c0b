import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createByteProgress } from '../../../daemon/src/cli/progress';

/** A stream that keeps what is written to it. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('without a terminal: plain lines at most every interval, and the final state once', () => {
  const out = sink();
  let now = 0;
  const p = createByteProgress({ label: 'hashing', total: 4 << 20, stream: out.stream, tty: false, intervalMs: 1000, now: () => now });
  p.update(1 << 20);
  now = 500;
  p.update(2 << 20);
  now = 1000;
  p.update(3 << 20);
  now = 2000;
  p.update(4 << 20);
  p.stop();
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^hashing +25\.0%/);
  assert.match(lines[1], /^hashing +75\.0%/);
  assert.match(lines[2], /^hashing +100\.0%/);
});

test('on a terminal: a bar with the label, the sizes and the percentage', () => {
  const out = sink();
  Object.assign(out.stream, { isTTY: true, columns: 120 });
  const p = createByteProgress({ label: 'hashing', total: 2 << 20, stream: out.stream, tty: true });
  p.update(2 << 20);
  p.stop();
  assert.match(out.text(), /hashing \[[^\]]+\] 100% \| 2\.0 MiB\/2\.0 MiB/);
});
