/** The tree view's nodes as plain data: labels, descriptions and tooltips computed from the store. */
import { join } from 'node:path';
import type { PeerInfo, TorrentInfo } from '../../protocol/src';
import { entryDescription, isWanted, type FileTreeEntry } from './fileTree';
import { formatBytes, formatPercent, formatRate, formatRatio } from './format';
import type { TorrentStore } from './torrentStore';
import { orderTorrents, type FilterKey, type SortKey } from './viewOrder';

/** Node kinds; each doubles as the tree item's contextValue, which menus in package.json match on. */
export type NodeKind = 'torrent' | 'torrent.paused' | 'peer' | 'group.files' | 'folder' | 'file' | 'file.complete';

/** One row of the tree. */
export interface TreeNode {
  kind: NodeKind;
  /** Stable id: the info hash, or `<info hash>/<ip:port>`. */
  id: string;
  infoHash: string;
  label: string;
  description: string;
  tooltip: string;
  /** Codicon id for the row. */
  icon: string;
  expandable: boolean;
  /** Files and folders: ticked (wanted) or not (skipped). */
  checked?: boolean;
  /** Folders and files: path components below the torrent's top, to find the entry again. */
  path?: string[];
  /** Files: where the file is (or will be) on disk. */
  diskPath?: string;
  /** Files: the index in the torrent. */
  fileIndex?: number;
}

/** The torrents, in daemon order unless a sort and filter are given. */
export function torrentNodes(store: TorrentStore, sort: SortKey = 'added', filter: FilterKey = 'all'): TreeNode[] {
  return orderTorrents(store.list(), sort, filter).map(torrentNode);
}

/** The peers of one torrent, sorted by address so rows do not jump between refreshes. */
export function peerNodes(store: TorrentStore, infoHash: string): TreeNode[] {
  return store
    .peersOf(infoHash)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => peerNode(infoHash, p));
}

const STATE_ICONS: Record<TorrentInfo['state'], string> = {
  checking: 'sync',
  downloading: 'cloud-download',
  seeding: 'cloud-upload',
  paused: 'debug-pause',
  error: 'error',
};

/** What a torrent is doing: its state, with the error or how far its check has come. */
function stateText(t: TorrentInfo): string {
  if (t.state === 'error') return `error: ${t.error ?? 'unknown'}`;
  if (t.state === 'checking' && t.checkProgress !== undefined) return `checking (${formatPercent(t.checkProgress)} checked)`;
  if (t.metadataPending && t.state === 'downloading') return `fetching metadata from ${t.metadataPeers ?? 0} peers`;
  return t.state;
}

/** A torrent row: `name` — `downloading 42% ↓ 1.2 MB/s ↑ 0 B/s ratio 0.10`. */
export function torrentNode(t: TorrentInfo): TreeNode {
  const state = stateText(t);
  const description = `${state} ${formatPercent(t.progress)} ↓ ${formatRate(t.downloadRate)} ↑ ${formatRate(t.uploadRate)} ratio ${formatRatio(t.ratio)}`;
  const tooltip = [
    t.name,
    `Info hash: ${t.infoHash}`,
    `State: ${state}`,
    `Progress: ${formatPercent(t.progress)} of ${formatBytes(t.totalLength)} (${t.havePieces}/${t.pieceCount} pieces)`,
    `Downloaded ${formatBytes(t.downloaded)}, uploaded ${formatBytes(t.uploaded)}`,
    `Peers: ${t.peers} (${t.seeds} seeds)`,
    `Folder: ${t.savePath}`,
  ].join('\n');
  return {
    kind: t.state === 'paused' ? 'torrent.paused' : 'torrent',
    id: t.infoHash,
    infoHash: t.infoHash,
    label: t.name,
    description,
    tooltip,
    icon: STATE_ICONS[t.state] ?? 'file',
    expandable: true,
  };
}

/** Choke/interest flags in the style of other clients: d/D = we want/get data, u/U = they want/get data. */
export function peerFlags(p: PeerInfo): string {
  const flags: string[] = [];
  if (p.amInterested) flags.push(p.peerChoking ? 'd' : 'D');
  if (p.peerInterested) flags.push(p.amChoking ? 'u' : 'U');
  if (p.direction === 'incoming') flags.push('I');
  if (p.source === 'pex') flags.push('X');
  if (p.source === 'dht') flags.push('H');
  return flags.join('');
}

/** A peer row: `ip:port` — `client 42% ↓ … ↑ … DU`. */
export function peerNode(infoHash: string, p: PeerInfo): TreeNode {
  const flags = peerFlags(p);
  const description = `${p.client || 'unknown client'} ${formatPercent(p.progress)} ↓ ${formatRate(p.downloadRate)} ↑ ${formatRate(p.uploadRate)}${flags ? ` ${flags}` : ''}`;
  const tooltip = [
    `${p.id} (${p.direction}${p.source ? `, found through ${p.source}` : ''})`,
    `Client: ${p.client || 'unknown'}`,
    `Their progress: ${formatPercent(p.progress)}`,
    `We choke them: ${p.amChoking ? 'yes' : 'no'}, they choke us: ${p.peerChoking ? 'yes' : 'no'}`,
    `We are interested: ${p.amInterested ? 'yes' : 'no'}, they are interested: ${p.peerInterested ? 'yes' : 'no'}`,
  ].join('\n');
  return {
    kind: 'peer',
    id: `${infoHash}/${p.id}`,
    infoHash,
    label: p.id,
    description,
    tooltip,
    icon: 'person',
    expandable: false,
  };
}

/** The "Files" row under a torrent: expands into its folders and files. */
export function filesGroupNode(t: TorrentInfo): TreeNode {
  return {
    kind: 'group.files',
    id: `${t.infoHash}/files`,
    infoHash: t.infoHash,
    label: 'Files',
    description: formatBytes(t.totalLength),
    tooltip: `The files of ${t.name}: untick one to skip it, right-click for its priority`,
    icon: 'files',
    expandable: true,
  };
}

/** The rows of a folder's entries (folders first): size, progress, priority, check box. */
export function fileNodes(t: TorrentInfo, entries: readonly FileTreeEntry[]): TreeNode[] {
  return entries.map((e) => {
    const isFile = e.file !== undefined;
    const rel = e.path.join('/');
    const onDisk = e.file !== undefined ? join(t.savePath, ...e.file.path) : undefined;
    return {
      kind: isFile ? (e.bytesDone >= e.length ? 'file.complete' : 'file') : 'folder',
      id: `${t.infoHash}/f/${rel}`,
      infoHash: t.infoHash,
      label: e.name,
      description: entryDescription(e),
      tooltip: [rel, `${formatBytes(e.bytesDone)} of ${formatBytes(e.length)}`, ...(onDisk ? [onDisk] : [])].join('\n'),
      icon: isFile ? 'file' : 'folder',
      expandable: !isFile,
      checked: isWanted(e),
      path: e.path,
      ...(onDisk !== undefined && { diskPath: onDisk }),
      ...(e.file !== undefined && { fileIndex: e.file.index }),
    };
  });
}
