/**
 * `btd demo` (`npm run demo`): a whole swarm on loopback in one process. A tracker, one seeder and two
 * leechers that start together; the seeder's upload is capped so the leechers must trade pieces with
 * each other, and the summary shows how much each got from the other. Everything lives in a temporary
 * folder that is removed at the end.
 */
import type { Command } from 'commander';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metainfo } from '../metainfo';
import { Session, type PeerChange, type Torrent } from '../session';
import { startTracker } from '../tracker/server';
import { makeDemoTorrent } from './demo-torrent';
import { sameContent, writeSampleFile } from './demo-data';
import { formatSwarmLine, ShareLedger } from './demo-view';
import { parseRate } from './download-options';
import { onInterrupt, waitChecked, waitComplete } from './download-session';
import { CliError } from './errors';
import { formatBytes } from './transfer-view';

const FILE_NAME = 'btd-demo.bin';
/** The demo must end well inside a minute; past this something is wrong. */
const DEADLINE_MS = 50_000;

interface DemoFlags {
  sizeMib: number;
  seederRate: number;
}

/** One session of the demo swarm. */
interface Member {
  name: string;
  dir: string;
  session: Session;
  torrent: Torrent;
}

/** Registers `btd demo` on the program. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a tracker, one seeder and two leechers on 127.0.0.1, verify the copies, clean up')
    .option('--size-mib <n>', 'size of the sample file in MiB', parseSizeMib, 32)
    .option('--seeder-rate <rate>', "cap on the seeder's upload, so leechers trade pieces (0 = none)", parseRate, 8 * 1024 * 1024)
    .action((flags: DemoFlags) => runDemo(flags));
}

function parseSizeMib(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new CliError(`invalid size: ${text} (1..4096 MiB)`);
  return n;
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'btd-demo-'));
  const closers: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stopOnSignal = onInterrupt((signal) => {
    void closeAll(closers).then(() => process.exit(signal === 'SIGTERM' ? 143 : 130));
  });
  try {
    await demo(flags, dir, closers);
  } finally {
    stopOnSignal();
    await closeAll(closers);
  }
  // Nothing of the swarm is left; do not wait on stray timers of a closed session.
  process.exit(0);
}

const say = (line: string): boolean => process.stdout.write(`${line}\n`);

async function demo(flags: DemoFlags, dir: string, closers: (() => Promise<void>)[]): Promise<void> {
  const { source, meta, size } = await prepareSample(flags.sizeMib, dir, closers);
  const seeder = await startSeeder(dir, meta, flags.seederRate, closers);
  const startedAt = Date.now();
  const leechers = await Promise.all(['leecher-1', 'leecher-2'].map((name) => joinSwarm(name, join(dir, name), meta, 0, closers)));
  say(`leechers on ports ${leechers.map((l) => l.session.port).join(' and ')}, downloading`);
  const ledger = await watchSwarm(seeder, leechers);
  const seconds = (Date.now() - startedAt) / 1000;
  for (const l of leechers) {
    if (!(await sameContent(source, join(l.dir, FILE_NAME)))) throw new CliError(`${l.name}'s copy differs from the original`);
  }
  say(`done in ${seconds.toFixed(1)} s: both leechers hold a byte-identical copy of ${FILE_NAME} (${formatBytes(size)})`);
  for (const l of leechers) {
    const other = leechers.find((o) => o !== l) as Member;
    say(
      `  ${l.name} received ${formatBytes(l.torrent.summary().downloaded)}: ` +
        `${formatBytes(ledger.received('seeder', l.name))} from the seeder, ${formatBytes(ledger.received(other.name, l.name))} from ${other.name}`,
    );
  }
  say(`  seeder uploaded ${formatBytes(seeder.torrent.summary().uploaded)}; swarm rate ${formatBytes((2 * size) / seconds)}/s`);
}

/** Starts the tracker, writes the sample file into `dir/seeder` and makes its torrent. */
async function prepareSample(sizeMib: number, dir: string, closers: (() => Promise<void>)[]): Promise<{ source: string; meta: Metainfo; size: number }> {
  const tracker = await startTracker({ host: '127.0.0.1', port: 0 });
  closers.unshift(() => tracker.close());
  say(`tracker listening at ${tracker.url}`);
  const size = sizeMib * 1024 * 1024;
  const source = join(dir, 'seeder', FILE_NAME);
  await mkdir(join(dir, 'seeder'));
  await writeSampleFile(source, size);
  const meta = await makeDemoTorrent(source, tracker.url);
  say(`created ${FILE_NAME}: ${formatBytes(size)}, ${meta.pieceCount} pieces of ${formatBytes(meta.pieceLength)}, info hash ${meta.infoHashHex}`);
  return { source, meta, size };
}

async function startSeeder(dir: string, meta: Metainfo, rate: number, closers: (() => Promise<void>)[]): Promise<Member> {
  const seeder = await joinSwarm('seeder', join(dir, 'seeder'), meta, rate, closers);
  const checked = await waitChecked(seeder.session, seeder.torrent);
  if (checked.havePieces !== checked.pieceCount) throw new CliError(`seeder's check failed: ${checked.havePieces} of ${checked.pieceCount} pieces`);
  say(`seeder on port ${seeder.session.port}${rate > 0 ? `, upload capped at ${formatBytes(rate)}/s` : ''}`);
  return seeder;
}

/** Shows the swarm until both leechers are complete; returns who sent what to whom. */
async function watchSwarm(seeder: Member, leechers: Member[]): Promise<ShareLedger> {
  const all = [seeder, ...leechers];
  const ledger = new ShareLedger(all.map((m) => ({ name: m.name, port: m.session.port })));
  for (const m of all) m.session.on('peer', (_t: Torrent, change: PeerChange) => ledger.observe(m.name, change.peer));
  const observeAll = (): void => {
    for (const m of all) for (const p of m.torrent.peers()) ledger.observe(m.name, p);
  };
  const tty = process.stdout.isTTY === true;
  const ticker = setInterval(() => {
    observeAll();
    const line = formatSwarmLine(leechers.map((l) => ({ name: l.name, summary: l.torrent.summary() })), seeder.torrent.summary());
    process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, tty ? 200 : 1000);
  try {
    await withDeadline(Promise.all(leechers.map((l) => waitComplete(l.session, l.torrent))), DEADLINE_MS);
  } finally {
    clearInterval(ticker);
    observeAll();
    if (tty) process.stdout.write('\n');
  }
  return ledger;
}

async function joinSwarm(name: string, dir: string, meta: Metainfo, uploadRateLimit: number, closers: (() => Promise<void>)[]): Promise<Member> {
  await mkdir(dir, { recursive: true });
  const session = await Session.start({ downloadDir: dir, listenHost: '127.0.0.1', port: 0, uploadRateLimit });
  closers.unshift(() => session.close());
  const torrent = await session.addTorrent(meta, { savePath: dir });
  return { name, dir, session, torrent };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`the swarm did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  while (closers.length > 0) {
    const close = closers.shift() as () => Promise<void>;
    await close().catch(() => undefined);
  }
}
