/** The extension's settings (`btd.*`) and how they map onto the daemon's session settings. */
import { join } from 'node:path';
import type { Settings } from '../../protocol/src';

/** The `btd.*` settings as read from the configuration, defaults applied. */
export interface ExtensionSettings {
  downloadFolder: string;
  listenPort: number;
  trackerPort: number;
  /** Start Tracker also serves UDP announces (BEP 15) on the same port. */
  trackerUdp: boolean;
  /** Where Start Tracker keeps its swarms: `memory`, or a Redis URL shared with other trackers. */
  trackerStore: string;
  maxConnections: number;
  maxConnectionsPerTorrent: number;
  /** KiB/s, 0 = unlimited. */
  uploadRateLimit: number;
  /** KiB/s, 0 = unlimited. */
  downloadRateLimit: number;
  /** Find peers through the DHT (BEP 5). */
  dht: boolean;
  daemonPath: string;
  /** Attach to the user's shared daemon, which keeps seeding after VS Code closes (else a daemon per window). */
  'daemon.keepRunning': boolean;
  /** A notification when a download completes. */
  notifyOnComplete: boolean;
}

/** Defaults, matching the `contributes.configuration` defaults in package.json. */
export const DEFAULT_SETTINGS: ExtensionSettings = {
  downloadFolder: '',
  listenPort: 6881,
  trackerPort: 6969,
  trackerUdp: false,
  trackerStore: 'memory',
  maxConnections: 200,
  maxConnectionsPerTorrent: 50,
  uploadRateLimit: 0,
  downloadRateLimit: 0,
  dht: true,
  daemonPath: '',
  'daemon.keepRunning': true,
  notifyOnComplete: true,
};

/** Reads settings through a getter (the configuration section), replacing values of the wrong type by defaults. */
export function readSettings(get: (key: keyof ExtensionSettings) => unknown): ExtensionSettings {
  const out = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof ExtensionSettings)[]) {
    const value = get(key);
    if (typeof DEFAULT_SETTINGS[key] === 'number') {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) (out[key] as number) = Math.floor(value);
    } else if (typeof DEFAULT_SETTINGS[key] === 'boolean') {
      if (typeof value === 'boolean') (out[key] as boolean) = value;
    } else if (typeof value === 'string') {
      (out[key] as string) = value.trim();
    }
  }
  return out;
}

/** The folder downloads go to: the setting, else ~/Downloads. */
export function resolveDownloadFolder(settings: ExtensionSettings, homeDir: string): string {
  return settings.downloadFolder !== '' ? settings.downloadFolder : join(homeDir, 'Downloads');
}

/** Maps extension settings onto the daemon's session settings (rates KiB/s → bytes/s). */
export function toSessionSettings(settings: ExtensionSettings, homeDir: string): Settings {
  return {
    downloadDir: resolveDownloadFolder(settings, homeDir),
    port: clampPort(settings.listenPort),
    maxConnections: settings.maxConnections,
    maxConnectionsPerTorrent: settings.maxConnectionsPerTorrent,
    uploadRateLimit: settings.uploadRateLimit * 1024,
    downloadRateLimit: settings.downloadRateLimit * 1024,
    dht: settings.dht,
  };
}

/** The session settings that differ between two snapshots; empty when nothing the daemon knows changed. */
export function changedSessionSettings(before: Settings, after: Settings): Partial<Settings> {
  const diff: Partial<Settings> = {};
  for (const key of Object.keys(after) as (keyof Settings)[]) {
    if (before[key] !== after[key]) (diff as Record<string, unknown>)[key] = after[key];
  }
  return diff;
}

/** Settings whose change needs a new daemon process rather than session/setSettings. */
export const RESTART_SETTINGS: readonly (keyof ExtensionSettings)[] = ['daemonPath', 'daemon.keepRunning'];

function clampPort(port: number): number {
  return port > 65535 ? 0 : port;
}
