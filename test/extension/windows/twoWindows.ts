/**
 * Two real windows, one daemon: two code-servers (each with its own extension host running the extension
 * under development) share one XDG_STATE_HOME, so both attach to the user's shared socket daemon. Window
 * A seeds a torrent through the extension's commands, window B sees it arrive in its store, its
 * torrent/list and its BitTorrent view; both close and the daemon goes on; a third window attaches
 * later, finds the torrent, and Stop Daemon ends the daemon. What each window does is in role.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultStateDir } from '../../../daemon/src/rpc/paths';
import { linkPaths } from '../../../extension/src/daemonLink';
import { launchBrowser } from '../host/codeServer';
import { makeWorkspace } from '../host/workspace';
import { runChecks, type Counts } from '../ui/check';
import { pollUntil, readReport, signal } from './exchange';
import type { AddedReport, AttachedReport, SeenReport } from './role';
import { openWindow, type TestWindow } from './window';

/** Longest code-server may take to listen. */
const START_MS = 60_000;
/** Longest from opening a window to its extension attached (workbench load, activation, daemon start). */
const ATTACH_MS = 180_000;
/** Longest one step inside a window may take (seeding a torrent, seeing it in another window). */
const STEP_MS = 60_000;
/** Longest a window's extension host takes to exit once let go, and the daemon once stopped. */
const EXIT_MS = 30_000;

/** The pid in a state folder's lock file: the daemon that holds it, if one ever did. */
function lockHolder(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir, 'btd.lock'), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the two-windows checks under `root` (removed by the caller). */
export async function runWindowsTests(root: string): Promise<Counts> {
  const exchangeDir = join(root, 'exchange');
  const stateHome = join(root, 'state');
  mkdirSync(exchangeDir, { recursive: true });
  mkdirSync(stateHome, { recursive: true });
  const workspace = makeWorkspace(root);
  const data = join(workspace, 'two-windows.bin');
  writeFileSync(data, randomBytes(256 * 1024));
  const stateDir = defaultStateDir({ XDG_STATE_HOME: stateHome });
  const paths = linkPaths(stateDir);
  const browser = await launchBrowser();
  const open = new Map<string, TestWindow>();
  const opened: TestWindow[] = [];
  let daemonPid: number | undefined;
  let added: AddedReport | undefined;
  let seenInB = false;

  const start = async (name: string, role: 'adder' | 'watcher' | 'reattach'): Promise<TestWindow> => {
    const w = await openWindow(browser, { name, role, exchangeDir, stateHome, workspace, data, startMs: START_MS });
    open.set(name, w);
    opened.push(w);
    return w;
  };
  const report = <T>(w: TestWindow, step: string, ms: number): Promise<T> => readReport<T>(exchangeDir, w.name, step, ms, () => w.gone());
  const windowNamed = (name: string): TestWindow => {
    const w = open.get(name);
    assert.ok(w, `needs window ${name} from the check before`);
    return w;
  };
  /** Lets a window's role finish, checks its extension host ended well, and closes it. */
  const closeWindow = async (w: TestWindow): Promise<void> => {
    signal(exchangeDir, w.name, 'close');
    const code = await w.exited(EXIT_MS);
    open.delete(w.name);
    await w.close();
    assert.equal(code, 0, `window ${w.name}'s extension host exit code`);
  };

  try {
    return await runChecks('two windows, one daemon (code-server)', [
      ['windows A and B attach to one shared socket daemon', async () => {
        const a = await start('A', 'adder');
        const atA = await report<AttachedReport>(a, 'attached', ATTACH_MS);
        assert.equal(atA.mode, 'socket');
        assert.deepEqual(atA.torrents, [], 'a fresh state folder has no torrents');
        daemonPid = atA.pid;
        assert.ok(existsSync(paths.socketPath), `the shared daemon listens at ${paths.socketPath}`);
        const b = await start('B', 'watcher');
        const atB = await report<AttachedReport>(b, 'attached', ATTACH_MS);
        assert.equal(atB.mode, 'socket');
        assert.equal(atB.pid, atA.pid, 'window B attached to the daemon window A started');
      }],
      ['a torrent seeded in window A shows in window B: its store, torrent/list and BitTorrent view', async () => {
        const a = windowNamed('A');
        const b = windowNamed('B');
        signal(exchangeDir, a.name, 'add');
        added = await report<AddedReport>(a, 'added', STEP_MS);
        const seen = await report<SeenReport>(b, 'seen', STEP_MS);
        const name = basename(data);
        assert.equal(seen.infoHash, added.infoHash);
        assert.equal(seen.state, 'seeding');
        assert.ok(seen.listed.includes(name), `torrent/list in window B: ${seen.listed.join(', ')}`);
        assert.ok(seen.rows.some((r) => r.includes(name)), `rows of window B's view: ${seen.rows.join(' | ')}`);
        seenInB = true;
      }],
      ['the daemon outlives both windows; a third attaches later, finds the torrent, and Stop Daemon ends it', async () => {
        assert.ok(daemonPid !== undefined && added !== undefined && seenInB, 'needs the daemon and the torrent seen in both windows, from the checks before');
        const pid = daemonPid;
        for (const w of [...open.values()]) await closeWindow(w);
        assert.ok(isAlive(pid), 'the shared daemon outlives the windows');
        const c = await start('C', 'reattach');
        const atC = await report<AttachedReport>(c, 'attached', ATTACH_MS);
        assert.equal(atC.mode, 'socket');
        assert.equal(atC.pid, pid, 'window C reattached to the same daemon');
        assert.ok(atC.torrents.includes(added.infoHash), 'window C finds the torrent seeded in window A');
        signal(exchangeDir, c.name, 'stop');
        await report(c, 'stopped', STEP_MS);
        await pollUntil('the shared daemon to exit after Stop Daemon', () => (isAlive(pid) ? undefined : true), EXIT_MS);
        assert.equal(existsSync(paths.socketPath), false, 'the daemon removed its socket');
        const code = await c.exited(EXIT_MS);
        open.delete(c.name);
        await c.close();
        assert.equal(code, 0, "window C's extension host exit code");
      }],
    ], async () => {
      for (const w of opened) console.log(`      window ${w.name}'s console:\n${w.log().map((l) => `        ${l}`).join('\n')}`);
    });
  } finally {
    for (const w of open.values()) {
      signal(exchangeDir, w.name, 'close');
      await w.close();
    }
    await browser.close();
    // A failed run must not leave the daemon it started behind.
    const left = daemonPid ?? lockHolder(stateDir);
    if (left !== undefined && isAlive(left)) {
      process.kill(left, 'SIGKILL');
      await pollUntil(`the daemon left behind (pid ${left}) to end`, () => (isAlive(left) ? undefined : true), EXIT_MS);
    }
  }
}
