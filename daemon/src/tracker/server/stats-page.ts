/** The `/stats` HTML page: totals and a table of the busiest torrents; every value is escaped. */
import type { TrackerStats } from './stats';
import type { SwarmSummary } from './store';

/** Rows shown at most; the JSON endpoint has the totals for the rest. */
export const STATS_PAGE_ROWS = 200;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function row(s: SwarmSummary): string {
  const hex = Buffer.from(s.infoHash, 'latin1').toString('hex');
  const cells = [hex, String(s.complete), String(s.incomplete), String(s.downloaded)].map(escapeHtml);
  return `<tr><td class="hash">${cells[0]}</td><td>${cells[1]}</td><td>${cells[2]}</td><td>${cells[3]}</td></tr>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222;background:#fafafa}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e4e4e4;text-align:right}
th:first-child,td.hash{text-align:left;font-family:ui-monospace,monospace}
.totals{display:flex;gap:1.5rem;flex-wrap:wrap;margin:1rem 0}.totals div{background:#fff;padding:.5rem .8rem;border:1px solid #e4e4e4;border-radius:6px}
.totals b{display:block;font-size:1.2rem}.note{color:#777}`;

/** The store's line: which store, and an outage while there is one. */
function storeNote(stats: TrackerStats): string {
  const s = stats.store;
  if (!s || s.kind === 'memory') return '';
  const state = s.available
    ? `reachable (${s.outages} outages, ${s.failures} requests refused since start)`
    : `<b>unavailable</b> since ${escapeHtml(s.unavailableSince ?? '?')}: announces are refused with "tracker storage unavailable, retry later"${s.lastError ? ` (${escapeHtml(s.lastError)})` : ''}`;
  const shared = stats.shared
    ? ` All instances: ${escapeHtml(String(stats.shared.announcesPerSecond))} announces/s, ${escapeHtml(String(stats.shared.scrapesPerSecond))} scrapes/s.`
    : '';
  return `<p class="note">Swarms in ${escapeHtml(s.kind)}: ${state}.${shared} Totals are those all instances share.</p>`;
}

/** Renders the page from the busiest swarms (most peers first); refreshes itself every `refreshSeconds`. */
export function renderStatsPage(stats: TrackerStats, busiest: readonly SwarmSummary[], refreshSeconds = 10): string {
  const totals: [string, string | number][] = [
    ['torrents', stats.torrents],
    ['seeders', stats.seeders],
    ['leechers', stats.leechers],
    ['announces/s', stats.announcesPerSecond],
    ['scrapes/s', stats.scrapesPerSecond],
    ['announces', stats.announces],
    ['uptime', `${stats.uptimeSeconds} s`],
  ];
  const shown = busiest.slice(0, STATS_PAGE_ROWS);
  const rows = shown.map(row).join('\n');
  const more = stats.torrents > shown.length ? `<p class="note">Showing the ${shown.length} busiest of ${stats.torrents} torrents.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refreshSeconds}">
<title>btd tracker</title><style>${STYLE}</style></head>
<body><h1>btd tracker</h1>
<p class="note">Started ${escapeHtml(stats.startedAt)}. <a href="stats.json">JSON</a></p>
${storeNote(stats)}
<div class="totals">${totals.map(([k, v]) => `<div>${escapeHtml(k)}<b>${escapeHtml(String(v))}</b></div>`).join('')}</div>
<table><thead><tr><th>info hash</th><th>seeders</th><th>leechers</th><th>completed</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4" class="note">No torrents yet.</td></tr>'}
</tbody></table>${more}
</body></html>
`;
}
