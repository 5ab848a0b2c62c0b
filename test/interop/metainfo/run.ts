/** Runs a program to completion and collects its output (no shell; arguments passed as given). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** How a finished program ended. */
export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The repository's `btd` entry point. */
export const BTD = join(__dirname, '../../../../bin/btd.js');

/** Runs `cmd args` in `cwd` and resolves when it exits. `onStderr` sees output as it arrives. */
export function run(cmd: string, args: string[], cwd: string, onStderr?: (text: string, pid: number) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (child.pid !== undefined) onStderr?.(stderr, child.pid);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `node bin/btd.js args`. */
export function btd(args: string[], cwd: string, onStderr?: (text: string, pid: number) => void): Promise<Ran> {
  return run(process.execPath, [BTD, ...args], cwd, onStderr);
}

/** Hash and file list as `transmission-show` reports them. */
export async function transmissionShow(torrent: string, cwd: string): Promise<{ hash: string; files: string[]; pieceSize: string }> {
  const r = await run('transmission-show', [torrent], cwd);
  if (r.code !== 0) throw new Error(`transmission-show failed: ${r.stderr}`);
  const hash = /^\s*Hash: ([0-9a-f]{40})$/m.exec(r.stdout)?.[1];
  const pieceSize = /^\s*Piece Size: (.+)$/m.exec(r.stdout)?.[1] ?? '';
  const section = r.stdout.split(/^FILES$/m)[1] ?? '';
  const files = section
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/ \([^()]*\)$/, ''));
  if (!hash) throw new Error(`no hash in transmission-show output:\n${r.stdout}`);
  return { hash, files, pieceSize };
}
