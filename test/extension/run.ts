/**
 * The extension test stage: installs the code-server host if needed, runs the mocha suite inside it via
 * @vscode/test-electron's runTests, then the UI test driven by playwright-core, the two-windows test
 * (windows/) and the packaging check, and prints the totals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './host/codeServer';
import { makeWorkspace } from './host/workspace';
import type { Counts } from './ui/check';
import { runUiTests } from './ui/palette';
import { runVsixTests } from './ui/vsix';
import { runWindowsTests } from './windows/twoWindows';

// Loopback-only for the hosts and every daemon they start: the DHT is on by default, and must never
// send a packet to, or resolve the name of, anything off this machine.
process.env.BTD_LOOPBACK_ONLY = '1';

async function runSuite(root: string): Promise<Counts> {
  const results = join(root, 'results.json');
  const ws = makeWorkspace(root);
  try {
    await runTests({
      vscodeExecutablePath: join(REPO_ROOT, 'scripts/vscode-host/code'),
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: join(REPO_ROOT, 'out/test/extension/suite/index.js'),
      launchArgs: [ws, `--user-data-dir=${join(root, 'user-data')}`, `--extensions-dir=${join(root, 'extensions')}`],
      extensionTestsEnv: { BTD_TEST_RESULTS: results, BTD_TEST_ROOT: root, BTD_LOOPBACK_ONLY: '1' },
    });
  } catch (err) {
    console.error(`extension suite: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!existsSync(results)) return { passed: 0, failed: 1 };
  return JSON.parse(readFileSync(results, 'utf8')) as Counts;
}

async function main(): Promise<number> {
  const setup = spawnSync('bash', [join(REPO_ROOT, 'scripts/vscode-host/setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('the VS Code test host could not be installed (scripts/vscode-host/setup.sh)');
    console.log('0 passed, 1 failed');
    return 1;
  }
  const root = mkdtempSync(join(tmpdir(), 'btd-ext-'));
  try {
    const total: Counts = { passed: 0, failed: 0 };
    const parts: [string, (root: string) => Promise<Counts>][] = [
      ['suite', runSuite], ['ui', runUiTests], ['windows', runWindowsTests], ['vsix', runVsixTests],
    ];
    const only = process.argv.slice(2);
    for (const [name, part] of parts) {
      if (only.length > 0 && !only.includes(name)) continue;
      const dir = join(root, name);
      mkdirSync(dir);
      const c = await part(dir);
      total.passed += c.passed;
      total.failed += c.failed;
    }
    console.log(`${total.passed} passed, ${total.failed} failed`);
    return total.failed > 0 ? 1 : 0;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
}
