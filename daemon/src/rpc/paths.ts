/**
 * Where a daemon lives on disk by default: its state folder and the socket of a shared daemon in it.
 * No other imports, so the extension can find the user's daemon the way the daemon itself does.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the daemon keeps its catalog and resume data: `$XDG_STATE_HOME/btd`, else `~/.local/state/btd`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && xdg.startsWith('/') ? join(xdg, 'btd') : join(home, '.local', 'state', 'btd');
}

/** Default socket path of a state folder; its token is at `<socket>.token`. */
export function defaultSocketPath(stateDir: string): string {
  return join(stateDir, 'run', 'btd.sock');
}
