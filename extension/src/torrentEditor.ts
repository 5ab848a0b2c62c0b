/** Opening a .torrent file shows what is inside it (a read-only custom editor), with Download and Seed buttons. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { summarizeTorrent, torrentPage } from './torrentView';

/** The editor's view type (package.json `customEditors`). */
export const TORRENT_EDITOR_VIEW_TYPE = 'btd.torrentFile';

/** Largest .torrent read for display: the daemon's own metainfo cap. */
const MAX_BYTES = 16 * 1024 * 1024;

/** Read-only editor of .torrent files. */
export class TorrentEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly copy: (text: string) => Thenable<void>) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    const stat = await vscode.workspace.fs.stat(document.uri);
    const summary = stat.size > MAX_BYTES
      ? { error: `the file is ${stat.size} bytes, more than a .torrent may be (${MAX_BYTES})` }
      : summarizeTorrent(await vscode.workspace.fs.readFile(document.uri));
    panel.webview.html = torrentPage(summary, randomBytes(16).toString('base64'));
    panel.webview.onDidReceiveMessage((msg: { command?: unknown }) => {
      if (msg.command === 'download') void vscode.commands.executeCommand('btd.torrent.download', document.uri);
      else if (msg.command === 'seed') void vscode.commands.executeCommand('btd.torrent.seed', document.uri);
      else if (msg.command === 'copyMagnet' && !('error' in summary)) void this.copy(summary.magnet);
    });
  }
}
