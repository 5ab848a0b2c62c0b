/**
 * Settings a long-running daemon (`btd daemon`) keeps across restarts, in `<stateDir>/settings.json`.
 * Written atomically after every accepted change; a file that cannot be read is kept aside and the
 * daemon starts without it. Each field is checked as `session/setSettings` checks it; a bad one is
 * dropped with a warning, the others still apply.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../../protocol/src';
import { keepAside, writeAtomic } from '../session/catalog';
import { validators } from './params';

/** Largest settings.json read back. */
const MAX_SETTINGS_BYTES = 64 * 1024;

/** The settings file of a state folder. */
export function settingsPath(stateDir: string): string {
  return join(stateDir, 'settings.json');
}

/** Reads the saved settings; a missing file is no settings. Never throws: problems become warnings. */
export async function loadSettings(stateDir: string): Promise<{ settings: Partial<Settings>; warnings: string[] }> {
  const file = settingsPath(stateDir);
  let doc: unknown;
  try {
    const st = await fs.stat(file);
    if (st.size > MAX_SETTINGS_BYTES) throw new Error(`larger than ${MAX_SETTINGS_BYTES} bytes`);
    doc = JSON.parse(await fs.readFile(file, 'utf8'));
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, warnings: [] };
    return { settings: {}, warnings: [await keepAside(file, err, 'starting with the default settings')] };
  }
  return parseSavedSettings(doc as Record<string, unknown>);
}

/** The valid fields of a saved settings object; unknown and invalid fields become warnings. Pure. */
export function parseSavedSettings(doc: Record<string, unknown>): { settings: Partial<Settings>; warnings: string[] } {
  const settings: Partial<Settings> = {};
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    try {
      Object.assign(settings, validators.settings({ [key]: value }, 'settings.json'));
    } catch (err) {
      warnings.push(`ignored in settings.json: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { settings, warnings };
}

/** Writes the settings atomically. */
export async function saveSettings(stateDir: string, settings: Settings): Promise<void> {
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeAtomic(settingsPath(stateDir), `${JSON.stringify(settings, null, 2)}\n`);
}
