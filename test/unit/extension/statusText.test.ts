import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statusView } from '../../../extension/src/statusText';
import { hash, torrent } from './fixtures';

describe('statusView', () => {
  test('hidden without torrents', () => {
    assert.equal(statusView([]).text, undefined);
  });

  test('aggregates progress over downloading torrents and rates over all', () => {
    const v = statusView([
      torrent({ infoHash: hash('a'), totalLength: 1000, verifiedBytes: 200, downloadRate: 12_300_000, uploadRate: 100_000 }),
      torrent({ infoHash: hash('b'), totalLength: 1000, verifiedBytes: 640, downloadRate: 0, uploadRate: 0 }),
      torrent({ infoHash: hash('c'), state: 'seeding', totalLength: 5000, verifiedBytes: 5000, uploadRate: 1_000_000 }),
    ]);
    assert.equal(v.text, '↓ 42% 12.3 MB/s ↑ 1.1 MB/s');
    assert.match(v.tooltip, /3 torrents, 2 downloading, 1 seeding/);
  });

  test('seeding only shows the upload rate and count', () => {
    assert.equal(statusView([torrent({ state: 'seeding', uploadRate: 2500 })]).text, '↑ 2.5 kB/s (1 seeding)');
  });

  test('paused torrents only: idle text', () => {
    assert.equal(statusView([torrent({ state: 'paused' })]).text, 'BitTorrent: idle');
  });
});

describe('statusView with the DHT', () => {
  test('the tooltip tells the DHT node count, alone when there is no torrent', () => {
    assert.equal(statusView([], 312).tooltip, 'DHT: 312 nodes');
    assert.equal(statusView([], 312).text, undefined);
    assert.match(statusView([torrent({ state: 'seeding' })], 1).tooltip, /seeding — click to show them\nDHT: 1 node$/);
    assert.doesNotMatch(statusView([torrent({ state: 'seeding' })]).tooltip, /DHT/);
  });
});

describe('statusView: the daemon', () => {
  test('the tooltip names the daemon: shared or the window\'s own', () => {
    const shared = statusView([torrent({ state: 'seeding' })], undefined, { pid: 42, mode: 'socket', stateDir: '/s' });
    assert.match(shared.tooltip, /\nDaemon: shared by every window \(pid 42\), keeps seeding when VS Code closes$/);
    const own = statusView([], 3, { pid: 7, mode: 'stdio', stateDir: '/s' });
    assert.equal(own.tooltip, "DHT: 3 nodes\nDaemon: this window's own (pid 7), stops with the window");
  });
});

describe('statusTable', () => {
  test('a Markdown table of torrents, rates, DHT and daemon', async () => {
    const { statusTable } = await import('../../../extension/src/statusText.js');
    const md = statusTable([torrent({ state: 'seeding', uploadRate: 2500 }), torrent({ downloadRate: 1000 })], 12, { pid: 9, mode: 'socket', stateDir: '/s' });
    assert.equal(md, [
      '**BitTorrent**', '', '| | |', '|---|---|',
      '| Torrents | 2 (1 downloading, 1 seeding) |',
      '| Download | 1.0 kB/s |',
      '| Upload | 2.5 kB/s |',
      '| DHT | 12 nodes |',
      '| Daemon | shared by every window, pid 9 |',
      '', 'Click to show the torrents.',
    ].join('\n'));
  });
});
