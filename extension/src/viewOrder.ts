/** Sorting and filtering the torrents view: pure functions over snapshots, and the choices offered. */
import type { TorrentInfo } from '../../protocol/src';

/** How the view is sorted. */
export type SortKey = 'added' | 'name' | 'progress' | 'state' | 'downloadRate' | 'uploadRate';
/** Which torrents it shows. */
export type FilterKey = 'all' | 'active' | 'downloading' | 'seeding' | 'paused' | 'error';

export const SORT_CHOICES: readonly [SortKey, string][] = [
  ['added', 'Order added'], ['name', 'Name'], ['progress', 'Progress (least first)'], ['state', 'State'],
  ['downloadRate', 'Download rate (fastest first)'], ['uploadRate', 'Upload rate (fastest first)'],
];
export const FILTER_CHOICES: readonly [FilterKey, string][] = [
  ['all', 'All torrents'], ['active', 'Active (transferring now)'], ['downloading', 'Downloading'], ['seeding', 'Seeding'],
  ['paused', 'Paused'], ['error', 'With an error'],
];

const STATE_ORDER: Record<string, number> = { error: 0, downloading: 1, checking: 2, seeding: 3, paused: 4 };

/** Whether a torrent passes a filter. */
export function passes(t: TorrentInfo, filter: FilterKey): boolean {
  switch (filter) {
    case 'all': return true;
    case 'active': return t.downloadRate > 0 || t.uploadRate > 0;
    case 'downloading': return t.state === 'downloading' || t.state === 'checking';
    default: return t.state === filter;
  }
}

/** The torrents to show, in order; ties keep the daemon's order (the order added). */
export function orderTorrents(list: readonly TorrentInfo[], sort: SortKey, filter: FilterKey): TorrentInfo[] {
  const shown = list.map((t, i) => ({ t, i })).filter(({ t }) => passes(t, filter));
  const key = (t: TorrentInfo): number | string => {
    switch (sort) {
      case 'name': return t.name.toLocaleLowerCase();
      case 'progress': return t.progress;
      case 'state': return STATE_ORDER[t.state] ?? 9;
      case 'downloadRate': return -t.downloadRate;
      case 'uploadRate': return -t.uploadRate;
      default: return 0;
    }
  };
  shown.sort((a, b) => {
    const ka = key(a.t), kb = key(b.t);
    const c = typeof ka === 'string' && typeof kb === 'string' ? ka.localeCompare(kb) : (ka as number) - (kb as number);
    return c !== 0 ? c : a.i - b.i;
  });
  return shown.map(({ t }) => t);
}
