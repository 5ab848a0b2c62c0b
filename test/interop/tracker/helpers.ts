/** Shared pieces of the tracker interop tests: free ports, child processes stopped by pid, file digests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A port that was free a moment ago on 127.0.0.1 (for programs that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A started program with its output kept for failure messages. */
export interface Program {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts a program; its output is collected, never inherited. */
export function run(cmd: string, args: string[], cwd?: string): Program {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (err) => (out += `spawn error: ${err.message}`));
  return { child, output: () => out, exited };
}

/** Stops a program by its pid and waits for it to exit. */
export async function stop(p: Program | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (bounded retries on refusal). */
export async function waitForListener(port: number, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    socket.destroy();
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** SHA-1 of a file, hex. */
export async function sha1File(path: string): Promise<string> {
  return createHash('sha1').update(await readFile(path)).digest('hex');
}
