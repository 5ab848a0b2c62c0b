/** Helpers of the integration suite: the extension's API, waiting on conditions, files in the workspace. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BtdApi } from '../../../extension/src/extension';

/** The extension id from package.json (publisher.name). */
export const EXTENSION_ID = 'btd.btd';

/** Activates the extension under test and returns its API. */
export async function btdApi(): Promise<BtdApi> {
  const ext = vscode.extensions.getExtension<BtdApi>(EXTENSION_ID);
  if (ext === undefined) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** The test workspace folder (created by run.ts). */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) throw new Error('no workspace folder is open');
  return folder.uri.fsPath;
}

/** Writes `size` random bytes to a new file under the workspace and returns its path. */
export function randomFile(relPath: string, size: number): string {
  const path = join(workspaceDir(), relPath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, randomBytes(size));
  return path;
}

/**
 * Resolves once `check` yields a value other than undefined, re-checking whenever the store changes and
 * at a short interval (for state outside the store); rejects after `timeoutMs` naming `what`.
 */
export function waitFor<T>(api: BtdApi, what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let busy = false;
    const finish = (err: Error | undefined, value?: T): void => {
      if (done) return;
      done = true;
      clearInterval(interval);
      clearTimeout(timer);
      off();
      if (err) reject(err);
      else resolve(value as T);
    };
    const probe = async (): Promise<void> => {
      if (busy || done) return;
      busy = true;
      try {
        const v = await check();
        if (v !== undefined) finish(undefined, v);
      } catch (err) {
        finish(err as Error);
      } finally {
        busy = false;
      }
    };
    const off = api.store.onChange(() => void probe());
    const interval = setInterval(() => void probe(), 100);
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    void probe();
  });
}

/** Sets a btd.* setting in the workspace (undefined removes it). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('btd').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
