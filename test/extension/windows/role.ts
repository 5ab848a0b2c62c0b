/**
 * What one window's extension host does in the two-windows test (loaded as its extensionTestsPath): it
 * uses the extension under test as a person's commands would, reports each step to the test through
 * the exchange folder, and waits for the test's go-ahead before the next one. Its role comes from
 * BTD_WINDOW_ROLE: `adder` adds a torrent, `watcher` waits to see it, `reattach` opens later and stops
 * the daemon at the end.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { TorrentListRequest, type TorrentCreateResult, type TorrentInfo, type TrackerServerInfo } from '../../../protocol/src';
import type { BtdApi } from '../../../extension/src/extension';
import { btdApi, waitFor } from '../suite/helpers';
import { awaitSignal, writeReport } from './exchange';

/** Longest a window waits for the test's next go-ahead. */
const STEP_MS = 120_000;

/** What a window reports once its extension is attached to the shared daemon. */
export interface AttachedReport {
  pid: number;
  mode: string;
  torrents: string[];
}

/** What the adder reports once its torrent seeds. */
export interface AddedReport {
  infoHash: string;
  torrentPath: string;
  trackerUrl: string;
}

/** What the watcher reports once it sees the torrent. */
export interface SeenReport {
  infoHash: string;
  state: string;
  /** Names in the daemon's torrent/list, asked through this window's client. */
  listed: string[];
  /** Labels of the top rows of this window's BitTorrent view. */
  rows: string[];
}

function env(key: string): string {
  const v = process.env[key];
  if (v === undefined || v === '') throw new Error(`${key} is not set`);
  return v;
}

async function attached(api: BtdApi): Promise<AttachedReport> {
  const info = await waitFor(api, 'the shared daemon', () => (api.daemon.info?.mode === 'socket' ? api.daemon.info : undefined));
  const list = await api.daemon.request0(TorrentListRequest.type);
  return { pid: info.pid, mode: info.mode, torrents: list.torrents.map((t) => t.infoHash) };
}

async function adder(api: BtdApi, dir: string, name: string): Promise<void> {
  await awaitSignal(dir, name, 'add', STEP_MS);
  const data = env('BTD_WINDOW_DATA');
  const tracker = await vscode.commands.executeCommand<TrackerServerInfo | undefined>('btd.tracker.start', { port: 0 });
  if (tracker === undefined) throw new Error('BitTorrent: Start Tracker failed');
  const torrentPath = `${data}.torrent`;
  const made = await vscode.commands.executeCommand<TorrentCreateResult | undefined>('btd.torrent.create', {
    path: data, trackers: [tracker.url], pieceLength: 16 * 1024, outputPath: torrentPath,
  });
  if (made === undefined) throw new Error('BitTorrent: Create Torrent failed');
  const seeded = await vscode.commands.executeCommand<TorrentInfo | undefined>('btd.torrent.seed', { torrentPath, dataPath: data });
  if (seeded === undefined) throw new Error('BitTorrent: Seed failed');
  await waitFor(api, 'the torrent to seed', () => (api.store.get(seeded.infoHash)?.state === 'seeding' ? true : undefined));
  const report: AddedReport = { infoHash: seeded.infoHash, torrentPath, trackerUrl: tracker.url };
  writeReport(dir, name, 'added', report);
}

async function watcher(api: BtdApi, dir: string, name: string): Promise<void> {
  const expected = basename(env('BTD_WINDOW_DATA'));
  // No go-ahead: this window is open before the torrent exists and sees it arrive.
  const torrent = await waitFor(api, `${expected} seeding in this window`, () => api.store.list().find((t) => t.name === expected && t.state === 'seeding'), STEP_MS);
  const list = await api.daemon.request0(TorrentListRequest.type);
  const rows = api.tree.getChildren().map((node) => {
    const label = api.tree.getTreeItem(node).label;
    return typeof label === 'string' ? label : (label?.label ?? '');
  });
  const report: SeenReport = { infoHash: torrent.infoHash, state: torrent.state, listed: list.torrents.map((t) => t.name), rows };
  writeReport(dir, name, 'seen', report);
}

async function reattach(dir: string, name: string): Promise<void> {
  await awaitSignal(dir, name, 'stop', STEP_MS);
  await vscode.commands.executeCommand('btd.daemon.stop');
  writeReport(dir, name, 'stopped', {});
}

/** Called by the extension host's test runner; resolves when the test lets this window close. */
export async function run(): Promise<void> {
  const dir = env('BTD_WINDOW_DIR');
  const name = env('BTD_WINDOW_NAME');
  const role = env('BTD_WINDOW_ROLE');
  try {
    const api = await btdApi();
    writeReport(dir, name, 'attached', await attached(api));
    if (role === 'adder') await adder(api, dir, name);
    else if (role === 'watcher') await watcher(api, dir, name);
    else if (role === 'reattach') await reattach(dir, name);
    else throw new Error(`unknown BTD_WINDOW_ROLE ${role}`);
    if (role !== 'reattach') await awaitSignal(dir, name, 'close', STEP_MS);
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    writeReport(dir, name, 'error', { message });
    console.error(`window ${name}: ${message}`);
    throw err;
  }
}
