/**
 * The torrent details page (a webview): pieces map, speed chart, trackers, peers and general facts. The
 * page is static; the panel posts it a DetailsUpdate, which its one script draws. Nothing is loaded from
 * anywhere (a strict Content-Security-Policy), and colours come from the theme's `--vscode-*` variables.
 */
import type { PeerInfo, TorrentDetails, TorrentPiecesResult } from '../../../protocol/src';
import { escapeHtml } from '../torrentView';

/** One message to the page. */
export interface DetailsUpdate {
  type: 'update';
  torrent: TorrentDetails;
  pieces?: TorrentPiecesResult;
  peers: PeerInfo[];
  chart: { down: string; up: string; peak: number; width: number; height: number };
  /** Pre-formatted facts: label → text. */
  facts: [string, string][];
}

/** The page, for `title` (the torrent's name). */
export function detailsPage(title: string, nonce: string): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:;`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${nonce}">
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); padding: 0 20px 20px; }
h1 { font-size: 1.3em; font-weight: 600; }
h2 { font-size: 1.05em; font-weight: 600; margin-top: 20px; }
canvas { width: 100%; height: 120px; border: 1px solid var(--vscode-panel-border); image-rendering: pixelated; }
svg { width: 100%; height: 120px; border: 1px solid var(--vscode-panel-border); }
.down { stroke: var(--vscode-charts-blue); fill: none; stroke-width: 1.5; }
.up { stroke: var(--vscode-charts-green); fill: none; stroke-width: 1.5; }
.legend span { margin-right: 16px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); padding: 2px 12px 2px 0; }
td { padding: 2px 12px 2px 0; word-break: break-all; }
.error { color: var(--vscode-errorForeground); }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<h2>Pieces</h2>
<canvas id="pieces" width="800" height="120"></canvas>
<div class="legend"><span><i class="swatch" id="k-have"></i>have</span><span><i class="swatch" id="k-dl"></i>downloading</span><span><i class="swatch" id="k-miss"></i>missing (darker: fewer peers have it)</span></div>
<h2>Speed, last 10 minutes</h2>
<svg id="chart" viewBox="0 0 600 120" preserveAspectRatio="none"><path class="down" id="down"/><path class="up" id="up"/></svg>
<div class="legend"><span class="down-l">↓ download</span><span>↑ upload</span><span id="peak"></span></div>
<h2>General</h2><table id="facts"></table>
<h2>Trackers</h2><table id="trackers"></table>
<h2>Peers</h2><table id="peers"></table>
<script nonce="${nonce}">
${PAGE_SCRIPT}
</script></body></html>`;
}

/** The page's script: draws each update; all text goes in through textContent. */
const PAGE_SCRIPT = String.raw`
const css = getComputedStyle(document.body);
const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
const HAVE = colour('--vscode-charts-blue', '#3794ff');
const DL = colour('--vscode-charts-yellow', '#cca700');
const MISS = colour('--vscode-editor-background', '#1e1e1e');
const RARE = colour('--vscode-descriptionForeground', '#888888');
document.getElementById('k-have').style.background = HAVE;
document.getElementById('k-dl').style.background = DL;
document.getElementById('k-miss').style.background = RARE;
document.getElementById('k-miss').style.opacity = '0.3';
const bits = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const has = (field, i) => (field[i >> 3] & (0x80 >> (i & 7))) !== 0;
function drawPieces(p) {
  const canvas = document.getElementById('pieces');
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = MISS; ctx.fillRect(0, 0, w, h);
  if (!p || p.pieceCount === 0) return;
  const have = bits(p.have), dl = bits(p.downloading), av = bits(p.availability);
  const maxAv = Math.max(1, ...av);
  const cols = Math.min(w, p.pieceCount);
  for (let x = 0; x < cols; x++) {
    const from = Math.floor(x * p.pieceCount / cols), to = Math.max(from + 1, Math.floor((x + 1) * p.pieceCount / cols));
    let nHave = 0, nDl = 0, a = 0;
    for (let i = from; i < to; i++) { if (has(have, i)) nHave++; else if (has(dl, i)) nDl++; a += av[i]; }
    const n = to - from;
    const x0 = Math.floor(x * w / cols), x1 = Math.floor((x + 1) * w / cols);
    if (nHave === n) { ctx.fillStyle = HAVE; ctx.globalAlpha = 1; }
    else if (nDl > 0) { ctx.fillStyle = DL; ctx.globalAlpha = 1; }
    else if (nHave > 0) { ctx.fillStyle = HAVE; ctx.globalAlpha = 0.3 + 0.6 * nHave / n; }
    else { ctx.fillStyle = RARE; ctx.globalAlpha = 0.12 + 0.4 * (1 - (a / n) / maxAv); }
    ctx.fillRect(x0, 0, Math.max(1, x1 - x0), h);
  }
  ctx.globalAlpha = 1;
}
function table(id, head, rows) {
  const t = document.getElementById(id);
  t.replaceChildren();
  if (head) { const tr = t.insertRow(); for (const h of head) { const th = document.createElement('th'); th.textContent = h; tr.appendChild(th); } }
  for (const r of rows) { const tr = t.insertRow(); for (const [i, c] of r.entries()) { const td = tr.insertCell(); td.textContent = c; if (!head && i === 0) td.className = 'k'; } }
  if (rows.length === 0) { const tr = t.insertRow(); tr.insertCell().textContent = 'none'; }
}
const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '—');
const rate = (b) => (b >= 1e6 ? (b / 1e6).toFixed(1) + ' MB/s' : b >= 1e3 ? (b / 1e3).toFixed(1) + ' kB/s' : Math.round(b) + ' B/s');
window.addEventListener('message', (e) => {
  const u = e.data;
  if (!u || u.type !== 'update') return;
  drawPieces(u.pieces);
  document.getElementById('down').setAttribute('d', u.chart.down);
  document.getElementById('up').setAttribute('d', u.chart.up);
  document.getElementById('peak').textContent = 'peak ' + rate(u.chart.peak);
  table('facts', null, u.facts);
  table('trackers', ['URL', 'last announce', 'next', 'seeders', 'leechers', 'error'],
    u.torrent.trackers.map((t) => [t.url, time(t.lastAnnounce), time(t.nextAnnounce), String(t.seeders ?? '—'), String(t.leechers ?? '—'), t.lastError ?? '']));
  table('peers', ['address', 'client', 'flags', 'from', 'progress', '↓', '↑'],
    u.peers.map((p) => [p.id, p.client || 'unknown', flags(p), p.source || (p.direction === 'incoming' ? 'incoming' : 'tracker'), Math.round(p.progress * 100) + '%', rate(p.downloadRate), rate(p.uploadRate)]));
});
function flags(p) {
  return [p.peerChoking ? 'choked' : 'unchoked', p.amInterested ? 'interested' : '', p.peerInterested ? 'they want' : ''].filter(Boolean).join(', ');
}
`;
