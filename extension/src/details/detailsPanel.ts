/**
 * Torrent Details: one webview panel per torrent. While it is open it samples the torrent's rates every
 * second; while it is visible it also asks the daemon for the torrent, its pieces and its peers, and
 * posts them to the page. Hidden, it asks nothing.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { PeerListRequest, TorrentGetRequest, TorrentPiecesRequest } from '../../../protocol/src';
import type { Daemon } from '../daemon';
import type { TorrentStore } from '../torrentStore';
import { detailsFacts } from './detailsFacts';
import { detailsPage, type DetailsUpdate } from './detailsPage';
import { SpeedHistory } from './speedHistory';

/** Refresh interval of an open panel. */
export const DETAILS_REFRESH_MS = 1000;
const CHART = { width: 600, height: 120 };

/** The open panels, by info hash. */
const open = new Map<string, DetailsPanel>();

/** Opens (or reveals) the details of a torrent. */
export function showDetails(daemon: Daemon, store: TorrentStore, infoHash: string): DetailsPanel | undefined {
  const existing = open.get(infoHash);
  if (existing) {
    existing.panel.reveal();
    return existing;
  }
  const t = store.get(infoHash);
  if (t === undefined) return undefined;
  const panel = new DetailsPanel(daemon, store, infoHash, t.name);
  open.set(infoHash, panel);
  panel.panel.onDidDispose(() => open.delete(infoHash));
  return panel;
}

/** One torrent's details panel. */
export class DetailsPanel {
  readonly panel: vscode.WebviewPanel;
  private readonly history = new SpeedHistory();
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  /** Updates posted to the page, and the last one (for tests). */
  updates = 0;
  last: DetailsUpdate | undefined;

  constructor(private readonly daemon: Daemon, private readonly store: TorrentStore, private readonly infoHash: string, name: string) {
    this.panel = vscode.window.createWebviewPanel('btd.details', `${name} — details`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    this.panel.webview.html = detailsPage(name, randomBytes(16).toString('base64'));
    this.timer = setInterval(() => void this.tick(), DETAILS_REFRESH_MS);
    this.panel.onDidDispose(() => clearInterval(this.timer));
    this.panel.onDidChangeViewState(() => void this.tick());
    void this.tick();
  }

  private async tick(): Promise<void> {
    const t = this.store.get(this.infoHash);
    if (t === undefined) {
      this.panel.dispose();
      return;
    }
    this.history.add(t.downloadRate, t.uploadRate);
    if (!this.panel.visible || this.busy) return;
    this.busy = true;
    try {
      const [torrent, pieces, peers] = await Promise.all([
        this.daemon.request(TorrentGetRequest.type, { infoHash: this.infoHash }),
        this.daemon.request(TorrentPiecesRequest.type, { infoHash: this.infoHash }).catch(() => undefined),
        this.daemon.request(PeerListRequest.type, { infoHash: this.infoHash }).then((r) => r.peers, () => []),
      ]);
      const update: DetailsUpdate = {
        type: 'update', torrent, ...(pieces && { pieces }), peers,
        chart: { ...this.history.chart(CHART.width, CHART.height), ...CHART },
        facts: detailsFacts(torrent, Date.now()),
      };
      if (await this.panel.webview.postMessage(update)) {
        this.updates++;
        this.last = update;
      }
    } catch {
      // Removed or the daemon is gone: the next tick sees it.
    } finally {
      this.busy = false;
    }
  }
}
