/** The status bar's text: aggregate progress and rates over all torrents. */
import type { DaemonInfo, TorrentInfo } from '../../protocol/src';
import { formatPercent, formatRate } from './format';

/** What the status bar shows; `undefined` text hides it. */
export interface StatusView {
  text?: string;
  tooltip: string;
}

/**
 * Sums the torrents into one line: `↓ 42% 12.3 MB/s ↑ 1.1 MB/s` while downloading, uploads alone while
 * seeding. `dhtNodes` (the daemon's DHT routing table, undefined while off or unknown) and the daemon
 * this window talks to go in the tooltip.
 */
export function statusView(torrents: readonly TorrentInfo[], dhtNodes?: number, daemon?: DaemonInfo): StatusView {
  const view = torrentsView(torrents);
  const lines = [view.tooltip];
  if (dhtNodes !== undefined) lines.push(`DHT: ${dhtNodes} node${dhtNodes === 1 ? '' : 's'}`);
  if (daemon !== undefined) lines.push(daemonLabel(daemon));
  return { ...view, tooltip: lines.filter((l) => l !== '').join('\n') };
}

/** The tooltip as a small Markdown table: torrents, rates, DHT nodes and the daemon. */
export function statusTable(torrents: readonly TorrentInfo[], dhtNodes?: number, daemon?: DaemonInfo): string {
  const downloading = torrents.filter((t) => t.state === 'downloading' || t.state === 'checking').length;
  const seeding = torrents.filter((t) => t.state === 'seeding').length;
  const rows: [string, string][] = [
    ['Torrents', `${torrents.length} (${downloading} downloading, ${seeding} seeding)`],
    ['Download', formatRate(sum(torrents, (t) => t.downloadRate))],
    ['Upload', formatRate(sum(torrents, (t) => t.uploadRate))],
  ];
  if (dhtNodes !== undefined) rows.push(['DHT', `${dhtNodes} node${dhtNodes === 1 ? '' : 's'}`]);
  if (daemon !== undefined) rows.push(['Daemon', daemon.mode === 'socket' ? `shared by every window, pid ${daemon.pid}` : `this window's own, pid ${daemon.pid}`]);
  const cell = (text: string): string => text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
  return ['**BitTorrent**', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`), '', 'Click to show the torrents.'].join('\n');
}

/** Which daemon a window talks to, in words: shared by every window, or the window's own. */
export function daemonLabel(daemon: DaemonInfo): string {
  return daemon.mode === 'socket'
    ? `Daemon: shared by every window (pid ${daemon.pid}), keeps seeding when VS Code closes`
    : `Daemon: this window's own (pid ${daemon.pid}), stops with the window`;
}

function torrentsView(torrents: readonly TorrentInfo[]): StatusView {
  if (torrents.length === 0) return { text: undefined, tooltip: '' };
  const downloading = torrents.filter((t) => t.state === 'downloading' || t.state === 'checking');
  const seeding = torrents.filter((t) => t.state === 'seeding');
  const down = sum(torrents, (t) => t.downloadRate);
  const up = sum(torrents, (t) => t.uploadRate);
  const tooltip = `BitTorrent: ${torrents.length} torrent${torrents.length === 1 ? '' : 's'}, ` +
    `${downloading.length} downloading, ${seeding.length} seeding — click to show them`;
  if (downloading.length > 0) {
    const total = sum(downloading, (t) => t.totalLength);
    const verified = sum(downloading, (t) => t.verifiedBytes);
    const progress = total > 0 ? verified / total : 0;
    return { text: `↓ ${formatPercent(progress)} ${formatRate(down)} ↑ ${formatRate(up)}`, tooltip };
  }
  if (seeding.length > 0) return { text: `↑ ${formatRate(up)} (${seeding.length} seeding)`, tooltip };
  return { text: 'BitTorrent: idle', tooltip };
}

function sum(list: readonly TorrentInfo[], pick: (t: TorrentInfo) => number): number {
  return list.reduce((acc, t) => acc + (Number.isFinite(pick(t)) ? pick(t) : 0), 0);
}
