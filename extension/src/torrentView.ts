/**
 * What the .torrent editor shows: a summary of the file (from the daemon's own parser, run here) and the
 * page for the webview, with a strict Content-Security-Policy and the theme's colours.
 */
import { buildMagnet, MetainfoError, parseMetainfo } from '../../daemon/src/metainfo';
import { formatBytes } from './format';

/** At most this many files are listed; the rest are counted. */
export const MAX_LISTED_FILES = 500;

/** The facts shown about a .torrent file. */
export interface TorrentSummary {
  name: string;
  infoHash: string;
  magnet: string;
  totalLength: number;
  pieceLength: number;
  pieceCount: number;
  private: boolean;
  trackers: string[];
  webSeeds: string[];
  comment?: string;
  createdBy?: string;
  created?: string;
  files: { path: string; length: number; attr?: string }[];
  fileCount: number;
}

/** Parses a .torrent into its summary, or says why it is not a valid one. */
export function summarizeTorrent(bytes: Uint8Array): TorrentSummary | { error: string } {
  try {
    const m = parseMetainfo(bytes);
    const shown = m.files.filter((f) => !f.attr?.includes('p'));
    return {
      name: m.name,
      infoHash: m.infoHashHex,
      magnet: buildMagnet(m),
      totalLength: m.totalLength,
      pieceLength: m.pieceLength,
      pieceCount: m.pieceCount,
      private: m.private,
      trackers: m.announceList.flat(),
      webSeeds: m.urlList,
      ...(m.comment !== undefined && { comment: m.comment }),
      ...(m.createdBy !== undefined && { createdBy: m.createdBy }),
      ...(m.creationDate !== undefined && { created: new Date(m.creationDate * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') }),
      // A multi-file torrent's paths start with its name, shown above them.
      files: shown.slice(0, MAX_LISTED_FILES).map((f) => ({ path: (m.multiFile ? f.path.slice(1) : f.path).join('/'), length: f.length, ...(f.attr && { attr: f.attr }) })),
      fileCount: shown.length,
    };
  } catch (err) {
    return { error: err instanceof MetainfoError ? err.message : `not a readable .torrent file (${String(err)})` };
  }
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The webview page: only our nonce'd script and style run, nothing is loaded from anywhere. */
export function torrentPage(summary: TorrentSummary | { error: string }, nonce: string): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const body = 'error' in summary ? `<h1>Not a valid torrent</h1><p class="error">${escapeHtml(summary.error)}</p>` : details(summary);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); padding: 0 20px 20px; }
h1 { font-size: 1.4em; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); padding: 2px 16px 2px 0; vertical-align: top; }
td { padding: 2px 16px 2px 0; word-break: break-all; }
td.size { text-align: right; white-space: nowrap; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 6px 14px; margin-right: 8px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
.error { color: var(--vscode-errorForeground); }
code { font-family: var(--vscode-editor-font-family); }
</style></head>
<body>${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button[data-command]')) b.addEventListener('click', () => vscode.postMessage({ command: b.dataset.command }));
</script></body></html>`;
}

function details(s: TorrentSummary): string {
  const rows: [string, string][] = [
    ['Size', `${formatBytes(s.totalLength)} in ${s.fileCount} file${s.fileCount === 1 ? '' : 's'}`],
    ['Pieces', `${s.pieceCount} × ${formatBytes(s.pieceLength)}`],
    ['Info hash', `<code>${s.infoHash}</code>`],
    ['Private', s.private ? 'yes (trackers only: no DHT, no peer exchange)' : 'no'],
    ['Trackers', s.trackers.length > 0 ? s.trackers.map(escapeHtml).join('<br>') : 'none (peers are found through the DHT)'],
    ...(s.webSeeds.length > 0 ? [['Web seeds', s.webSeeds.map(escapeHtml).join('<br>')] as [string, string]] : []),
    ...(s.comment !== undefined ? [['Comment', escapeHtml(s.comment)] as [string, string]] : []),
    ...(s.createdBy !== undefined ? [['Created by', escapeHtml(s.createdBy)] as [string, string]] : []),
    ...(s.created !== undefined ? [['Created', s.created] as [string, string]] : []),
  ];
  const files = s.files.map((f) => `<tr><td>${escapeHtml(f.path)}${f.attr ? ` <span class="attr">[${escapeHtml(f.attr)}]</span>` : ''}</td><td class="size">${formatBytes(f.length)}</td></tr>`).join('');
  const more = s.fileCount > s.files.length ? `<p>… and ${s.fileCount - s.files.length} more files.</p>` : '';
  return `<h1>${escapeHtml(s.name)}</h1>
<p><button data-command="download">Download</button><button class="secondary" data-command="seed">Seed…</button><button class="secondary" data-command="copyMagnet">Copy Magnet Link</button></p>
<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>
<h2>Files</h2><table>${files}</table>${more}`;
}
