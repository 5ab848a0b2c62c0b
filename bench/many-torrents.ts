/**
 * A daemon with many torrents (issue 15): one `btd daemon` seeding 1,000 torrents of small, distinct
 * data, against Debian's `transmission-daemon` holding the same torrents, in the same run, all on
 * 127.0.0.1. Each is prepared once (torrents added, data checked, then stopped: a valid resume state),
 * then started afresh and measured:
 *   - ready: process spawn → RPC answered, every torrent seeding, the peer port answering a handshake;
 *   - nothing re-hashed: btd's `session/stats.hashedBytes` (0 expected), and for both the bytes the
 *     process read (rchar of /proc/<pid>/io) against the size of the data;
 *   - RSS, peak (VmHWM) and steady (VmRSS at the end of the idle window);
 *   - idle CPU over `--idle-seconds` with no peers (utime+stime), and no socket off loopback;
 *   - the list call (`torrent/list`; transmission's `torrent-get` of the same fields), median of many;
 *   - 20 leechers at once on 20 of the torrents, each a minimal wire client checking one block.
 *
 *   node out/bench/many-torrents.js [--torrents 1000] [--idle-seconds 60] [--leechers 20] [--rounds 50]
 *                                    [--size 20000] [--no-transmission] [--cpu-prof DIR] [--keep] [--state DIR]
 *
 * `--state DIR` keeps the prepared data and daemon folders in DIR and reuses them on the next run with
 * the same sizes (the preparation is skipped; the btd folder is then the one the last run stopped).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as P from '../protocol/src';
import { BtdDaemon } from './btd-daemon';
import { freePort, leechPiece0, makeTorrents, probeHandshake, type BenchTorrent, type LeechResult } from './many-torrents-data';
import { cpuSeconds, memoryMb, nonLoopbackSockets, readChars } from './proc-stats';
import { Transmission, writeTransmissionSettings, type TransmissionConfig } from './transmission';

const GOALS = { readyMs: 3000, rssMb: 150, idleCpuPercent: 1, listMs: 20 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Calls `fn` until it returns true, every `everyMs`; fails with `what` after `timeoutMs`. */
async function until(what: string, timeoutMs: number, everyMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Runs `fn` on every item with at most `width` at once. */
async function eachLimited<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** What a daemon under test offers the measurements. */
interface Subject {
  label: string;
  pid: number;
  peerPort: number;
  /** Torrents listed and how many of them seed. */
  seeding(): Promise<{ listed: number; seeding: number }>;
  /** Resolves once `count` torrents seed (default: `seeding()` every 20 ms). */
  allSeeding?(count: number, timeoutMs: number): Promise<void>;
  /** The list call timed by the benchmark. */
  list(): Promise<unknown>;
  stop(): Promise<void>;
}

interface StartFigures {
  rpcMs: number;
  seedingMs: number;
  handshakeMs: number;
  readyMs: number;
  cpuAtReady: number;
  rcharAtReady: number;
}

/** Measures a fresh start: spawn is `t0`; `rpcUp` resolves when the RPC answered. */
async function measureStart(t0: number, s: Subject, rpcUp: Promise<unknown>, probe: BenchTorrent, count: number): Promise<StartFigures> {
  const since = (): number => performance.now() - t0;
  const timeout = 60_000 + count * 20;
  const handshake = until(`${s.label} handshake`, timeout, 10, () => probeHandshake(s.peerPort, probe.infoHash).then(() => true)).then(since);
  const rpcMs = await rpcUp.then(since);
  const allSeeding = s.allSeeding
    ? s.allSeeding(count, timeout)
    : until(`${s.label} all seeding`, timeout, 20, async () => {
        const { listed, seeding } = await s.seeding();
        return listed === count && seeding === count;
      });
  const seedingMs = await allSeeding.then(since);
  const handshakeMs = await handshake;
  return { rpcMs, seedingMs, handshakeMs, readyMs: Math.max(rpcMs, seedingMs, handshakeMs), cpuAtReady: cpuSeconds(s.pid), rcharAtReady: readChars(s.pid) };
}

function btdSubject(d: BtdDaemon, peerPort: number): Subject {
  const conn = (): NonNullable<BtdDaemon['conn']> => d.conn!;
  return {
    label: 'btd',
    pid: d.pid,
    peerPort,
    seeding: async () => {
      const { torrents } = await conn().sendRequest(P.TorrentListRequest.type);
      return { listed: torrents.length, seeding: torrents.filter((t) => t.state === 'seeding').length };
    },
    list: () => conn().sendRequest(P.TorrentListRequest.type),
    // As a client would: one torrent/list, then the torrent/stateChanged notifications (no polling,
    // which would load the daemon being measured); a last torrent/list confirms.
    allSeeding: async (count, timeoutMs) => {
      const states = new Map<string, string>();
      const sub = conn().onNotification(P.TorrentStateChangedNotification.type, (p: P.TorrentStateChangedParams) => {
        states.set(p.infoHash, p.state);
      });
      try {
        for (const t of (await conn().sendRequest(P.TorrentListRequest.type)).torrents) states.set(t.infoHash, t.state);
        const seeding = (): number => [...states.values()].filter((s) => s === 'seeding').length;
        await until('btd all seeding (notifications)', timeoutMs, 5, () => Promise.resolve(seeding() === count));
        const { torrents } = await conn().sendRequest(P.TorrentListRequest.type);
        if (torrents.length !== count || torrents.some((t) => t.state !== 'seeding')) throw new Error('torrent/list disagrees with the notifications');
      } finally {
        sub.dispose();
      }
    },
    stop: () => d.stop(),
  };
}

/** Transmission's fields closest to btd's torrent/list snapshot. */
const TR_LIST_FIELDS = ['id', 'hashString', 'name', 'status', 'error', 'errorString', 'percentDone', 'totalSize', 'sizeWhenDone', 'haveValid', 'pieceCount', 'downloadedEver', 'uploadedEver', 'rateDownload', 'rateUpload', 'uploadRatio', 'peersConnected', 'peersSendingToUs', 'downloadDir', 'eta', 'addedDate', 'metadataPercentComplete'];

function transmissionSubject(tr: Transmission, peerPort: number): Subject {
  return {
    label: 'transmission',
    pid: tr.pid,
    peerPort,
    seeding: async () => {
      const { torrents } = await tr.rpc<{ torrents: { status: number }[] }>('torrent-get', { fields: ['id', 'status'] });
      return { listed: torrents.length, seeding: torrents.filter((t) => t.status === 6).length };
    },
    list: () => tr.rpc('torrent-get', { fields: TR_LIST_FIELDS }),
    stop: () => tr.stop(),
  };
}

/** Adds every torrent to a btd daemon and waits until all seed (their data checked once). */
async function prepareBtd(dir: string, dataDir: string, port: number, torrents: BenchTorrent[]): Promise<number> {
  const t0 = performance.now();
  const d = BtdDaemon.start({ dir, downloadDir: dataDir, port });
  const conn = await d.initialize();
  await eachLimited(torrents, 16, (t) => conn.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: t.bytes.toString('base64') }, savePath: dataDir }));
  const s = btdSubject(d, port);
  await until('btd: prepared torrents seeding', 120_000 + torrents.length * 50, 200, async () => (await s.seeding()).seeding === torrents.length);
  await d.stop();
  return performance.now() - t0;
}

/** Adds every torrent to transmission-daemon, lets it verify them, and stops it. */
async function prepareTransmission(c: TransmissionConfig, torrents: BenchTorrent[]): Promise<number> {
  const t0 = performance.now();
  writeTransmissionSettings(c);
  const tr = Transmission.start(c);
  await tr.rpcUp(30_000);
  await eachLimited(torrents, 8, (t) => tr.rpc('torrent-add', { metainfo: t.bytes.toString('base64'), 'download-dir': c.downloadDir }));
  let verifyAsked = false;
  await until('transmission: prepared torrents seeding', 120_000 + torrents.length * 100, 200, async () => {
    const { torrents: ts } = await tr.rpc<{ torrents: { id: number; status: number; percentDone: number }[] }>('torrent-get', { fields: ['id', 'status', 'percentDone'] });
    const idle = ts.filter((t) => t.status !== 6 && t.status !== 1 && t.status !== 2);
    if (!verifyAsked && idle.length === ts.length && ts.some((t) => t.percentDone < 1)) {
      verifyAsked = true; // nothing checking and data not found: ask for the check explicitly
      await tr.rpc('torrent-verify', { ids: idle.map((t) => t.id) });
    }
    return ts.length === torrents.length && ts.every((t) => t.status === 6);
  });
  await tr.stop();
  return performance.now() - t0;
}

/** Samples RSS and non-loopback sockets during the idle window; CPU from before to after. */
async function idleWindow(subjects: Subject[], seconds: number): Promise<Map<string, { cpuPercent: number; rssMax: number; sockets: string[] }>> {
  const before = new Map(subjects.map((s) => [s.label, cpuSeconds(s.pid)]));
  const rssMax = new Map(subjects.map((s) => [s.label, 0]));
  const sockets = new Map(subjects.map((s) => [s.label, new Set<string>()]));
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    for (const s of subjects) {
      rssMax.set(s.label, Math.max(rssMax.get(s.label)!, memoryMb(s.pid).rss));
      for (const o of nonLoopbackSockets(s.pid)) sockets.get(s.label)!.add(`${o.proto} ${o.local} -> ${o.remote}`);
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  return new Map(subjects.map((s) => [s.label, { cpuPercent: ((cpuSeconds(s.pid) - before.get(s.label)!) / elapsed) * 100, rssMax: rssMax.get(s.label)!, sockets: [...sockets.get(s.label)!] }]));
}

async function timeList(s: Subject, rounds: number): Promise<{ median: number; max: number }> {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await s.list();
    xs.push(performance.now() - t0);
  }
  return { median: median(xs), max: Math.max(...xs) };
}

async function leechers(s: Subject, torrents: BenchTorrent[], n: number): Promise<{ served: number; failures: string[]; slowest?: LeechResult; wallMs: number }> {
  const picks = Array.from({ length: n }, (_, i) => torrents[Math.floor((i * torrents.length) / n)]);
  const t0 = performance.now();
  const results = await Promise.allSettled(picks.map((t, i) => leechPiece0(s.peerPort, t, 30_000, `127.0.0.${10 + i}`)));
  const wallMs = performance.now() - t0;
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
  const slowest = ok.sort((a, b) => b.pieceMs - a.pieceMs)[0];
  return { served: ok.length, failures, ...(slowest ? { slowest } : {}), wallMs };
}

interface Prepared {
  count: number;
  size: number;
  transmission: boolean;
  torrents: { name: string; bytes: string; piece0: string; infoHash: string }[];
}

function savePrepared(file: string, count: number, size: number, transmission: boolean, torrents: BenchTorrent[]): void {
  const p: Prepared = { count, size, transmission, torrents: torrents.map((t) => ({ name: t.name, bytes: t.bytes.toString('base64'), piece0: t.piece0.toString('hex'), infoHash: t.infoHashHex })) };
  writeFileSync(file, JSON.stringify(p));
}

/** The torrents of a state prepared with the same sizes (and transmission if asked), else undefined. */
function loadPrepared(file: string, count: number, size: number, transmission: boolean): BenchTorrent[] | undefined {
  if (!existsSync(file)) return undefined;
  const p = JSON.parse(readFileSync(file, 'utf8')) as Prepared;
  if (p.count !== count || p.size !== size || (transmission && !p.transmission)) return undefined;
  return p.torrents.map((t) => ({ name: t.name, bytes: Buffer.from(t.bytes, 'base64'), piece0: Buffer.from(t.piece0, 'hex'), infoHash: Buffer.from(t.infoHash, 'hex'), infoHashHex: t.infoHash }));
}

const mark = (met: boolean): string => (met ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      torrents: { type: 'string', default: '1000' },
      'idle-seconds': { type: 'string', default: '60' },
      leechers: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '50' },
      size: { type: 'string', default: '20000' },
      'no-transmission': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      keep: { type: 'boolean', default: false },
      state: { type: 'string' },
    },
  });
  const count = Number(values.torrents);
  const size = Number(values.size);
  const withTr = !values['no-transmission'];
  console.log(`many-torrents: ${count} torrents of ${size} bytes; ${new Date().toISOString()}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const stateDir = values.state;
  if (stateDir) mkdirSync(stateDir, { recursive: true });
  const root = stateDir ?? mkdtempSync(join(tmpdir(), 'btd-bench-many-torrents-'));
  const dataDir = join(root, 'data');
  const preparedFile = join(root, 'prepared.json');
  const reuse = loadPrepared(preparedFile, count, size, withTr);
  const running: Subject[] = [];
  try {
    let t = performance.now();
    const btdDir = join(root, 'btd');
    const btdPort = await freePort();
    const tr: TransmissionConfig = { configDir: join(root, 'transmission'), downloadDir: dataDir, rpcPort: await freePort(), peerPort: await freePort() };
    let torrents: BenchTorrent[];
    if (reuse) {
      torrents = reuse;
      if (withTr) writeTransmissionSettings(tr);
      console.log(`reusing the prepared state in ${root}`);
    } else {
      if (stateDir) rmSync(root, { recursive: true, force: true });
      torrents = makeTorrents(dataDir, count, size);
      console.log(`data written in ${(performance.now() - t).toFixed(0)} ms (${((count * size) / 1e6).toFixed(0)} MB)`);
      console.log(`prepare btd: added, checked and stopped in ${(await prepareBtd(btdDir, dataDir, btdPort, torrents)).toFixed(0)} ms`);
      if (withTr) console.log(`prepare transmission: added, verified and stopped in ${(await prepareTransmission(tr, torrents)).toFixed(0)} ms`);
      if (stateDir) savePrepared(preparedFile, count, size, withTr, torrents);
    }

    const probe = torrents[torrents.length - 1];
    const starts = new Map<string, StartFigures>();
    t = performance.now();
    const d = BtdDaemon.start({ dir: btdDir, downloadDir: dataDir, port: btdPort, ...(values['cpu-prof'] ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] } : {}) });
    const btd = btdSubject(d, btdPort);
    running.push(btd);
    starts.set('btd', await measureStart(t, btd, d.initialize(), probe, count));
    const hashedAtReady = (await d.conn!.sendRequest(P.SessionStatsRequest.type)).hashedBytes;
    if (withTr) {
      t = performance.now();
      const trd = Transmission.start(tr);
      const trs = transmissionSubject(trd, tr.peerPort);
      running.push(trs);
      starts.set('transmission', await measureStart(t, trs, trd.rpcUp(60_000), probe, count));
    }
    for (const [label, f] of starts) {
      console.log(`${label} start: RPC ${f.rpcMs.toFixed(0)} ms, all ${count} seeding ${f.seedingMs.toFixed(0)} ms, handshake ${f.handshakeMs.toFixed(0)} ms → ready ${f.readyMs.toFixed(0)} ms; CPU ${f.cpuAtReady.toFixed(2)} s; read ${(f.rcharAtReady / 1e6).toFixed(1)} MB (data ${((count * size) / 1e6).toFixed(0)} MB)`);
    }
    console.log(`btd hashedBytes at ready: ${hashedAtReady}`);

    await sleep(5000); // start-up work settles before the idle window
    const idle = await idleWindow(running, Number(values['idle-seconds']));
    const lists = new Map<string, { median: number; max: number }>();
    for (const s of running) lists.set(s.label, await timeList(s, Number(values.rounds)));
    const leech = new Map<string, Awaited<ReturnType<typeof leechers>>>();
    for (const s of running) leech.set(s.label, await leechers(s, torrents, Number(values.leechers)));
    const hashedAtEnd = (await d.conn!.sendRequest(P.SessionStatsRequest.type)).hashedBytes;

    for (const s of running) {
      const i = idle.get(s.label)!;
      const l = lists.get(s.label)!;
      const m = memoryMb(s.pid);
      const lc = leech.get(s.label)!;
      console.log(`${s.label}: idle CPU ${i.cpuPercent.toFixed(2)} % of a core over ${values['idle-seconds']} s; RSS peak ${m.peak.toFixed(0)} MB, steady ${i.rssMax.toFixed(0)} MB (now ${m.rss.toFixed(0)} MB)`);
      console.log(`  sockets off loopback during the idle window: ${i.sockets.length === 0 ? 'none' : i.sockets.join('; ')}`);
      console.log(`  list: median ${l.median.toFixed(2)} ms, max ${l.max.toFixed(2)} ms over ${values.rounds} calls`);
      const sl = lc.slowest;
      console.log(`  ${values.leechers} leechers at once: ${lc.served} served in ${lc.wallMs.toFixed(0)} ms` + (sl ? ` (slowest: handshake ${sl.handshakeMs.toFixed(0)}, bitfield ${sl.bitfieldMs.toFixed(0)}, unchoke ${sl.unchokeMs.toFixed(0)}, block ${sl.pieceMs.toFixed(0)} ms)` : '') + (lc.failures.length ? `; failures: ${lc.failures.slice(0, 3).join(' | ')}` : ''));
    }
    const b = starts.get('btd')!;
    const bm = memoryMb(btd.pid);
    const bi = idle.get('btd')!;
    const bl = lists.get('btd')!;
    const bLeech = leech.get('btd')!;
    console.log(`btd hashedBytes at the end: ${hashedAtEnd}`);
    console.log('goals (btd):');
    console.log(`  ready ≤ ${GOALS.readyMs} ms with nothing re-hashed: ${b.readyMs.toFixed(0)} ms, hashedBytes ${hashedAtEnd} — ${mark(b.readyMs <= GOALS.readyMs && hashedAtEnd === 0)}`);
    console.log(`  RSS ≤ ${GOALS.rssMb} MB peak and steady: ${bm.peak.toFixed(0)} / ${bi.rssMax.toFixed(0)} MB — ${mark(bm.peak <= GOALS.rssMb && bi.rssMax <= GOALS.rssMb)}`);
    console.log(`  idle CPU ≤ ${GOALS.idleCpuPercent} %: ${bi.cpuPercent.toFixed(2)} % — ${mark(bi.cpuPercent <= GOALS.idleCpuPercent)}`);
    console.log(`  torrent/list < ${GOALS.listMs} ms: ${bl.median.toFixed(2)} ms — ${mark(bl.median < GOALS.listMs)}`);
    console.log(`  ${values.leechers} leechers served: ${bLeech.served} — ${mark(bLeech.served === Number(values.leechers))}`);
  } finally {
    await Promise.all(running.map((s) => s.stop().catch(() => undefined)));
    if (!values.keep && !stateDir) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
