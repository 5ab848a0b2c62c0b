/**
 * The UI test: a person's path through the real VS Code page — F1, command titles, answering the prompts,
 * reading notifications, the tree and the status bar — and the screenshots the docs use.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, openPage, REPO_ROOT, startCodeServer, workbenchUrl } from '../host/codeServer';
import { makeWorkspace } from '../host/workspace';
import { SessionSetSettingsRequest, TorrentAddRequest } from '../../../protocol/src';
import { startPeerDaemon } from '../suite/peerDaemon';
import { runChecks, type Counts } from './check';
import { filesChecks } from './filesUi';
import { Workbench } from './workbench';

/** Where screenshots go: docs/images with BTD_UPDATE_SCREENSHOTS=1, else the run's temp folder. */
function screenshotDir(root: string): string {
  const dir = process.env.BTD_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'images') : join(root, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Keeps a picture of a failed check where BTD_UI_FAILSHOTS points (the run's temp folder is removed). */
export async function failureShot(page: Page, name: string): Promise<void> {
  const dir = process.env.BTD_UI_FAILSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^\w]+/g, '-').slice(0, 60)}.png`);
  await page.screenshot({ path: file });
  console.log(`      screenshot: ${file}`);
}

/** Rewrites the workspace settings with `extra` on top of the test defaults. */
function writeSettings(ws: string, extra: Record<string, unknown>): void {
  const path = join(ws, '.vscode', 'settings.json');
  const base = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(base)) if (key === 'btd.uploadRateLimit') delete base[key];
  writeFileSync(path, JSON.stringify({ ...base, ...extra }, null, 2));
}

/** Drags the sidebar's edge as a person would, so rows fit without ellipses in the picture. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const edge = box.x + box.width;
  await page.mouse.move(edge - 1, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + 200, { steps: 5 });
  await page.mouse.up();
}

/** Runs the UI checks against a fresh code-server with the extension under development. */
export async function runUiTests(root: string): Promise<Counts> {
  const ws = makeWorkspace(root);
  const dataPath = join(ws, 'gamma.bin');
  writeFileSync(dataPath, randomBytes(3 * 1024 * 1024));
  const torrentPath = join(ws, 'gamma.bin.torrent');
  writeFileSync(join(ws, 'delta.bin'), randomBytes(200_000));
  const shots = screenshotDir(root);
  const server = await startCodeServer();
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, 1280, 720);
    await page.goto(workbenchUrl(server.port, { folder: ws, extensionDevelopmentPath: REPO_ROOT }));
    const wb = new Workbench(page);
    await wb.ready();
    let trackerUrl = '';
    const rich = filesChecks({ page, wb, ws, root, shots, downloads: join(root, 'downloads'), trackerUrl: () => trackerUrl });
    return await runChecks('UI (playwright)', [
      ['Start Tracker from the palette shows the announce URL', async () => {
        await wb.runCommand('BitTorrent: Start Tracker');
        const shown = await wb.notification(/Tracker running/);
        assert.match(shown, /Tracker running: http:\/\/127\.0\.0\.1:\d+\/announce/);
        trackerUrl = /http:\/\/127\.0\.0\.1:\d+\/announce/.exec(shown)?.[0] ?? '';
      }],
      ['Create Torrent from the palette, answering its prompts', async () => {
        await wb.runCommand('BitTorrent: Create Torrent…');
        await wb.chooseFile('choose a file or folder', dataPath);
        await wb.answer('trackers');
        await wb.answer('piece length');
        await wb.answer('Save the .torrent file');
        const text = await wb.notification(/Created/);
        assert.match(text, new RegExp(`Created ${torrentPath.replace(/[.]/g, '\\.')} \\(\\d+ pieces of [\\d.]+ \\w?B\\)`));
        await page.locator('.notification-toast', { hasText: /Created/ }).first().screenshot({ path: join(shots, 'create-torrent.png') });
      }],
      ['Seed from the palette; the status bar shows it and clicking it reveals the view listing it', async () => {
        await wb.runCommand('BitTorrent: Seed…');
        await wb.chooseFile('choose the .torrent file', torrentPath);
        await wb.chooseFile('the file or folder the torrent was made of', dataPath);
        await wb.notification(/Seeding gamma\.bin/);
        const status = await wb.statusBarEntry(/\(1 seeding\)/);
        assert.match(status.text, /^↑ [\d.]+ \w?B\/s \(1 seeding\)$/);
        await status.locator.click();
        const row = await wb.treeRow(/gamma\.bin.*seeding 100%/);
        assert.match(row.text, /gamma\.bin ?seeding 100% ↓ 0 B\/s ↑ [\d.]+ \w?B\/s ratio/);
      }],
      ['Create Torrent from the Explorer\'s context menu', async () => {
        await wb.clearNotifications();
        await wb.runCommand('View: Show Explorer');
        await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'delta.bin' }).first().click({ button: 'right' });
        await page.locator('.context-view .action-item', { hasText: 'Create Torrent…' }).first().hover();
        await page.keyboard.press('Enter');
        await wb.answer('trackers');
        await wb.answer('piece length');
        await wb.answer('Save the .torrent file');
        assert.match(await wb.notification(/Created .*delta/), /Created .*delta\.bin\.torrent \(\d+ pieces/);
      }],
      ['Default keys: Ctrl+Shift+Alt+B shows the torrents view, Ctrl+Shift+Alt+D asks what to download', async () => {
        // The Explorer is in front after the check before; a key brings the torrents back.
        await page.keyboard.press('Escape');
        await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
        await page.keyboard.press('Control+Shift+Alt+KeyB');
        await wb.treeRow(/gamma\.bin.*seeding/);
        await page.keyboard.press('Control+Shift+Alt+KeyD');
        await page.locator('.quick-input-widget', { hasText: 'what to download' }).waitFor({ timeout: 20_000 });
        await page.keyboard.press('Escape');
      }],
      ['Download of a torrent already there: the error says so', async () => {
        await wb.clearNotifications();
        await wb.runCommand('BitTorrent: Download…');
        await wb.answer('what to download');
        await wb.chooseFile('choose the .torrent file', torrentPath);
        await wb.answer('destination folder');
        assert.match(await wb.notification(/Download failed/), /Download failed: .*\. It is already in the BitTorrent view\./);
      }],
      ['A second daemon downloads from us: its connection shows under the torrent', async () => {
        // A person would type these in the settings editor; writing the file has the same effect.
        writeSettings(ws, { 'btd.uploadRateLimit': 64 });
        const peer = await startPeerDaemon(join(root, 'peer-downloads'), join(root, 'peer-state'));
        try {
          // The peer's own limit keeps the transfer going while we look, however soon our setting applies.
          await peer.connection.sendRequest(SessionSetSettingsRequest.type, { downloadRateLimit: 64 * 1024 });
          await peer.connection.sendRequest(TorrentAddRequest.type, { torrent: { path: torrentPath }, savePath: join(root, 'peer-downloads') });
          await wb.clearNotifications();
          await wb.runCommand('BitTorrent: Show Torrents');
          await widenSidebar(page, 760);
          const row = await wb.treeRow(/gamma\.bin.*seeding/);
          await row.locator.click();
          const peerRow = await wb.treeRow(/127\.0\.0\.1:\d+/);
          assert.match(peerRow.text, /^127\.0\.0\.1:\d+ ?btd [\d.]+ \d+% ↓ [\d.]+ \w?B\/s ↑ [\d.]+ \w?B\/s/);
          await wb.statusBarEntry(/↑ [1-9][\d.]* \w?B\/s \(1 seeding\)/);
          const box = await page.locator('.part.sidebar').boundingBox();
          assert.ok(box);
          await page.screenshot({ path: join(shots, 'torrents-view.png'), clip: { x: box.x, y: box.y, width: box.width, height: 140 } });
          await page.locator('.part.statusbar').screenshot({ path: join(shots, 'status-bar.png') });
        } finally {
          writeSettings(ws, {});
          await peer.stop();
        }
      }],
      ...rich.checks,
    ], (name) => failureShot(page, name)).finally(() => rich.cleanup());
  } finally {
    await browser.close();
    await server.stop();
  }
}
