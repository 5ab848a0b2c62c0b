/** The test workspace: settings that keep the daemon on free ports and its downloads inside a temp folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Creates `<root>/workspace` and returns its path; downloads go to `<root>/downloads`. */
export function makeWorkspace(root: string): string {
  const ws = join(root, 'workspace');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({
    'btd.listenPort': 0,
    'btd.trackerPort': 0,
    'btd.downloadFolder': join(root, 'downloads'),
  }, null, 2));
  writeFileSync(join(ws, 'README.txt'), 'Test workspace of the btd extension.\n');
  return ws;
}
