/** Activation: starts the daemon client, the view, the status bar and the commands; deactivation stops them. */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import {
  DhtStatsRequest, PeerChangedNotification, TorrentFilesRequest, SessionSetSettingsRequest, TorrentProgressNotification, TorrentStateChangedNotification,
  type Settings,
} from '../../protocol/src';
import { CommandIds, FILE_PRIORITIES, HANDLERS } from './commands';
import { openFileRow, setRowPriority, setRowWanted } from './commands/files';
import { downloadDropped } from './commands/drop';
import { addFromUri } from './commands/uri';
import { infoHashArg } from './commands/args';
import { showDetails } from './details/detailsPanel';
import { FILTER_CHOICES, SORT_CHOICES } from './viewOrder';
import type { CommandContext } from './commands/context';
import { refresh } from './commands/manage';
import { defaultStateDir } from '../../daemon/src/rpc/paths';
import { DaemonClient } from './daemonClient';
import { describeError } from './errors';
import { changedSessionSettings, readSettings, toSessionSettings, type ExtensionSettings } from './settings';
import { TorrentStatusBar } from './statusBar';
import { TorrentStore } from './torrentStore';
import { TorrentEditorProvider, TORRENT_EDITOR_VIEW_TYPE } from './torrentEditor';
import { TorrentTreeProvider } from './treeProvider';
import { createVscodeUi, TORRENTS_VIEW_ID } from './vscodeApi';

/** How often the status bar's tooltip learns the DHT's node count. */
const DHT_POLL_MS = 10_000;

/** What activate() returns: read access for other extensions and the integration tests. */
export interface BtdApi {
  store: TorrentStore;
  tree: TorrentTreeProvider;
  daemon: DaemonClient;
  /** The status bar text, or undefined while hidden. */
  statusText(): string | undefined;
}

let active: DaemonClient | undefined;

/** Activates on a BitTorrent command or the view. */
export async function activate(context: vscode.ExtensionContext): Promise<BtdApi> {
  const output = vscode.window.createOutputChannel('BitTorrent', { log: true });
  const settings = (): ExtensionSettings => readSettings((key) => vscode.workspace.getConfiguration('btd').get(key));
  const home = homedir();
  const store = new TorrentStore();
  const ui = createVscodeUi(output);
  const daemon = new DaemonClient({
    extensionPath: context.extensionPath,
    daemonPath: settings().daemonPath,
    output,
    initializationOptions: () => toSessionSettings(settings(), home),
    // The shared daemon listens on a Unix domain socket; Windows windows run their own.
    keepRunning: () => settings()['daemon.keepRunning'] && process.platform !== 'win32',
    stateDir: defaultStateDir(process.env, home),
    onGaveUp: (message) => void ui.error(message, 'Show Log').then((c) => c && ui.showLog()),
  });
  active = daemon;
  const ctx: CommandContext = { ui, daemon, store, settings, homeDir: home, storageDir: context.globalStorageUri.fsPath, state: {} };

  // Before the store applies the change, so the state it had is still there to compare.
  daemon.onNotification(TorrentStateChangedNotification.type, (p) => {
    const before = store.get(p.infoHash);
    if (before?.state === 'downloading' && p.state === 'seeding' && settings().notifyOnComplete) {
      void ui.info(`Downloaded "${before.name}".`, 'Open Folder').then((c) => (c === 'Open Folder' ? ui.revealFolder(before.savePath) : undefined));
    }
  });
  daemon.onNotification(TorrentProgressNotification.type, (t) => store.upsert(t));
  daemon.onNotification(TorrentStateChangedNotification.type, (p) => store.applyStateChanged(p));
  daemon.onNotification(PeerChangedNotification.type, (p) => store.applyPeerChanged(p));
  const tree = new TorrentTreeProvider(store, async (infoHash) => (await daemon.request(TorrentFilesRequest.type, { infoHash })).files);
  const statusBar = new TorrentStatusBar(store, CommandIds.showView);
  let running = false;
  // Check boxes by hand: ticking a folder means its files, which the tree learns from the daemon's answer.
  const treeView = vscode.window.createTreeView(TORRENTS_VIEW_ID, {
    treeDataProvider: tree, showCollapseAll: true, manageCheckboxStateManually: true,
    dragAndDropController: {
      dropMimeTypes: ['text/uri-list', 'text/plain'],
      dragMimeTypes: [],
      handleDrop: async (_target, data) => {
        const text = async (mime: string): Promise<string> => (await data.get(mime)?.asString()) ?? '';
        await downloadDropped(ctx, await text('text/uri-list'), await text('text/plain'));
      },
    },
  });
  let daemonLabel: string | undefined;
  /** The view's title line: which daemon, and the filter when one is on. */
  const describeView = (): void => {
    const filter = tree.filter === 'all' ? undefined : FILTER_CHOICES.find(([k]) => k === tree.filter)?.[1].toLowerCase();
    treeView.description = [daemonLabel, filter && `showing: ${filter}`].filter(Boolean).join(' · ') || undefined;
  };
  daemon.onRunning((up) => {
    running = up;
    const info = up ? daemon.info : undefined;
    statusBar.setDaemon(info);
    daemonLabel = info === undefined ? undefined : info.mode === 'socket' ? 'shared daemon' : "this window's daemon";
    describeView();
    // A stopped daemon's rates and states are stale: show nothing rather than a frozen picture.
    if (up) void refresh(ctx);
    else {
      store.reset([]);
      statusBar.setDhtNodes(undefined);
    }
  });
  // Only while the daemon runs: a request would start a stopped one.
  const dhtPoll = setInterval(() => {
    if (running) void daemon.request0(DhtStatsRequest.type).then((s) => statusBar.setDhtNodes(s.enabled ? s.nodes : undefined), () => undefined);
  }, DHT_POLL_MS);
  context.subscriptions.push(
    output, tree, statusBar,
    treeView,
    ...Object.entries(HANDLERS).map(([id, handler]) => vscode.commands.registerCommand(id, (arg: unknown) => handler(ctx, arg))),
    vscode.commands.registerCommand(CommandIds.restart, () => daemon.restart(settings().daemonPath)),
    vscode.commands.registerCommand(CommandIds.stop, () => daemon.stopDaemon()),
    ...FILE_PRIORITIES.map(([id, priority]) => vscode.commands.registerCommand(id, async (arg: unknown) => {
      const done = await setRowPriority(ctx, (n) => tree.entryOf(n), arg, priority);
      tree.refresh();
      return done;
    })),
    vscode.commands.registerCommand(CommandIds.sort, async () => {
      const pick = await ui.pick(SORT_CHOICES.map(([value, label]) => ({ label, value, ...(value === tree.sort && { description: 'current' }) })), { title: 'Sort torrents by' });
      if (pick) tree.setView(pick.value, tree.filter);
      describeView();
    }),
    vscode.commands.registerCommand(CommandIds.filter, async () => {
      const pick = await ui.pick(FILTER_CHOICES.map(([value, label]) => ({ label, value, ...(value === tree.filter && { description: 'current' }) })), { title: 'Show torrents' });
      if (pick) tree.setView(tree.sort, pick.value);
      describeView();
    }),
    vscode.commands.registerCommand(CommandIds.details, (arg: unknown) => {
      const infoHash = infoHashArg(arg);
      return infoHash === undefined ? undefined : showDetails(daemon, store, infoHash);
    }),
    vscode.commands.registerCommand(CommandIds.openFile, (arg: unknown) => openFileRow(ctx, arg)),
    vscode.window.registerCustomEditorProvider(TORRENT_EDITOR_VIEW_TYPE, new TorrentEditorProvider((t) => vscode.env.clipboard.writeText(t))),
    vscode.window.registerUriHandler({ handleUri: (uri) => void addFromUri(ctx, uri.path, uri.query) }),
    treeView.onDidChangeCheckboxState(async (e) => {
      for (const [node, state] of e.items) await setRowWanted(ctx, (n) => tree.entryOf(n), node, state === vscode.TreeItemCheckboxState.Checked);
      tree.refresh();
    }),
    watchSettings(daemon, settings, home, ui.error),
    { dispose: () => void daemon.stop() },
    { dispose: () => clearInterval(dhtPoll) },
  );

  try {
    await daemon.start();
  } catch (err) {
    void ui.error(describeError('Starting the BitTorrent daemon', err), 'Show Log').then((c) => c && ui.showLog());
  }
  return { store, tree, daemon, statusText: () => statusBar.text };
}

/**
 * Sends changed settings to the running daemon; a new daemonPath or daemon.keepRunning restarts it. Turning
 * keepRunning off stops the shared daemon first: this window's own daemon needs its state folder.
 */
function watchSettings(daemon: DaemonClient, settings: () => ExtensionSettings, home: string, showError: (m: string) => unknown): vscode.Disposable {
  let last = settings();
  let lastSession: Settings = toSessionSettings(last, home);
  return vscode.workspace.onDidChangeConfiguration(async (e) => {
    if (!e.affectsConfiguration('btd')) return;
    const now = settings();
    const session = toSessionSettings(now, home);
    const diff = changedSessionSettings(lastSession, session);
    const pathChanged = now.daemonPath !== last.daemonPath;
    const leavingShared = last['daemon.keepRunning'] && !now['daemon.keepRunning'];
    const restart = pathChanged || now['daemon.keepRunning'] !== last['daemon.keepRunning'];
    last = now;
    lastSession = session;
    try {
      if (leavingShared) await daemon.stopDaemon();
      if (restart) await daemon.restart(now.daemonPath);
      else if (Object.keys(diff).length > 0 && daemon.running) await daemon.request(SessionSetSettingsRequest.type, diff);
    } catch (err) {
      showError(describeError('Applying the BitTorrent settings', err));
    }
  });
}

/** Stops the daemon (shutdown + exit) when VS Code unloads the extension. */
export async function deactivate(): Promise<void> {
  const daemon = active;
  active = undefined;
  await daemon?.stop();
}
