/**
 * Load for the tracker benchmark: announce paths over rotating info hashes and peer ids, and the load
 * generators that send them (a lean keep-alive generator, wrk) over loopback.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildAnnounceUrl } from '../daemon/src/tracker/client';

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
  /** CPU seconds the generator used, when it runs as its own process (wrk). */
  cpuSeconds?: number;
}
export type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

/** Announce paths over `torrents` info hashes and `peers` peer ids (each peer sticks to one torrent). */
export function announcePaths(count: number, torrents: number, distinctFrom = 0): string[] {
  const hashes = Array.from({ length: torrents }, () => randomBytes(20));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = distinctFrom + i;
    const peerId = Buffer.alloc(20);
    peerId.write('-BT0001-');
    peerId.writeUInt32BE(n, 16);
    const left = n % 4 === 0 ? 0 : 1 + (n % 1000) * 16384;
    const event = i % 50 === 0 ? 'started' : undefined;
    const port = 1024 + (n % 60000);
    paths.push(buildAnnounceUrl('/announce', { infoHash: hashes[n % torrents], peerId, port, uploaded: n, downloaded: n, left, event, numwant: 50 }));
  }
  return paths;
}

export function rotating(paths: string[]): Record<string, unknown>[] {
  let next = 0;
  return [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths[next++ % paths.length] }) }];
}

/**
 * A lean HTTP/1.1 load generator: keep-alive sockets, one request in flight on each, requests prebuilt as
 * bytes and taken in turn from one shared rotation. It spends a fraction of autocannon's CPU per request, so
 * on two cores the server under test, not the generator, is what runs out first.
 */
export async function leanLoad(port: number, paths: string[], connections: number, duration: number): Promise<AutocannonResult> {
  const requests = paths.map((p) => Buffer.from(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`, 'latin1'));
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  let errors = 0;
  let non2xx = 0;
  const stopAt = performance.now() + duration * 1000;
  const one = (): Promise<void> =>
    new Promise((finished) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = (): void => {
        if (performance.now() >= stopAt) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(requests[next++ % requests.length]);
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = pending.toString('latin1', 0, headEnd);
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!length) {
          errors++;
          socket.destroy();
          return;
        }
        if (pending.length < headEnd + 4 + Number(length[1])) return;
        pending = Buffer.alloc(0);
        latencies.push(performance.now() - sentAt);
        done++;
        if (!head.startsWith('HTTP/1.1 2')) non2xx++;
        send();
      });
      socket.on('error', () => errors++);
      socket.on('close', () => finished());
    });
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: connections }, one));
  const seconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies.length > 0 ? Math.round(latencies[Math.floor(latencies.length * 0.99)] * 100) / 100 : NaN;
  return { requests: { average: done / seconds, total: done }, latency: { p99 }, errors, non2xx };
}

/**
 * wrk (C, epoll; Debian's `wrk` package) on one thread with a Lua script that takes the announce paths in
 * turn. It runs as its own process, so its CPU comes from the shell's `times` after it exits.
 */
export async function wrkLoad(port: number, paths: string[], connections: number, duration: number): Promise<AutocannonResult> {
  const dir = mkdtempSync(join(tmpdir(), 'btd-wrk-'));
  try {
    writeFileSync(join(dir, 'paths.txt'), `${paths.join('\n')}\n`);
    writeFileSync(
      join(dir, 'rotate.lua'),
      [
        'local paths = {}',
        `for line in io.lines(${JSON.stringify(join(dir, 'paths.txt'))}) do paths[#paths + 1] = line end`,
        'local i = 0',
        'request = function()',
        '  i = i + 1',
        '  return wrk.format("GET", paths[(i % #paths) + 1])',
        'end',
      ].join('\n'),
    );
    const command = `wrk -t1 -c${connections} -d${duration}s --latency -s ${join(dir, 'rotate.lua')} http://127.0.0.1:${port}; times`;
    const out = await new Promise<string>((resolveOut, reject) => {
      execFile('sh', ['-c', command], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`wrk failed: ${stderr || err.message}`)) : resolveOut(stdout)));
    });
    const number = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
    const total = number(/(\d+) requests in/);
    const times = [...out.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    const p99 = /\n\s+99%\s+([\d.]+)(us|ms|s)\n/.exec(out);
    const p99ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN;
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      requests: { average: number(/Requests\/sec:\s+([\d.]+)/), total },
      latency: { p99: p99ms },
      errors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
      // `times` prints the shell's own user and system time, then its children's: wrk's.
      cpuSeconds: times.length >= 4 ? times[2] + times[3] : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Load generator for throughput runs: the lean one by default, autocannon with `--load autocannon`. */
export type Load = (port: number, paths: string[], connections: number, duration: number) => Promise<AutocannonResult>;
