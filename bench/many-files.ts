/**
 * A torrent of very many files in a real daemon (`node bin/btd.js --rpc stdio`): `torrent/add` of a
 * generated 100,000-file torrent (time, the daemon's RSS, its event-loop delay during the add, and the
 * slowest `session/stats` answered meanwhile), then a restart with it in the catalog (time to answer
 * `initialize`, then `torrent/list`). Goal: the add under 2 s and 300 MB, other requests answered during it.
 *
 *   node out/bench/many-files.js [--files 100000]
 *
 * The daemon's event-loop delay comes from loop-delay-probe.js, preloaded into it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as P from '../protocol/src';
import { bencode } from '../daemon/src/bencode';

const GOAL_MS = 2000;
const GOAL_MB = 300;

/** A torrent of `n` 1,000-byte files in 1,000 folders, 1 MiB pieces (hashes of nothing: no data is there). */
export function manyFilesTorrent(n: number, name = 'many'): Uint8Array {
  const files = Array.from({ length: n }, (_, i) => ({ length: 1000, path: [`d${i % 1000}`, `f${i}.bin`] }));
  const pieceLength = 1 << 20;
  const pieces = Math.ceil((n * 1000) / pieceLength);
  const zero = createHash('sha1').update('').digest();
  const info = { files, name, 'piece length': pieceLength, pieces: Buffer.concat(Array.from({ length: pieces }, () => zero)) };
  return bencode({ announce: 'http://127.0.0.1:1/announce', info });
}

interface Daemon {
  child: ChildProcess;
  conn: MessageConnection;
  stderr: () => string;
}

function startDaemon(dir: string): Daemon {
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '-r', join(__dirname, 'loop-delay-probe.js'), join(__dirname, '..', '..', 'bin', 'btd.js'), '--rpc', 'stdio', '--state-dir', join(dir, 'state'), '--listen-host', '127.0.0.1', '--log-level', 'error'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.listen();
  return { child, conn, stderr: () => err };
}

async function initialize(d: Daemon, dir: string): Promise<void> {
  await d.conn.sendRequest(P.InitializeRequest.type, { processId: process.pid, capabilities: {}, initializationOptions: { downloadDir: join(dir, 'dl'), port: 0, dht: false } });
  await d.conn.sendNotification(P.InitializedNotification.type, {});
}

async function stop(d: Daemon): Promise<{ maxDelayMs?: number; p99DelayMs?: number }> {
  await d.conn.sendRequest(P.ShutdownRequest.type);
  await d.conn.sendNotification(P.ExitNotification.type);
  if (d.child.exitCode === null) await new Promise((resolve) => d.child.once('exit', resolve));
  d.conn.dispose();
  const line = d.stderr().split('\n').find((l) => l.startsWith('{"loopDelay"'));
  return line ? (JSON.parse(line) as { loopDelay: { maxDelayMs: number; p99DelayMs: number } }).loopDelay : {};
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Sends session/stats in a loop until `done`; returns the slowest answer and how many came. */
async function probe(d: Daemon, done: () => boolean): Promise<{ answers: number; slowestMs: number }> {
  let answers = 0;
  let slowestMs = 0;
  while (!done()) {
    const t0 = performance.now();
    await d.conn.sendRequest(P.SessionStatsRequest.type);
    slowestMs = Math.max(slowestMs, performance.now() - t0);
    answers++;
  }
  return { answers, slowestMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '100000' } } });
  const n = Number(values.files);
  const dir = mkdtempSync(join(tmpdir(), 'btd-bench-many-'));
  const torrent = Buffer.from(manyFilesTorrent(n)).toString('base64');
  console.log(`${n} files, ${(torrent.length / 1e6).toFixed(1)} MB of base64`);
  try {
    const first = startDaemon(dir);
    await initialize(first, dir);
    const before = rssMb(first.child.pid!);
    let added = false;
    const t0 = performance.now();
    const add = first.conn.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: torrent }, paused: true }).finally(() => (added = true));
    const during = probe(first, () => added);
    await add;
    const addMs = performance.now() - t0;
    const p = await during;
    const peak = rssMb(first.child.pid!);
    const loop = await stop(first);
    console.log(`torrent/add: ${addMs.toFixed(0)} ms; daemon peak RSS ${peak.toFixed(0)} MB (${before.toFixed(0)} MB before)`);
    console.log(`  event loop during the run: max delay ${loop.maxDelayMs?.toFixed(0)} ms, p99 ${loop.p99DelayMs?.toFixed(0)} ms`);
    console.log(`  session/stats during the add: ${p.answers} answered, slowest ${p.slowestMs.toFixed(0)} ms`);

    const second = startDaemon(dir);
    const t1 = performance.now();
    await initialize(second, dir);
    const initMs = performance.now() - t1;
    const list = await second.conn.sendRequest(P.TorrentListRequest.type);
    const listMs = performance.now() - t1;
    // The restored torrent may still be on its way in; wait until it is listed.
    let restoredMs = listMs;
    for (let seen = list.torrents.length; seen === 0; seen = (await second.conn.sendRequest(P.TorrentListRequest.type)).torrents.length) restoredMs = performance.now() - t1;
    restoredMs = performance.now() - t1;
    const peak2 = rssMb(second.child.pid!);
    const loop2 = await stop(second);
    console.log(`restart: initialize answered after ${initMs.toFixed(0)} ms, first torrent/list after ${listMs.toFixed(0)} ms, torrent listed after ${restoredMs.toFixed(0)} ms`);
    console.log(`  daemon peak RSS ${peak2.toFixed(0)} MB; event loop max delay ${loop2.maxDelayMs?.toFixed(0)} ms`);
    const met = addMs < GOAL_MS && peak < GOAL_MB;
    console.log(`goal: add under ${GOAL_MS} ms and ${GOAL_MB} MB — ${met ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
