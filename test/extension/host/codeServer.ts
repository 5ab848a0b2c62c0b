/**
 * Starts the VS Code server build inside the code-server package and opens its workbench in headless
 * Chromium through playwright-core: the real VS Code the extension tests and UI tests run in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Repository root, from out/test/extension/host/. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
/** The code-server entry installed by scripts/vscode-host/setup.sh. */
export const CODE_SERVER_ENTRY = join(REPO_ROOT, '.vscode-test/code-server/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.BTD_CHROMIUM ?? '/usr/bin/chromium';

/** A running code-server process and where to reach it. */
export interface CodeServer {
  port: number;
  process: ChildProcess;
  /** Folder holding user data, extensions and XDG dirs; removed by stop(). */
  home: string;
  extensionsDir: string;
  stop(): Promise<void>;
}

/** Options of startCodeServer. */
export interface CodeServerOptions {
  userDataDir?: string;
  extensionsDir?: string;
  env?: Record<string, string | undefined>;
  /** XDG_STATE_HOME of the host and the daemons it starts (default: inside `home`); hosts given the same one share a user's daemon. */
  stateHome?: string;
  /** User settings on top of the test defaults. */
  userSettings?: Record<string, unknown>;
  /** Receives each line code-server prints. */
  onOutput?: (line: string) => void;
}

/** Starts code-server on a free loopback port and resolves once it listens. */
export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const home = mkdtempSync(join(tmpdir(), 'btd-vscode-'));
  const userDataDir = opts.userDataDir ?? join(home, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(home, 'extensions');
  for (const d of [join(userDataDir, 'User'), extensionsDir, join(home, 'config'), join(home, 'data')]) mkdirSync(d, { recursive: true });
  writeUserSettings(join(userDataDir, 'User', 'settings.json'), opts.userSettings);
  const child = spawn(process.execPath, [
    CODE_SERVER_ENTRY, '--auth', 'none', '--bind-addr', '127.0.0.1:0',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...opts.env,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      // The daemons started inside keep their catalog and resume data here, not in the user's home.
      XDG_STATE_HOME: opts.stateHome ?? join(home, 'state'),
      // A dead loopback port, so the workbench never reaches for a public gallery.
      EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
      VSCODE_OPTIONS: 'enable-smoke-test-driver',
    },
  });
  // If this process dies first, its code-server (a process group of its own) must not outlive it.
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killGroup);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killGroup);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const port = await waitForPort(child, opts.onOutput);
    return { port, process: child, home, extensionsDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Window-level settings for a quiet, repeatable window: no welcome pages, a fixed theme. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  // btd.daemonPath is machine-scoped (a workspace must not pick the executable), so a run that tries
  // another daemon build sets it here.
  ...(process.env.BTD_TEST_DAEMON_PATH ? { 'btd.daemonPath': process.env.BTD_TEST_DAEMON_PATH } : {}),
  // Each test host runs its own daemon, which ends with it; shared.test.ts turns the shared one on.
  'btd.daemon.keepRunning': false,
};

function writeUserSettings(path: string, extra: Record<string, unknown> = {}): void {
  if (!existsSync(path)) writeFileSync(path, JSON.stringify({ ...USER_SETTINGS, ...extra }, null, 2));
}

/** Reads code-server's output until it names the port it listens on. */
function waitForPort(child: ChildProcess, onOutput?: (line: string) => void): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let found = false;
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') onOutput?.(line);
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m && !found) {
          found = true;
          resolvePort(Number(m[1]));
        }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    child.once('exit', (code) => {
      if (!found) reject(new Error(`code-server exited with ${code} before listening`));
    });
  });
}

/** What the workbench page loads: a folder, and optionally an extension under development and its tests. */
export interface WorkbenchOptions {
  folder: string;
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
}

/** Builds the workbench URL, passing development paths as vscode-remote URIs the way the desktop CLI would. */
export function workbenchUrl(port: number, opts: WorkbenchOptions): string {
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload: [string, string][] = [];
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: opts.folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${port}/?${query.toString()}`;
}

/** Launches headless Chromium with no route off the loopback interface. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** Opens a page of the given size. */
export async function openPage(browser: Browser, width = 1280, height = 800): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  return context.newPage();
}
