import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeedHistory } from '../../../extension/src/details/speedHistory';
import { detailsFacts, eta, formatDuration } from '../../../extension/src/details/detailsFacts';
import { detailsPage } from '../../../extension/src/details/detailsPage';
import type { TorrentDetails } from '../../../protocol/src';
import { torrent } from './fixtures';

describe('details: speed history', () => {
  test('keeps the last N samples; the newest is at the right edge, the peak at the top', () => {
    const h = new SpeedHistory(3);
    h.add(100, 0);
    h.add(200, 50);
    h.add(NaN, -5);
    h.add(400, 100);
    assert.equal(h.length, 3);
    const c = h.chart(200, 100);
    assert.equal(c.peak, 400);
    assert.equal(c.down, 'M0.0,50.0 L100.0,100.0 L200.0,0.0');
    assert.equal(c.up, 'M0.0,87.5 L100.0,100.0 L200.0,75.0');
    assert.deepEqual(new SpeedHistory(5).chart(10, 10), { down: '', up: '', peak: 1 });
  });
});

describe('details: facts', () => {
  const details = (o: Partial<TorrentDetails>): TorrentDetails => ({
    ...torrent(), pieceLength: 16384, magnet: 'magnet:?xt=urn:btih:x', private: false, files: [], trackers: [], ...o,
  });

  test('durations and ETA', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(200), '3 min 20 s');
    assert.equal(formatDuration(3900), '1 h 5 min');
    assert.equal(formatDuration(90000), '1 d 1 h');
    assert.equal(formatDuration(-1), '—');
    assert.equal(eta(details({ verifiedBytes: 500, wantedLength: 1000, downloadRate: 100 })), 5);
    assert.equal(eta(details({ verifiedBytes: 1000, wantedLength: 1000 })), 0);
    assert.equal(eta(details({ verifiedBytes: 0, downloadRate: 0 })), undefined);
  });

  test('the General rows', () => {
    const rows = new Map(detailsFacts(details({ addedAt: 1000, verifiedBytes: 500, wantedLength: 1000, downloadRate: 50 }), 61_000));
    assert.equal(rows.get('Time active'), '1 min 0 s');
    assert.equal(rows.get('ETA'), '10 s');
    assert.equal(rows.get('Magnet'), 'magnet:?xt=urn:btih:x');
  });
});

describe('details: page', () => {
  test('strict CSP with a nonce, the title escaped, one script, text set through textContent', () => {
    const html = detailsPage('<img src=x onerror=alert(1)>', 'N1');
    assert.match(html, /content="default-src 'none'; style-src 'nonce-N1'; script-src 'nonce-N1'; img-src data:;"/);
    assert.ok(!html.includes('<img src=x'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(!/innerHTML/.test(html), 'no HTML built from data');
  });
});
