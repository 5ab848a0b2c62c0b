/**
 * One VS Code window of the two-windows test: its own code-server (so its own extension host and
 * environment) on a page of a shared headless browser, with the extension under development and
 * role.js as its extensionTestsPath. The window's role and the exchange folder reach role.js through
 * the environment code-server hands its extension host.
 */
import { join } from 'node:path';
import { format } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { openPage, REPO_ROOT, startCodeServer, workbenchUrl, type CodeServer } from '../host/codeServer';
import { pollUntil } from './exchange';

/** What a window is told: its name and role, the exchange folder, the shared state folder, the workspace. */
export interface WindowOptions {
  name: string;
  role: 'adder' | 'watcher' | 'reattach';
  exchangeDir: string;
  stateHome: string;
  workspace: string;
  /** The file the adder makes a torrent of, and the watcher waits to see. */
  data: string;
  /** Longest code-server may take to listen. */
  startMs: number;
}

/** An open window. */
export interface TestWindow {
  name: string;
  /** Why the window can no longer report (its extension host exited, code-server ended), else undefined. */
  gone(): string | undefined;
  /** Waits until the extension host exits (role.js resolved or failed) and returns its exit code. */
  exited(timeoutMs: number): Promise<number>;
  /** What the window printed (its workbench and extension host console), oldest first, at most LOG_LINES. */
  log(): string[];
  /** Closes the page and stops code-server. */
  close(): Promise<void>;
}

/** Lines of a window's console kept to show when a check fails. */
const LOG_LINES = 60;

/** Rejects after `ms` with a message naming `what` unless `p` settles first. */
export async function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a window's code-server and opens its workbench; resolves once the page is loading. */
export async function openWindow(browser: Browser, opts: WindowOptions): Promise<TestWindow> {
  const verbose = process.env.BTD_HOST_VERBOSE === '1';
  const server: CodeServer = await within(`code-server of window ${opts.name} to listen`, startCodeServer({
    stateHome: opts.stateHome,
    // Every window attaches to the user's shared daemon; no DHT, as the test is not about it.
    userSettings: { 'btd.daemon.keepRunning': true, 'btd.dht': false },
    env: {
      BTD_LOOPBACK_ONLY: '1',
      BTD_WINDOW_DIR: opts.exchangeDir,
      BTD_WINDOW_NAME: opts.name,
      BTD_WINDOW_ROLE: opts.role,
      BTD_WINDOW_DATA: opts.data,
    },
    onOutput: verbose ? (l) => console.error(`[code-server ${opts.name}] ${l}`) : undefined,
  }), opts.startMs);
  let exitCode: number | undefined;
  let serverGone: string | undefined;
  server.process.once('exit', (code, signal) => (serverGone = `its code-server exited (${String(code ?? signal)})`));
  const lines: string[] = [];
  let page: Page | undefined;
  try {
    page = await openPage(browser);
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The arguments of console.log in the window: a format string and its values. The workbench's
      // own chatter is shown only when a check fails, or as it comes with BTD_HOST_VERBOSE=1.
      const line = `[window ${opts.name}] ${type === 'error' ? 'error: ' : ''}${format(...args)}`;
      if (verbose) console.error(line);
      lines.push(line);
      if (lines.length > LOG_LINES) lines.shift();
    });
    if (verbose) page.on('console', (m) => console.error(`[page ${opts.name}] ${m.text()}`));
    await page.goto(workbenchUrl(server.port, {
      folder: opts.workspace,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: join(REPO_ROOT, 'out/test/extension/windows/role.js'),
    }));
  } catch (err) {
    await page?.context().close().catch(() => undefined);
    await server.stop();
    throw err;
  }
  const opened = page;
  return {
    name: opts.name,
    log: () => [...lines],
    gone: () => (exitCode !== undefined ? `its extension host exited with code ${exitCode}` : serverGone),
    exited: (timeoutMs) => pollUntil(`the extension host of window ${opts.name} to exit`, () => {
      if (exitCode !== undefined) return exitCode;
      if (serverGone !== undefined) throw new Error(`window ${opts.name}: ${serverGone} before its extension host exited`);
      return undefined;
    }, timeoutMs),
    close: async () => {
      await opened.context().close().catch(() => undefined);
      await server.stop();
    },
  };
}
