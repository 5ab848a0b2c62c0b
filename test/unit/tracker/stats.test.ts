import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateCounter } from '../../../daemon/src/tracker/server/stats';
import { escapeHtml, renderStatsPage } from '../../../daemon/src/tracker/server/stats-page';

test('rate counter averages over the last ten seconds', () => {
  let now = 100_000;
  const rate = new RateCounter(() => now, now);
  for (let i = 0; i < 20; i++) rate.hit();
  assert.equal(rate.perSecond(), 20, 'first second: the span is at least one second');
  now += 5000;
  for (let i = 0; i < 30; i++) rate.hit();
  assert.equal(rate.perSecond(), 10);
  now += 20_000;
  assert.equal(rate.perSecond(), 0);
  assert.equal(rate.total, 50);
});

test('stats page escapes what it shows and lists torrents', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const swarm = { infoHash: Buffer.alloc(20, 0xcd).toString('latin1'), complete: 1, incomplete: 0, downloaded: 4 };
  const stats = { torrents: 1, seeders: 1, leechers: 0, peers: 1, announces: 9, scrapes: 0, announcesPerSecond: 1, scrapesPerSecond: 0, uptimeSeconds: 3, startedAt: '<script>' };
  const html = renderStatsPage(stats, [swarm]);
  assert.ok(html.includes('cd'.repeat(20)));
  assert.ok(html.includes('&lt;script&gt;') && !html.includes('<script>'));
  assert.match(html, /http-equiv="refresh"/);
  assert.match(renderStatsPage({ ...stats, torrents: 0 }, []), /No torrents yet/);
});
