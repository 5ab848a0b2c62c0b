/** Session settings: defaults, merging, and the engine options they become. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../../protocol/src';
import type { SessionSettings } from '../session/types';
import { DEFAULT_BOOTSTRAP } from '../dht/dht';

/** Settings used when neither the command line nor the client says otherwise. */
export function defaultSettings(): Settings {
  return {
    downloadDir: join(homedir(), 'Downloads'),
    port: 6881,
    maxConnections: 200,
    maxConnectionsPerTorrent: 50,
    maxConnectionsPerIp: 3,
    uploadRateLimit: 0,
    downloadRateLimit: 0,
    dht: true,
    dhtBootstrap: [...DEFAULT_BOOTSTRAP],
  };
}

/** `base` with every defined field of `patch` applied. */
export function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
  const out = { ...base };
  for (const k of Object.keys(out) as (keyof Settings)[]) {
    const v = patch[k];
    if (v !== undefined) (out as Record<keyof Settings, unknown>)[k] = v;
  }
  return out;
}

/** Only the fields of `patch` that differ from `current`, as engine options. */
export function changedOptions(current: Settings, patch: Partial<Settings>): SessionSettings {
  const out: SessionSettings = {};
  for (const k of Object.keys(current) as (keyof Settings)[]) {
    const v = patch[k];
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(current[k])) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export { defaultStateDir } from './paths';
