/**
 * RPC benchmark: `torrent/list` over stdio with 1,000 small paused torrents in a real daemon
 * (`node bin/btd.js --rpc stdio`). Goal: under 50 ms. For scale, the same run also times `session/stats`,
 * the cheapest round trip, and prints the ratio.
 *
 *   node out/bench/rpc-list.js [--torrents 1000] [--rounds 30]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as P from '../protocol/src';
import { bencode } from '../daemon/src/bencode';

const GOAL_MS = 50;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A one-piece, one-byte torrent; distinct names give distinct info hashes. */
function tinyTorrent(i: number): string {
  const data = Buffer.from([i & 0xff]);
  const info = { name: `t${String(i).padStart(5, '0')}.bin`, length: 1, 'piece length': 16384, pieces: createHash('sha1').update(data).digest() };
  return Buffer.from(bencode({ announce: 'http://127.0.0.1:1/announce', info })).toString('base64');
}

async function timeRounds(rounds: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const count = flag('--torrents', 1000);
  const rounds = flag('--rounds', 30);
  const dir = mkdtempSync(join(tmpdir(), 'btd-bench-rpc-'));
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'btd.js'), '--rpc', 'stdio', '--state-dir', join(dir, 'state'), '--listen-host', '127.0.0.1', '--log-level', 'error'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.listen();
  try {
    await conn.sendRequest(P.InitializeRequest.type, { processId: process.pid, capabilities: {}, initializationOptions: { downloadDir: join(dir, 'dl'), port: 0 } });
    await conn.sendNotification(P.InitializedNotification.type, {});
    const t0 = Date.now();
    for (let i = 0; i < count; i++) await conn.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: tinyTorrent(i) }, paused: true });
    console.log(`added ${count} paused torrents in ${Date.now() - t0} ms`);
    const first = await conn.sendRequest(P.TorrentListRequest.type);
    if (first.torrents.length !== count) throw new Error(`torrent/list returned ${first.torrents.length} torrents, expected ${count}`);
    const list = await timeRounds(rounds, () => conn.sendRequest(P.TorrentListRequest.type));
    const stats = await timeRounds(rounds, () => conn.sendRequest(P.SessionStatsRequest.type));
    const bytes = JSON.stringify(first).length;
    console.log(`torrent/list, ${count} torrents (${(bytes / 1024).toFixed(0)} KiB of JSON): median ${median(list).toFixed(2)} ms, max ${list.at(-1)!.toFixed(2)} ms over ${rounds} rounds`);
    console.log(`session/stats round trip (same run):  median ${median(stats).toFixed(2)} ms`);
    console.log(`ratio torrent/list / session/stats: ${(median(list) / median(stats)).toFixed(1)}x`);
    const met = median(list) < GOAL_MS;
    console.log(`goal: median under ${GOAL_MS} ms — ${met ? 'met' : 'NOT met'}`);
    await conn.sendRequest(P.ShutdownRequest.type);
    await conn.sendNotification(P.ExitNotification.type);
    process.exitCode = met ? 0 : 1;
  } finally {
    conn.dispose();
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
