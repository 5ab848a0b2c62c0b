/**
 * Child processes for the transfer benchmarks: output lines to wait for, CPU seconds, and memory
 * sampled from /proc every 100 ms. Shared by bench/transfer.ts and bench/swarm.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const MB = 1e6;

/** Largest figures sampled from /proc/<pid>, in bytes. */
export interface Memory {
  /** VmHWM: the peak resident set, file pages (node's binary, mapped data files) included. */
  rss: number;
  /**
   * RssAnon from status: resident anonymous memory (heaps, stacks, buffers), the memory the process
   * itself holds; no file pages (node's binary, libtorrent's mmap'd data files). Private_Clean +
   * Private_Dirty of smaps_rollup would count file pages mapped by this process alone (libtorrent's
   * whole download), and reading smaps_rollup every 100 ms walks the page tables under the process's
   * mmap lock: it made btd's 1 GiB download take 4.6 s instead of 2.7 s.
   */
  anon: number;
}

/** A child process whose output lines can be awaited and whose memory is sampled. */
export interface Proc {
  name: string;
  /** First line (stdout or stderr) matching `re`; rejects if the process ends first. */
  line(re: RegExp): Promise<RegExpExecArray>;
  /** Its exit code, once it and the shell around it have ended. */
  exited: Promise<number | null>;
  peak(): Memory;
  /** User + system CPU seconds of the process, all its threads and children, once it has exited (NaN before). */
  cpu(): number;
  /** With `smaps`: where the resident memory was at the largest RSS sampled (MB per kind). */
  peakBreakdown(): string | undefined;
  /** Its whole output so far (stdout and stderr). */
  output(): string;
  /** The end of its output, for error messages. */
  tail(): string;
  kill(): void;
}

const PID_LINE = /^bench-pid (\d+)$/m;
/** The second line of bash's `times`: the children's user and system time, e.g. `0m1.234s 0m0.567s`. */
const TIMES = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm;

/**
 * Starts `cmd` under bash, which prints the program's pid and, once it has exited, its CPU seconds
 * (`times`), so that CPU time covers the whole process to its end while memory is read from the program itself.
 */
export function launch(name: string, cmd: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; smaps?: boolean } = {}): Proc {
  const script = '"$@" & echo "bench-pid $!" >&2; wait $!; rc=$?; times >&2; exit $rc';
  const child = spawn('bash', ['-c', script, 'bench', cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1', ...opts.env } });
  let text = '';
  let pid = 0;
  const peak: Memory = { rss: 0, anon: 0 };
  const waiters: { re: RegExp; ok: (m: RegExpExecArray) => void; fail: (e: Error) => void }[] = [];
  let ended = false;
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = text.split('\n').map((l) => w.re.exec(l)).find((x) => x !== null);
      if (m) w.ok(m);
      else if (ended) w.fail(new Error(`${name} ended before ${w.re}:\n${text.slice(-2000)}`));
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const onData = (c: Buffer): void => {
    text += c.toString();
    if (pid === 0) pid = Number(PID_LINE.exec(text)?.[1] ?? 0);
    check();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let breakdownRss = 0;
  let breakdown: string | undefined;
  const sample = (): void => {
    if (pid === 0 || ended) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
      peak.rss = Math.max(peak.rss, kb('VmHWM'));
      peak.anon = Math.max(peak.anon, kb('RssAnon'));
      const rss = kb('VmRSS');
      if (opts.smaps === true && rss > breakdownRss) {
        breakdownRss = rss;
        breakdown = smapsBreakdown(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
      }
    } catch {
      // The process is gone; the last sample stands.
    }
  };
  const sampler = setInterval(sample, 100);
  const exited = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      clearInterval(sampler);
      ended = true;
      check();
      done(code);
    }),
  );
  return {
    name,
    line: (re) => new Promise((ok, fail) => (waiters.push({ re, ok, fail }), check())),
    exited,
    peak: () => (sample(), { ...peak }),
    cpu: () => {
      const t = ended ? [...text.matchAll(TIMES)].at(-1) : undefined;
      return t ? Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]) : NaN;
    },
    peakBreakdown: () => breakdown,
    output: () => text,
    tail: () => text.slice(-1500),
    kill: () => {
      if (ended) return;
      try {
        if (pid !== 0) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      child.kill('SIGKILL');
    },
  };
}

/** Resident memory by kind from a /proc/<pid>/smaps text: node's binary, the C heap, other anonymous memory, other files. */
function smapsBreakdown(text: string): string {
  const kb = { binary: 0, heap: 0, anonymous: 0, files: 0 };
  let kind: keyof typeof kb = 'anonymous';
  for (const line of text.split('\n')) {
    const map = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (map) {
      const name = map[1];
      kind = name === process.execPath ? 'binary' : name === '[heap]' ? 'heap' : name === '' || name.startsWith('[') ? 'anonymous' : 'files';
    } else if (line.startsWith('Rss:')) {
      kb[kind] += Number(line.split(/\s+/)[1]);
    }
  }
  const mb = (k: number): string => ((k * 1024) / MB).toFixed(0);
  return `node binary ${mb(kb.binary)}, C heap ${mb(kb.heap)}, other anonymous ${mb(kb.anonymous)}, other files ${mb(kb.files)} MB`;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

/**
 * Writes and deletes `bytes` of scratch data, so that the leechers about to run find the kernel's
 * free pages as warm as every other client does. On this machine (a VM whose host takes back free
 * memory within about 20 s) writing into pages the guest has not used lately costs about 2.5 s of
 * system CPU per GiB, against 0.2 s for pages freed a moment ago (`dd` shows the same); without
 * this step the client that runs first pays for its whole download and the next one pays nothing.
 */
export async function warmPageCache(dir: string, bytes: number): Promise<void> {
  const path = join(dir, 'warm-up.tmp');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, bytes - done));
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** The median of `xs` (the upper one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
