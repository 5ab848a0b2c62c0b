/**
 * The torrents view: renders TreeNode data as tree items and refreshes (throttled) when the store changes.
 * A torrent expands into its files (asked of the daemon while the row is open) and its peers.
 */
import * as vscode from 'vscode';
import type { TorrentFileStatus } from '../../protocol/src';
import { buildFileTree, findEntry, type FileTreeEntry } from './fileTree';
import { filesGroupNode, fileNodes, peerNodes, torrentNodes, type TreeNode } from './treeModel';
import { throttle, type Throttled } from './throttle';
import type { FilterKey, SortKey } from './viewOrder';
import type { TorrentStore } from './torrentStore';

/** At most this many tree refreshes per second, however fast notifications arrive. */
export const TREE_REFRESH_MS = 500;

/** Where the tree gets a torrent's files: `torrent/files`. */
export type FileSource = (infoHash: string) => Promise<readonly TorrentFileStatus[]>;

/** TreeDataProvider over the torrent store: torrents at the root, their files and peers below. */
export class TorrentTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  /** Fires when the tree must be redrawn. */
  readonly onDidChangeTreeData = this.changed.event;
  private readonly throttled: Throttled;
  private readonly unsubscribe: () => void;

  /** How the torrents are sorted and which are shown. */
  sort: SortKey = 'added';
  filter: FilterKey = 'all';

  /** Changes the order or the filter and redraws. */
  setView(sort: SortKey, filter: FilterKey): void {
    this.sort = sort;
    this.filter = filter;
    this.changed.fire(undefined);
  }

  /** The last file list of each torrent whose files were shown. */
  private readonly files = new Map<string, FileTreeEntry>();

  constructor(private readonly store: TorrentStore, private readonly fileSource?: FileSource) {
    this.throttled = throttle(() => this.changed.fire(undefined), TREE_REFRESH_MS);
    this.unsubscribe = store.onChange(() => this.refresh());
  }

  /** Schedules a redraw (coalesced with others in the same interval). */
  refresh(): void {
    this.throttled();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.kind;
    item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.checked !== undefined) item.checkboxState = node.checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
    if (node.diskPath !== undefined) item.resourceUri = vscode.Uri.file(node.diskPath);
    if (node.kind === 'file.complete') item.command = { command: 'btd.file.open', title: 'Open', arguments: [node] };
    return item;
  }

  /** The torrents (at once); below a row, its files and peers. */
  getChildren(): TreeNode[];
  getChildren(node: TreeNode): Promise<TreeNode[]>;
  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    return node === undefined ? torrentNodes(this.store, this.sort, this.filter) : this.childrenOf(node);
  }

  private async childrenOf(node: TreeNode): Promise<TreeNode[]> {
    const torrent = this.store.get(node.infoHash);
    if (torrent === undefined) return [];
    switch (node.kind) {
      case 'torrent':
      case 'torrent.paused': {
        const group = this.fileSource !== undefined && !torrent.metadataPending ? [filesGroupNode(torrent)] : [];
        return [...group, ...peerNodes(this.store, node.infoHash)];
      }
      case 'group.files':
        return fileNodes(torrent, (await this.loadFiles(node.infoHash))?.children ?? []);
      case 'folder': {
        const root = this.files.get(node.infoHash) ?? (await this.loadFiles(node.infoHash));
        return fileNodes(torrent, (root && findEntry(root, node.path ?? []))?.children ?? []);
      }
      default:
        return [];
    }
  }

  /** The files entry a file or folder row stands for, from the last list shown. */
  entryOf(node: TreeNode): FileTreeEntry | undefined {
    const root = this.files.get(node.infoHash);
    return root && findEntry(root, node.path ?? []);
  }

  private async loadFiles(infoHash: string): Promise<FileTreeEntry | undefined> {
    try {
      const root = buildFileTree((await this.fileSource?.(infoHash)) ?? []);
      this.files.set(infoHash, root);
      return root;
    } catch {
      // Removed meanwhile, or the daemon is gone: the next refresh shows what is there.
      this.files.delete(infoHash);
      return undefined;
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.throttled.dispose();
    this.changed.dispose();
  }
}
