/** The "General" facts of the details page, from a torrent's snapshot: plain data, formatted here. */
import type { TorrentDetails } from '../../../protocol/src';
import { formatBytes, formatPercent, formatRate, formatRatio } from '../format';

/** `1 h 5 min`, `3 min 20 s`, `42 s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** Time left at the current rate, or undefined when it cannot be told. */
export function eta(t: TorrentDetails): number | undefined {
  const left = Math.max(0, (t.wantedLength ?? t.totalLength) - t.verifiedBytes);
  if (left === 0) return 0;
  return t.downloadRate > 0 ? left / t.downloadRate : undefined;
}

/** Label → text rows for the page. */
export function detailsFacts(t: TorrentDetails, now: number): [string, string][] {
  const left = eta(t);
  return [
    ['State', t.error ? `${t.state}: ${t.error}` : t.state],
    ['Progress', `${formatPercent(t.progress)} (${t.havePieces} of ${t.pieceCount} pieces of ${formatBytes(t.pieceLength)})`],
    ['Size', formatBytes(t.totalLength)],
    ['Downloaded / uploaded', `${formatBytes(t.downloaded)} / ${formatBytes(t.uploaded)} (ratio ${formatRatio(t.ratio)})`],
    ['Rates', `↓ ${formatRate(t.downloadRate)} ↑ ${formatRate(t.uploadRate)}`],
    ['ETA', left === undefined ? '—' : left === 0 ? 'done' : formatDuration(left)],
    ['Peers', `${t.peers} (${t.seeds} seeds)`],
    ['Time active', formatDuration((now - t.addedAt) / 1000)],
    ['Info hash', t.infoHash],
    ['Magnet', t.magnet],
    ['Private', t.private ? 'yes' : 'no'],
    ['Folder', t.savePath],
  ];
}
