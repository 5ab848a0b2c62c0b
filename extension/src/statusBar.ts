/** The status bar item: aggregate progress and rates, refreshed (throttled) from the store; click reveals the view. */
import * as vscode from 'vscode';
import type { DaemonInfo } from '../../protocol/src';
import { statusTable, statusView } from './statusText';
import { throttle, type Throttled } from './throttle';
import type { TorrentStore } from './torrentStore';

/** At most one status bar update per this interval. */
export const STATUS_REFRESH_MS = 1000;

/** Owns the status bar item. */
export class TorrentStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly throttled: Throttled;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: TorrentStore, showCommand: string) {
    this.item = vscode.window.createStatusBarItem('btd.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'BitTorrent';
    this.item.command = showCommand;
    this.throttled = throttle(() => this.update(), STATUS_REFRESH_MS);
    this.unsubscribe = store.onChange(() => this.throttled());
    this.update();
  }

  /** The text shown now, or undefined while hidden. */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  private visible = false;
  private dhtNodes: number | undefined;

  /** The daemon's DHT node count (undefined: off or not known), shown in the tooltip. */
  setDhtNodes(n: number | undefined): void {
    if (n === this.dhtNodes) return;
    this.dhtNodes = n;
    this.throttled();
  }

  private daemon: DaemonInfo | undefined;

  /** The daemon this window talks to (undefined while disconnected), shown in the tooltip. */
  setDaemon(info: DaemonInfo | undefined): void {
    if (info?.pid === this.daemon?.pid && info?.mode === this.daemon?.mode) return;
    this.daemon = info;
    this.throttled();
  }

  private update(): void {
    const torrents = this.store.list();
    const view = statusView(torrents, this.dhtNodes, this.daemon);
    this.item.tooltip = new vscode.MarkdownString(statusTable(torrents, this.dhtNodes, this.daemon));
    if (view.text === undefined) {
      this.visible = false;
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.visible = true;
    this.item.show();
  }

  dispose(): void {
    this.unsubscribe();
    this.throttled.dispose();
    this.item.dispose();
  }
}
