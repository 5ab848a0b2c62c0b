/** The command line that starts the daemon, from the btd.daemonPath setting. */
import { join } from 'node:path';

/** Arguments after the script that make the daemon speak JSON-RPC on stdin/stdout (a window's own daemon). */
export const DAEMON_ARGS = ['--rpc', 'stdio'];

/** A process to start: what vscode-languageclient calls an Executable. */
export interface DaemonCommand {
  command: string;
  args: string[];
  options: { env: Record<string, string | undefined> };
}

/**
 * `daemonPath` when set (a .js file runs under Node, anything else as an executable), else the bundled
 * bin/btd.js. `nodePath` is the extension host's own executable.
 */
export function daemonCommand(
  extensionPath: string, daemonPath: string, nodePath: string, env: Record<string, string | undefined>, args: readonly string[] = DAEMON_ARGS,
): DaemonCommand {
  const script = daemonPath !== '' ? daemonPath : join(extensionPath, 'bin', 'btd.js');
  // Inside desktop VS Code the extension host is Electron; ELECTRON_RUN_AS_NODE makes it behave as Node.
  const childEnv = { ...env, ELECTRON_RUN_AS_NODE: '1' };
  if (script.endsWith('.js')) return { command: nodePath, args: [script, ...args], options: { env: childEnv } };
  return { command: script, args: [...args], options: { env: childEnv } };
}
