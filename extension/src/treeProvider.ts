/** The torrents view: renders TreeNode data as tree items and refreshes (throttled) when the store changes. */
import * as vscode from 'vscode';
import { peerNodes, torrentNodes, type TreeNode } from './treeModel';
import { throttle, type Throttled } from './throttle';
import type { TorrentStore } from './torrentStore';

/** At most this many tree refreshes per second, however fast notifications arrive. */
export const TREE_REFRESH_MS = 500;

/** TreeDataProvider over the torrent store: torrents at the root, their peers below. */
export class TorrentTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  /** Fires when the tree must be redrawn. */
  readonly onDidChangeTreeData = this.changed.event;
  private readonly throttled: Throttled;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: TorrentStore) {
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
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node === undefined) return torrentNodes(this.store);
    return node.kind === 'peer' ? [] : peerNodes(this.store, node.infoHash);
  }

  dispose(): void {
    this.unsubscribe();
    this.throttled.dispose();
    this.changed.dispose();
  }
}
