import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  createTransferView,
  formatBytes,
  formatDuration,
  formatStatusLine,
  type TransferStatus,
} from '../../../daemon/src/cli/transfer-view';

const MiB = 1024 * 1024;

function status(over: Partial<TransferStatus> = {}): TransferStatus {
  return {
    name: 'x',
    state: 'downloading',
    progress: 0.5,
    totalLength: 32 * MiB,
    verifiedBytes: 16 * MiB,
    downloadRate: 5 * MiB,
    uploadRate: 0,
    peers: 2,
    etaSeconds: 4,
    uploaded: 0,
    ...over,
  };
}

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('transfer view', () => {
  test('formats sizes, durations and a status line', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    assert.equal(formatDuration(undefined), '--');
    assert.equal(formatDuration(59), '59s');
    assert.equal(formatDuration(3725), '1h02m');
    assert.equal(formatStatusLine(status()), 'downloading   50.0%  16.0 MiB/32.0 MiB  down 5.0 MiB/s  up 0 B/s  peers 2  eta 4s');
    assert.match(formatStatusLine(status({ state: 'seeding', uploaded: MiB })), /uploaded 1\.0 MiB$/);
  });

  test('plain lines are throttled to the interval, except on a change of state, and stop prints the last state', () => {
    let now = 0;
    const { stream, lines } = capture();
    const view = createTransferView({ stream, tty: false, intervalMs: 2000, now: () => now });
    view.update(status({ progress: 0.1 }));
    now = 1000;
    view.update(status({ progress: 0.2 }));
    now = 2000;
    view.update(status({ progress: 0.3 }));
    now = 2500;
    view.update(status({ state: 'seeding', progress: 1 }));
    now = 2600;
    view.update(status({ state: 'seeding', progress: 1, uploaded: 5 }));
    view.line('done');
    view.stop();
    const got = lines();
    assert.equal(got.length, 5);
    assert.match(got[0], / 10\.0%/);
    assert.match(got[1], / 30\.0%/);
    assert.match(got[2], /^seeding/);
    assert.equal(got[3], 'done');
    assert.match(got[4], /uploaded 5 B$/);
  });

  test('stop does not repeat a line identical to the last one printed', () => {
    let now = 0;
    const { stream, lines } = capture();
    const view = createTransferView({ stream, tty: false, intervalMs: 1000, now: () => now });
    view.update(status({ state: 'seeding', progress: 1 }));
    now = 10;
    view.update(status({ state: 'seeding', progress: 1 }));
    view.stop();
    assert.equal(lines().length, 1);
  });

  test('a terminal gets a redrawn bar and lines that clear it', () => {
    const { stream, lines } = capture();
    Object.assign(stream, { isTTY: true, columns: 160 }); // what the bar library draws on
    const view = createTransferView({ stream, tty: true, intervalMs: 1000 });
    view.update(status());
    view.line('hello');
    view.stop();
    const all = lines().join('\n');
    assert.match(all, /50%/);
    assert.ok(all.includes('\r\x1b[Khello'));
  });
});
