/** Runs `node bin/btd.js ...` (or another program) as a child process and waits on what it prints, never on time. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root, from out/test/integration/cli. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
const BIN = resolve(REPO_ROOT, 'bin/btd.js');

/** A running process with its output gathered line by line. */
export interface BtdProcess {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /**
   * Resolves with the first line matching `re` (already printed or to come) on stdout, or on either
   * stream with `both`; rejects if the process exits first.
   */
  waitFor(re: RegExp, where?: 'stdout' | 'both'): Promise<RegExpExecArray>;
  /** Settles once the process has ended and its output has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL if still running and waits for the exit; safe to call twice. */
  kill(): Promise<void>;
}

/** Starts `btd <args>` in `cwd`. */
export function startBtd(args: string[], cwd = REPO_ROOT): BtdProcess {
  return startProcess(process.execPath, [BIN, ...args], cwd);
}

/** Starts any program (with `env` added to this process's environment); its output is kept for waitFor and for failure messages. */
export function startProcess(command: string, args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}): BtdProcess {
  // Loopback-only: the DHT is on by default, and must never send or resolve anything off this machine.
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1', ...env } });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; where: 'stdout' | 'both'; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] = [];
  let ended = false;
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = firstLineMatch(out, w.re) ?? (w.where === 'both' ? firstLineMatch(err, w.re) : null);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      } else if (ended) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(`${command} ${args.join(' ')} exited before printing ${w.re}\nstdout:\n${out}\nstderr:\n${err}`));
      }
    }
  };
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    check();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('close', (code, signal) => {
      ended = true;
      check();
      done({ code, signal });
    });
  });
  return {
    child,
    pid: child.pid as number,
    stdout: () => out,
    stderr: () => err,
    waitFor: (re, where = 'stdout') =>
      new Promise((resolveMatch, reject) => {
        waiters.push({ re, where, resolve: resolveMatch, reject });
        check();
      }),
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `btd <args>` to the end. */
export async function runBtd(args: string[], cwd = REPO_ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startBtd(args, cwd);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

function firstLineMatch(text: string, re: RegExp): RegExpExecArray | null {
  // Only whole lines: a line still being written must not match half-way.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) {
    const m = re.exec(line);
    if (m !== null) return m;
  }
  return null;
}
