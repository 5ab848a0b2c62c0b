/**
 * Kill -9 benchmark: a `btd download` from a rate-limited `btd seed` on 127.0.0.1 is killed with
 * SIGKILL at random moments (a seeded PRNG; the seed is printed) and started again each time with the
 * same output and state folder. After every kill the bench hashes what is on disk itself, reads the
 * resume state the process left, and compares both with what the restart reports on its check; at the
 * end the copy must be byte-identical to the source. See bench/kill9.md.
 *
 *   node out/bench/kill9.js [--size-mib 512] [--rate-mib 64] [--kills 10] [--seed N]
 *
 * The kill moments are drawn as points of the transfer: k random fractions of the data, sorted; a run
 * is killed a random 0..50 ms after its first status line at or past its fraction (a restart whose
 * check already found more is killed at its first status line). Drawing them by progress rather than by
 * time keeps every kill mid-transfer: the seeder's token bucket holds a second of its rate, which a
 * restart gets at full speed after its check, so how far a run gets in a given time varies.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSampleFile } from '../daemon/src/cli/demo-data';
import { HashPool } from '../daemon/src/hash/pool';
import { createTorrent, type Metainfo } from '../daemon/src/metainfo';
import { decodeResumeState } from '../daemon/src/storage/resume-format';
import { freePort } from './proc';
import { mulberry32 as prng } from '../daemon/src/util/prng';

const BTD = join(resolve(__dirname, '../..'), 'bin/btd.js');
const LOCAL = ['--bind', '127.0.0.1', '--no-dht'];
const MiB = 1024 * 1024;

/** A btd process whose output can be awaited. */
interface Proc {
  text(): string;
  /** The first match of `re` in the output so far or to come. */
  line(re: RegExp, deadlineMs: number): Promise<RegExpExecArray>;
  /** Resolves once `test` holds for the output (checked on every chunk); rejects at the deadline or exit. */
  until(test: (text: string) => boolean, deadlineMs: number, what: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

function launch(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BTD, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1' } });
  let text = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const onData = (c: Buffer): void => {
    text += c.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => {
      ended = true;
      for (const w of [...waiters]) w();
      done({ code, signal });
    }),
  );
  const until = (test: (t: string) => boolean, deadlineMs: number, what: string): Promise<void> =>
    new Promise((ok, fail) => {
      const timer = setTimeout(() => (waiters.delete(check), fail(new Error(`no ${what} within ${deadlineMs} ms; output:\n${text.slice(-2000)}`))), deadlineMs);
      function check(): void {
        if (test(text)) {
          waiters.delete(check);
          clearTimeout(timer);
          ok();
        } else if (ended) {
          waiters.delete(check);
          clearTimeout(timer);
          fail(new Error(`exited before ${what}; output:\n${text.slice(-2000)}`));
        }
      }
      waiters.add(check);
      check();
    });
  return {
    text: () => text,
    until,
    line: async (re, deadlineMs) => {
      await until((t) => re.test(t), deadlineMs, String(re));
      return re.exec(text) as RegExpExecArray;
    },
    exited,
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
  };
}



const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: MiB, GiB: 1024 * MiB };

/** Bytes from a status line's `12.5 MiB/512.0 MiB`. */
function parseBytes(value: string, unit: string): number {
  return Number(value) * (UNIT[unit] ?? NaN);
}

/** Verified pieces according to the last status line printed (a lower bound: lines come every interval). */
function lastStatusPieces(text: string, pieceLength: number): number {
  const all = [...text.matchAll(/^\w+\s+[\d.]+%\s+([\d.]+) (B|KiB|MiB|GiB)\//gm)];
  if (all.length === 0) return 0;
  const m = all[all.length - 1];
  return Math.floor(parseBytes(m[1], m[2]) / pieceLength + 1e-9);
}

function count(bits: Uint8Array): number {
  return bits.reduce((n, v) => n + (v ? 1 : 0), 0);
}

async function sha1File(path: string): Promise<string> {
  const h = createHash('sha1');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** One kill: what was verified before it, what survived, what the restart found. */
interface Kill {
  /** The fraction of the data this kill waited for, and when it came, from the run's spawn. */
  target: number;
  killedAtMs: number;
  statusPieces: number;
  resumePieces: number;
  /** Resume state claimed a piece that is not on disk intact. */
  resumeWrong: number;
  diskPieces: number;
  foundPieces?: number;
  checkMs?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '512' },
      'rate-mib': { type: 'string', default: '64' },
      kills: { type: 'string', default: '10' },
      seed: { type: 'string' },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const kills = Number(values.kills);
  const size = Number(values['size-mib']) * MiB;
  const targets = Array.from({ length: kills }, () => 0.02 + random() * 0.93).sort((x, y) => x - y);
  console.log(`${values['size-mib']} MiB, seeder limited to ${values['rate-mib']} MiB/s, ${kills} kills, PRNG seed ${seed}`);
  console.log(`kill points (fraction of the data verified): ${targets.map((t) => t.toFixed(3)).join(' ')}`);
  console.log(`load average at the start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const root = await mkdtemp(join(tmpdir(), 'btd-bench-kill9-'));
  const pool = new HashPool({ workers: 2 });
  const procs: Proc[] = [];
  try {
    const seedDir = join(root, 'seed');
    const out = join(root, 'download');
    await mkdir(seedDir);
    await mkdir(out);
    const dataPath = join(seedDir, 'kill9.bin');
    await writeSampleFile(dataPath, size);
    const { bytes, metainfo: m } = await createTorrent(dataPath, { pool });
    const torrent = join(root, 'kill9.torrent');
    await writeFile(torrent, bytes);
    const seedPort = await freePort();
    const seeder = launch(['seed', torrent, '-f', dataPath, '-p', String(seedPort), '--max-upload-rate', `${values['rate-mib']}M`, '--status-interval', '0.5', ...LOCAL], root);
    procs.push(seeder);
    await seeder.line(/seeding /m, 60_000);
    const downloadArgs = async (): Promise<string[]> => [
      'download', torrent, '-o', out, '-p', String(await freePort()), '--peer', `127.0.0.1:${seedPort}`, '--status-interval', '0.1', ...LOCAL,
    ];
    const copy = join(out, m.name);
    const stateFile = join(out, '.btd', `${m.infoHashHex}.resume`);
    const records: Kill[] = [];
    const t0 = performance.now();
    let final: Proc | undefined;
    for (let k = 0; k <= kills; k++) {
      const started = performance.now();
      const p = launch(await downloadArgs(), root);
      procs.push(p);
      const checked = await p.line(/^checked .*: (\d+) of (\d+) pieces verified/m, 120_000);
      const found = Number(checked[1]);
      if (k > 0) {
        records[k - 1].foundPieces = found;
        records[k - 1].checkMs = performance.now() - started;
      }
      if (k === kills) {
        final = p;
        break;
      }
      const target = targets[k] * size;
      const passed = (text: string): boolean => lastStatusPieces(text, m.pieceLength) * m.pieceLength >= target && /^downloading /m.test(text);
      await p.until(passed, 120_000, `a status line past ${(targets[k] * 100).toFixed(1)} %`);
      const delayMs = Math.round(random() * 50);
      const finished = await Promise.race([p.exited.then(() => true), new Promise<false>((done) => setTimeout(() => done(false), delayMs))]);
      if (finished) throw new Error(`the download completed before kill ${k + 1}`);
      const killedAt = performance.now() - started;
      p.kill();
      await p.exited;
      const statusPieces = lastStatusPieces(p.text(), m.pieceLength);
      const resume = await readFile(stateFile).then(
        (b) => decodeResumeState(b, { infoHashHex: m.infoHashHex, pieceCount: m.pieceCount, fileCount: m.files.length }).have,
        () => undefined,
      );
      const onDisk = await diskPieces(pool, m, copy);
      let resumePieces = 0;
      let resumeWrong = 0;
      for (let i = 0; i < m.pieceCount; i++) {
        if (!resume?.has(i)) continue;
        resumePieces++;
        if (!onDisk[i]) resumeWrong++;
      }
      records.push({ target: targets[k], killedAtMs: Math.round(killedAt), statusPieces, resumePieces, resumeWrong, diskPieces: count(onDisk) });
    }
    const end = await final?.exited;
    if (end?.code !== 0) throw new Error(`the last download exited with ${end?.code}: ${final?.text().slice(-2000)}`);
    const seconds = (performance.now() - t0) / 1000;
    const [want, got] = await Promise.all([sha1File(dataPath), sha1File(copy)]);
    // A status line printed after the end, so it counts every byte sent.
    const mark = seeder.text().length;
    const UPLOADED = /uploaded ([\d.]+) (B|KiB|MiB|GiB)/g;
    await seeder.until((t) => /uploaded [\d.]+ \w+/.test(t.slice(mark)), 10_000, 'a seeder status line').catch(() => undefined);
    const uploads = [...seeder.text().slice(mark).matchAll(UPLOADED)];
    const uploaded = uploads.length > 0 ? parseBytes(uploads[uploads.length - 1][1], uploads[uploads.length - 1][2]) : NaN;
    const lastRun = /this run downloaded (\d+) bytes/.exec(final?.text() ?? '');
    const lastFound = records[records.length - 1]?.foundPieces ?? 0;
    const lastNeeded = m.totalLength - Math.min(m.totalLength, lastFound * m.pieceLength);
    report(records, m, { seconds, want, got, uploaded, size, lastRun: lastRun ? Number(lastRun[1]) : NaN, lastNeeded });
    const lost = records.some((r) => (r.foundPieces ?? 0) < r.diskPieces || r.resumeWrong > 0);
    if (want !== got || lost) process.exitCode = 1;
  } finally {
    procs.forEach((p) => p.kill());
    await Promise.all(procs.map((p) => p.exited));
    await pool.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** Which pieces of the partial copy are on disk intact, hashed by the bench itself (absent or short: missing). */
async function diskPieces(pool: HashPool, m: Metainfo, copy: string): Promise<Uint8Array> {
  if (!(await stat(copy).then(() => true, () => false))) return new Uint8Array(m.pieceCount);
  const layout = { files: [{ path: copy, length: m.totalLength }], pieceLength: m.pieceLength, totalLength: m.totalLength };
  return pool.checkPieces(layout, m.pieces);
}

interface End {
  seconds: number;
  want: string;
  got: string;
  uploaded: number;
  size: number;
  /** What the run that completed says it downloaded, and what was missing when it started. */
  lastRun: number;
  lastNeeded: number;
}

function report(records: Kill[], m: Metainfo, end: End): void {
  console.log(`${m.pieceCount} pieces of ${m.pieceLength / 1024} KiB`);
  console.log('kill  point  at (ms after spawn)  verified (last status line)  in resume state  on disk intact  restart found  re-downloaded  restart check');
  records.forEach((r, i) => {
    const found = r.foundPieces ?? NaN;
    const redownload = Math.max(0, r.diskPieces - found);
    const cells = [
      String(i + 1).padStart(4),
      r.target.toFixed(3).padStart(7),
      String(r.killedAtMs).padStart(20),
      String(r.statusPieces).padStart(28),
      `${r.resumePieces}${r.resumeWrong ? ` (${r.resumeWrong} NOT on disk)` : ''}`.padStart(16),
      String(r.diskPieces).padStart(15),
      String(found).padStart(14),
      String(redownload).padStart(14),
      `${((r.checkMs ?? NaN) / 1000).toFixed(2)} s`.padStart(14),
    ];
    console.log(cells.join(''));
  });
  const lost = records.reduce((n, r) => n + Math.max(0, r.diskPieces - (r.foundPieces ?? 0)), 0);
  const behind = records.reduce((n, r) => n + Math.max(0, r.diskPieces - r.resumePieces), 0);
  console.log(`verified pieces lost over all restarts (on disk intact, not found by the restart): ${lost}`);
  console.log(`pieces on disk but not yet in the resume state at the kills (found again by hashing): ${behind}`);
  console.log(`seeder uploaded ${(end.uploaded / MiB).toFixed(1)} MiB for ${(end.size / MiB).toFixed(0)} MiB (${((end.uploaded - end.size) / MiB).toFixed(1)} MiB more: blocks of unfinished pieces at the kills, and any re-download)`);
  console.log(`the run that completed downloaded ${(end.lastRun / MiB).toFixed(1)} MiB; its check left ${(end.lastNeeded / MiB).toFixed(1)} MiB missing`);
  console.log(`complete after ${records.length} kills in ${end.seconds.toFixed(1)} s; copy ${end.want === end.got ? 'byte-identical' : 'DIFFERS'} (sha1 ${end.got.slice(0, 16)}…)`);
  console.log(`goal: every restart resumes and re-downloads no verified piece: ${lost === 0 && records.every((r) => r.resumeWrong === 0) && end.want === end.got ? 'met' : 'NOT met'}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
