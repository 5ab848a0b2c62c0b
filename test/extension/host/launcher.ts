/**
 * The "VS Code executable" handed to @vscode/test-electron's runTests(): it takes the same arguments as
 * `code`, starts code-server and a headless browser on its workbench, relays the test output, and exits
 * with the extension host's exit code.
 */
import { writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { launchBrowser, openPage, startCodeServer, workbenchUrl } from './codeServer';

/** The parts of a `code` command line the launcher understands. */
export interface LaunchArgs {
  folder?: string;
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
}

/** Parses `code`-style arguments; unknown flags (such as --no-sandbox) are ignored. */
export function parseLaunchArgs(argv: string[]): LaunchArgs {
  const out: LaunchArgs = {};
  const flags: Record<string, keyof LaunchArgs> = {
    '--extensionDevelopmentPath': 'extensionDevelopmentPath',
    '--extensionTestsPath': 'extensionTestsPath',
    '--user-data-dir': 'userDataDir',
    '--extensions-dir': 'extensionsDir',
  };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && flags[arg.slice(0, eq)] !== undefined) out[flags[arg.slice(0, eq)]] = arg.slice(eq + 1);
    else if (!arg.startsWith('-') && out.folder === undefined) out.folder = arg;
  }
  return out;
}

const TIMEOUT_MS = Number(process.env.BTD_HOST_TIMEOUT_MS ?? 240_000);

async function main(): Promise<number> {
  const args = parseLaunchArgs(process.argv.slice(2));
  if (!args.folder || !args.extensionTestsPath) throw new Error('usage: launcher <folder> --extensionTestsPath=… [--extensionDevelopmentPath=…]');
  const verbose = process.env.BTD_HOST_VERBOSE === '1';
  const server = await startCodeServer({
    userDataDir: args.userDataDir,
    extensionsDir: args.extensionsDir,
    onOutput: verbose ? (l) => console.error(`[code-server] ${l}`) : undefined,
  });
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser);
    const exitCode = new Promise<number>((resolveExit, reject) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        // The arguments are those of console.log in the extension host: a format string and its values.
        const line = format(...args);
        (type === 'error' ? console.error : console.log)(line);
      });
      setTimeout(() => reject(new Error(`extension tests did not finish within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref();
    });
    if (verbose) page.on('console', (m) => console.error(`[page] ${m.text()}`));
    await page.goto(workbenchUrl(server.port, {
      folder: args.folder,
      extensionDevelopmentPath: args.extensionDevelopmentPath,
      extensionTestsPath: args.extensionTestsPath,
    }));
    const code = await exitCode;
    const shot = process.env.BTD_HOST_SCREENSHOT;
    if (shot) writeFileSync(shot, await page.screenshot());
    return code;
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
