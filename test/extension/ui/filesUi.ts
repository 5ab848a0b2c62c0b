/**
 * UI checks of the richer views, as a person uses them, with the README's pictures: a torrent's files in
 * the tree (one unticked), its details panel with the pieces map and speed chart, and the walkthrough.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SessionSetSettingsRequest, TorrentCreateRequest, TorrentSeedRequest } from '../../../protocol/src';
import { startPeerDaemon, type PeerDaemon } from '../suite/peerDaemon';
import type { Workbench } from './workbench';

/** What the checks need from the run. */
export interface FilesUiContext {
  page: Page;
  wb: Workbench;
  ws: string;
  root: string;
  shots: string;
  downloads: string;
  trackerUrl(): string;
}

/** The checks, in order; `cleanup` stops the peer they start. */
export function filesChecks(c: FilesUiContext): { checks: [string, () => Promise<void>][]; cleanup: () => Promise<void> } {
  let peer: PeerDaemon | undefined;
  const season = join(c.ws, 'season');
  const torrentPath = join(c.ws, 'season.torrent');
  return {
    cleanup: async () => {
      await peer?.stop();
    },
    checks: [
      ['A torrent\'s files in the tree: untick one, and it is skipped', async () => {
        mkdirSync(season, { recursive: true });
        for (const [name, size] of [['e01.mkv', 4 << 20], ['e02.mkv', 4 << 20], ['notes.txt', 40_000], ['cover.jpg', 150_000]] as const) {
          writeFileSync(join(season, name), randomBytes(size));
        }
        peer = await startPeerDaemon(join(c.root, 'season-peer'), join(c.root, 'season-peer-state'));
        const made = await peer.connection.sendRequest(TorrentCreateRequest.type, { path: season, trackers: [c.trackerUrl()], pieceLength: 65536, outputPath: torrentPath });
        await peer.connection.sendRequest(TorrentSeedRequest.type, { torrent: { base64: made.base64 }, dataPath: season });
        // Slow enough that the download is still under way for the pictures.
        await peer.connection.sendRequest(SessionSetSettingsRequest.type, { uploadRateLimit: 100 * 1024 });
        await c.wb.clearNotifications();
        await c.wb.runCommand('BitTorrent: Download…');
        await c.wb.answer('what to download');
        await c.wb.chooseFile('choose the .torrent file', torrentPath);
        await c.wb.answer('destination folder');
        await c.wb.notification(/Downloading season/);
        await c.wb.clearNotifications();
        const row = await c.wb.treeRow(/^season/);
        await row.locator.click();
        // gamma.bin's Files row comes first; season's is the second once its row has opened.
        const files = c.page.locator('.part.sidebar .monaco-list-row', { hasText: /^Files/ }).nth(1);
        await files.waitFor({ timeout: 20_000 });
        await files.click();
        const e02 = await c.wb.treeRow(/^e02\.mkv/);
        await e02.locator.locator('.custom-view-tree-node-item-checkbox').first().click();
        await c.wb.treeRow(/^e02\.mkv.*skip/);
        await c.wb.treeRow(/^e01\.mkv ?\d+% of/);
        await c.page.mouse.move(640, 600);
        await c.page.screenshot({ path: join(c.shots, 'torrent-files.png') });
      }],
      ['Show Details from the torrent\'s context menu: pieces map and speed chart', async () => {
        const row = await c.wb.treeRow(/^season/);
        await row.locator.click({ button: 'right' });
        await c.page.locator('.context-view .action-item', { hasText: 'Show Details' }).first().hover();
        await c.page.keyboard.press('Enter');
        const frame = c.page.frameLocator('iframe.webview.ready').frameLocator('iframe');
        await frame.locator('h1', { hasText: 'season' }).waitFor({ timeout: 20_000 });
        // A few samples in the chart and the map of a download under way.
        await frame.locator('#peak', { hasText: /peak [1-9][\d.]* kB\/s/ }).waitFor({ timeout: 30_000 });
        await frame.locator('#peers td', { hasText: /^127\.0\.0\.1:\d+$/ }).first().waitFor({ timeout: 20_000 });
        // Enough samples for a line a reader can see: poll the chart's path (a condition, with a deadline).
        const deadline = Date.now() + 30_000;
        while (((await frame.locator('#down').getAttribute('d')) ?? '').split('L').length < 12) {
          if (Date.now() > deadline) throw new Error('the speed chart did not fill within 30 s');
          await c.page.waitForTimeout(250);
        }
        await c.page.screenshot({ path: join(c.shots, 'torrent-details.png') });
        await c.wb.runCommand('View: Close Editor');
      }],
      ['The walkthrough opens from the Welcome page', async () => {
        await c.wb.runCommand('Welcome: Open Walkthrough...');
        await c.wb.quickInput().fill('Get started with BitTorrent');
        await c.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get started with BitTorrent' }).first().waitFor({ timeout: 20_000 });
        await c.page.keyboard.press('Enter');
        await c.page.locator('.gettingStartedContainer', { hasText: 'Download a torrent or magnet link' }).first().waitFor({ timeout: 20_000 });
        await c.page.screenshot({ path: join(c.shots, 'walkthrough.png') });
        await c.wb.runCommand('View: Close Editor');
      }],
    ],
  };
}
