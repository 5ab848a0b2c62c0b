/** What every command handler receives: the window, the daemon, the settings and the shared state. */
import type { TrackerServerInfo } from '../../../protocol/src';
import type { Daemon } from '../daemon';
import type { ExtensionSettings } from '../settings';
import type { TorrentStore } from '../torrentStore';
import type { Ui } from '../ui';

/** State shared between commands of one activation. */
export interface CommandState {
  /** The built-in tracker, while this window started it. */
  tracker?: TrackerServerInfo;
}

/** Dependencies of the command handlers, injected so unit tests can stub each one. */
export interface CommandContext {
  ui: Ui;
  daemon: Daemon;
  store: TorrentStore;
  settings(): ExtensionSettings;
  homeDir: string;
  /** The extension's own folder (shared .torrent files). */
  storageDir: string;
  state: CommandState;
}
