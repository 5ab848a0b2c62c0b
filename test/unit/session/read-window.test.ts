import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { READ_WINDOW, readWindow } from '../../../daemon/src/session/read-window';

const KiB = 1024;

describe('readWindow', () => {
  test('a piece no larger than the window is read whole', () => {
    assert.deepEqual(readWindow(256 * KiB, 128 * KiB, 16 * KiB, 256 * KiB), { start: 0, end: 256 * KiB });
    assert.deepEqual(readWindow(100, 50, 10, 256 * KiB), { start: 0, end: 100 });
  });

  test('a large piece is read from the aligned window holding the request', () => {
    const w = 256 * KiB;
    assert.deepEqual(readWindow(4096 * KiB, 0, 16 * KiB, w), { start: 0, end: w });
    assert.deepEqual(readWindow(4096 * KiB, 240 * KiB, 16 * KiB, w), { start: 0, end: w });
    assert.deepEqual(readWindow(4096 * KiB, 256 * KiB, 16 * KiB, w), { start: w, end: 2 * w });
  });

  test('the last window stops at the end of the piece', () => {
    assert.deepEqual(readWindow(600 * KiB, 520 * KiB, 16 * KiB, 256 * KiB), { start: 512 * KiB, end: 600 * KiB });
  });

  test('a request crossing the window end stretches it to the end of the request', () => {
    assert.deepEqual(readWindow(1024 * KiB, 250 * KiB, 16 * KiB, 256 * KiB), { start: 0, end: 266 * KiB });
  });

  test('the default window is a few blocks', () => {
    assert.equal(READ_WINDOW % (16 * KiB), 0);
    assert.ok(READ_WINDOW >= 64 * KiB && READ_WINDOW <= 1024 * KiB);
  });
});
