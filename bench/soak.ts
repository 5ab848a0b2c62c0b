/**
 * Soak benchmark: two honest `btd download` leechers fetch a file from one `btd seed` on loopback,
 * once undisturbed and once under attack — 60 idle connections to the seeder (handshake, interested,
 * then only keep-alives) and 60 fake seeders attached to the first leecher (a full bitfield, never an
 * unchoke). Prints the time to complete of both runs, their ratio (goal ≤ 1.5) and the peak RSS of each
 * btd process. See bench/soak.md.
 *
 *   node out/bench/soak.js [--size-mib 64] [--attackers 60] [--fake-seeders 60] [--limit-s 120] [--logs DIR]
 *
 * `--logs DIR`: every btd process runs with `--debug` and its output goes to DIR/<run>-<process>.log.
 *
 * Every peer is on 127.0.0.1, which the per-address cap exempts: this measures the slot and eviction
 * policy, not the cap.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent, type Metainfo } from '../daemon/src/metainfo';
import { Bitfield } from '../daemon/src/util/bitfield';
import { PeerConnection } from '../daemon/src/wire/connection';
import { freePort } from './proc';

const BTD = join(resolve(__dirname, '../..'), 'bin/btd.js');
/** Every peer on loopback, no DHT, and btd's loopback-only mode: nothing leaves 127.0.0.1, no name is resolved. */
const LOCAL = ['--bind', '127.0.0.1', '--no-dht'];
const GOAL_RATIO = 1.5;

/** A btd process: a line of its output can be awaited; its peak RSS is sampled. */
interface Proc {
  name: string;
  line(re: RegExp): Promise<void>;
  exited: Promise<number | null>;
  peakRss(): number;
  kill(): void;
}

let LOGS: string | undefined;

function launch(name: string, args: string[], cwd: string, run: string): Proc {
  const child = spawn(process.execPath, [BTD, ...args, ...(LOGS ? ['--debug'] : [])], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1' } });
  if (LOGS) {
    const log = createWriteStream(join(LOGS, `${run}-${name.replace(/\W+/g, '-')}.log`));
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  let text = '';
  let peak = 0;
  const waiters: { re: RegExp; ok: () => void }[] = [];
  const onData = (c: Buffer): void => {
    text += c.toString();
    if (text.length > 100_000) text = text.slice(-50_000);
    for (const w of [...waiters]) {
      if (!w.re.test(text)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.ok();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const sample = (): void => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // gone: the last sample stands
    }
  };
  const sampler = setInterval(sample, 200);
  const exited = new Promise<number | null>((done) => child.on('close', (code) => (clearInterval(sampler), done(code))));
  return {
    name,
    line: (re) => new Promise((ok) => (waiters.push({ re, ok }), onData(Buffer.alloc(0)))),
    exited,
    peakRss: () => (sample(), peak),
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
  };
}


/** Connections that handshake, say interested, then send only keep-alives. */
async function idleAttackers(m: Metainfo, port: number, count: number): Promise<() => void> {
  const conns: PeerConnection[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const conn = PeerConnection.connect(socket, { peerId: randomBytes(20), keepAliveMs: 10_000 }, m.infoHash, m);
    conn.on('ready', () => conn.interested());
    conns.push(conn);
  }
  return () => conns.forEach((c) => c.destroy());
}

/** Listening peers that claim every piece and never unchoke. */
async function fakeSeeders(m: Metainfo, count: number): Promise<{ ports: number[]; close: () => void }> {
  const servers: net.Server[] = [];
  const conns = new Set<PeerConnection>();
  for (let i = 0; i < count; i++) {
    const server = net.createServer((socket) => {
      const conn = new PeerConnection(socket, { peerId: randomBytes(20), keepAliveMs: 10_000 });
      conns.add(conn);
      conn.on('close', () => conns.delete(conn));
        conn.on('handshake', () => conn.accept(m.infoHash, m));
      conn.on('ready', () => conn.bitfield(Bitfield.full(m.pieceCount)));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    close: () => {
      for (const c of conns) c.destroy();
      for (const s of servers) s.close();
    },
  };
}

interface Run {
  seconds: number | undefined;
  rss: { name: string; mb: number }[];
}

async function run(root: string, torrent: string, dataPath: string, m: Metainfo, attack: { attackers: number; fakeSeeders: number } | undefined, limitS: number): Promise<Run> {
  const seedPort = await freePort();
  const tag = attack ? 'attack' : 'quiet';
  const seeder = launch('btd seed', ['seed', torrent, '-f', dataPath, '-p', String(seedPort), ...LOCAL], root, tag);
  const cleanups: (() => void)[] = [];
  const leechers: Proc[] = [];
  const dirs: string[] = [];
  try {
    await seeder.line(/seeding /m);
    if (attack) cleanups.push(await idleAttackers(m, seedPort, attack.attackers));
    const fakes = attack ? await fakeSeeders(m, attack.fakeSeeders) : { ports: [], close: () => undefined };
    cleanups.push(fakes.close);
    const ports = [await freePort(), await freePort()];
    const t0 = performance.now();
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(root, `leech${i}-`));
      dirs.push(dir);
      const peers = [seedPort, ports[1 - i], ...(i === 0 ? fakes.ports : [])];
      leechers.push(launch(`btd download ${i + 1}`, ['download', torrent, '-o', dir, '-p', String(ports[i]), ...LOCAL, ...peers.flatMap((p) => ['--peer', `127.0.0.1:${p}`])], root, tag));
    }
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((done) => (timer = setTimeout(() => done('limit'), limitS * 1000)));
    const outcome = await Promise.race([Promise.all(leechers.map((l) => l.exited)), limit]);
    clearTimeout(timer);
    const seconds = outcome === 'limit' ? undefined : (performance.now() - t0) / 1000;
    if (Array.isArray(outcome) && outcome.some((c) => c !== 0)) throw new Error(`a leecher failed (exit codes ${outcome.join(', ')})`);
    return { seconds, rss: [seeder, ...leechers].map((p) => ({ name: p.name, mb: p.peakRss() / 1e6 })) };
  } finally {
    cleanups.forEach((c) => c());
    seeder.kill();
    leechers.forEach((l) => l.kill());
    await Promise.all([seeder, ...leechers].map((p) => p.exited));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

function show(what: string, r: Run, limitS: number): void {
  const time = r.seconds === undefined ? `not done in ${limitS} s` : `${r.seconds.toFixed(1)} s`;
  console.log(`${what.padEnd(16)} ${time}; peak RSS ${r.rss.map((p) => `${p.name} ${p.mb.toFixed(0)} MB`).join(', ')}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '64' },
      attackers: { type: 'string', default: '60' },
      'fake-seeders': { type: 'string', default: '60' },
      'limit-s': { type: 'string', default: '120' },
      logs: { type: 'string' },
    },
  });
  if (values.logs) await mkdir((LOGS = resolve(values.logs)), { recursive: true });
  const limitS = Number(values['limit-s']);
  const root = await mkdtemp(join(tmpdir(), 'btd-bench-soak-'));
  try {
    const seedDir = join(root, 'seed');
    await mkdir(seedDir);
    const dataPath = join(seedDir, 'soak.bin');
    await writeSampleFile(dataPath, Number(values['size-mib']) * 1024 * 1024);
    const data = await open(dataPath, 'r+');
    await data.sync().finally(() => data.close());
    const { bytes, metainfo: m } = await createTorrent(dataPath, { pieceLength: 1024 * 1024 });
    const torrent = join(root, 'soak.torrent');
    await writeFile(torrent, bytes);
    const attack = { attackers: Number(values.attackers), fakeSeeders: Number(values['fake-seeders']) };
    console.log(`${values['size-mib']} MiB, 2 leechers; attack: ${attack.attackers} idle connections to the seeder, ${attack.fakeSeeders} fake seeders on leecher 1`);
    const quiet = await run(root, torrent, dataPath, m, undefined, limitS);
    show('without attack', quiet, limitS);
    const loud = await run(root, torrent, dataPath, m, attack, limitS);
    show('with attack', loud, limitS);
    if (quiet.seconds !== undefined && loud.seconds !== undefined) {
      const ratio = loud.seconds / quiet.seconds;
      console.log(`ratio ${ratio.toFixed(2)}x — goal ≤ ${GOAL_RATIO}x ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}`);
    } else {
      console.log(`goal ≤ ${GOAL_RATIO}x NOT met (a run did not complete)`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
