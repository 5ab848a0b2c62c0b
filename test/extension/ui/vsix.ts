/**
 * The packaging check: `vsce package` builds a .vsix offline, code-server installs it, and its commands
 * (with the daemon bundled inside) work in a window that has no extension under development.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY, launchBrowser, openPage, REPO_ROOT, startCodeServer, workbenchUrl } from '../host/codeServer';
import { makeWorkspace } from '../host/workspace';
import { runChecks, type Counts } from './check';
import { Workbench } from './workbench';

const VSCE = join(REPO_ROOT, 'node_modules', '.bin', 'vsce');

/** Files a .vsix must hold, and path prefixes it must not. */
const MUST_SHIP = ['package.json', 'bin/btd.js', 'extension/media/icon.png', 'out/extension/src/extension.js', 'out/protocol/src/index.js', 'out/daemon/src/cli/main.js'];
const MUST_NOT_SHIP = ['out/test/', 'test/', 'bench/', '.vscode-test/', 'extension/src/', 'node_modules/typescript/', 'node_modules/mocha/'];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Packages, installs and exercises the .vsix. */
export async function runVsixTests(root: string): Promise<Counts> {
  const vsix = join(root, 'btd.vsix');
  const extensionsDir = join(root, 'installed-extensions');
  mkdirSync(extensionsDir, { recursive: true });
  return runChecks('packaging (.vsix)', [
    ['vsce package builds a .vsix offline', async () => {
      run(VSCE, [...packageScriptArgs(), '--out', vsix]);
      assert.ok(existsSync(vsix));
    }],
    ['the .vsix holds only what runs', async () => {
      const files = vsixEntries(vsix);
      for (const f of MUST_SHIP) assert.ok(files.includes(f), `missing ${f}`);
      for (const prefix of MUST_NOT_SHIP) assert.equal(files.find((f) => f.startsWith(prefix)), undefined, `ships ${prefix}`);
      assert.ok(files.some((f) => f.startsWith('node_modules/vscode-languageclient/')), 'ships the runtime dependencies');
      assert.equal(files.find((f) => f.endsWith('.map') || f.endsWith('.ts')), undefined, 'ships no maps or sources');
    }],
    ['code-server installs the .vsix and its commands work', async () => {
      assert.ok(existsSync(vsix), 'needs the .vsix');
      const out = run(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--install-extension', vsix]);
      assert.match(out, /successfully installed/i);
      await exerciseInstalled(root, extensionsDir);
    }],
  ]);
}

/** The arguments of `npm run package`, less its output path: the test packages exactly as a person would. */
function packageScriptArgs(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = manifest.scripts['package']?.split(/\s+/) ?? [];
  assert.equal(words[0], 'vsce', 'npm run package calls vsce');
  const out = words.indexOf('--out');
  if (out >= 0) words.splice(out, 2);
  return words.slice(1);
}

/** The extension's files inside a .vsix (a zip whose payload sits under extension/). */
function vsixEntries(vsix: string): string[] {
  const listing = run('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix]);
  return listing.split('\n').filter((l) => l.startsWith('extension/')).map((l) => l.slice('extension/'.length));
}

async function exerciseInstalled(root: string, extensionsDir: string): Promise<void> {
  const ws = makeWorkspace(join(root, 'vsix-ws'));
  const server = await startCodeServer({ extensionsDir });
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser);
    await page.goto(workbenchUrl(server.port, { folder: ws }));
    const wb = new Workbench(page);
    await wb.ready();
    await wb.runCommand('BitTorrent: Start Tracker');
    assert.match(await wb.notification(/Tracker running/), /http:\/\/127\.0\.0\.1:\d+\/announce/);
  } finally {
    await browser.close();
    await server.stop();
  }
}
