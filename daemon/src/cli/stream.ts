/**
 * `btd stream`: prints a local URL for one file of a torrent and downloads it around what the reader
 * reads (piece deadlines, sequential otherwise), so a player can start before the file is complete:
 * `mpv "$(btd stream film.torrent)"`. With stdout captured, the work goes on in a background process
 * (the command returns once the URL is printed); it stops after --idle-exit seconds without a reader.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Metainfo } from '../metainfo/types';
import { FileServer } from '../stream';
import { addDhtOptions, parseIp, parsePeer, parsePort, parseRate, parseSeconds, type DhtFlags, type PeerAddress } from './download-options';
import { fetchMetadata, magnetArgument, storedMetainfo } from './download-magnet';
import { signalExitCode } from './download-session';
import { addToRun, checkData, closeAndExit, closingOnError, dialPeers, startRun, transferOptions, type TransferRun } from './download-run';
import { loadTorrent } from './download-torrent';
import { CliError } from './errors';
import { chooseStreamFile } from './stream-file';

interface StreamFlags extends DhtFlags {
  file?: string;
  output: string;
  port: number;
  bind: string;
  peer?: PeerAddress[];
  maxDownloadRate: number;
  maxUploadRate: number;
  stateDir?: string;
  foreground?: boolean;
  idleExit: number;
  debug?: boolean;
}

/** What the background process tells the command that started it. */
type ChildReport = { url: string; pid: number } | { error: string };

/** Registers `btd stream` on the program. */
export function registerStream(program: Command): void {
  const cmd = program
    .command('stream')
    .description('print a local http:// URL for a file of a torrent and download it in the order it is read; players open it before it is complete')
    .argument('<torrent>', "the .torrent file, or a magnet link (quote it: 'magnet:?xt=...')")
    .option('--file <N|glob>', 'the file to stream: its index (btd info --files) or a glob; default the largest')
    .option('-o, --output <dir>', 'folder to save into; a partial download there is resumed', '.')
    .option('-p, --port <port>', 'port to listen on for peers (0 = any free port)', parsePort, 6881)
    .option('--bind <ip>', 'local address to listen on for peers', parseIp, '0.0.0.0')
    .option('--peer <ip:port>', 'also connect to this peer (repeatable)', parsePeer)
    .option('--max-download-rate <rate>', 'bytes per second, e.g. 500k or 2M (0 = unlimited)', parseRate, 0)
    .option('--max-upload-rate <rate>', 'bytes per second (0 = unlimited)', parseRate, 0)
    .option('--state-dir <dir>', 'where resume data is kept (default: <output>/.btd)')
    .option('--foreground', 'stay in the foreground (the default when stdout is a terminal) with status on stderr, until Ctrl-C')
    .option('--idle-exit <seconds>', 'the background process stops after this long without a reader', parseSeconds, 600)
    .option('-d, --debug', 'print the session log');
  addDhtOptions(cmd).action((torrent: string, flags: StreamFlags) => (flags.foreground || process.stdout.isTTY || process.send ? runStream(torrent, flags) : detach(flags)));
}

/** Where the status and log of a run go: the state folder. */
function stateDirOf(flags: StreamFlags): string {
  return flags.stateDir === undefined ? join(resolve(flags.output), '.btd') : resolve(flags.stateDir);
}

/** Starts this command again as a background process (its status in <state>/stream.log), prints the URL it reports, and returns. */
async function detach(flags: StreamFlags): Promise<void> {
  const stateDir = stateDirOf(flags);
  const logPath = join(stateDir, 'stream.log');
  let log: FileHandle;
  try {
    await mkdir(stateDir, { recursive: true });
    log = await open(logPath, 'a');
  } catch (err) {
    throw new CliError(`cannot write ${logPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1), '--foreground'], {
    detached: true,
    stdio: ['ignore', 'ignore', log.fd, 'ipc'],
  });
  await log.close();
  // Interrupted before the URL came: the background process goes too (it is in its own process group).
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const report = await new Promise<ChildReport>((done) => {
    child.once('message', (m) => done(m as ChildReport));
    child.once('exit', (code, signal) => done({ error: `the background process ended (${signal ?? `code ${code}`}) before it had a URL; see ${logPath}` }));
    child.once('error', (err) => done({ error: err.message }));
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if ('error' in report) throw new CliError(report.error);
  process.stdout.write(`${report.url}\n`);
  process.stderr.write(`btd stream: serving in the background (pid ${report.pid}, status in ${logPath}); it stops ${flags.idleExit} s after the last reader, or: kill ${report.pid}\n`);
  child.disconnect();
  child.unref();
  process.exit(0);
}

async function runStream(source: string, flags: StreamFlags): Promise<void> {
  if (flags.debug) process.env.BTD_DEBUG = '1';
  const report = (r: ChildReport): void => {
    if (process.send) process.send(r, () => process.disconnect?.());
  };
  try {
    await stream(source, flags, report);
  } catch (err) {
    report({ error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

async function stream(source: string, flags: StreamFlags, report: (r: ChildReport) => void): Promise<void> {
  const stateDir = stateDirOf(flags);
  const opts = await transferOptions(flags, stateDir, { statusIntervalMs: 5000, out: process.stderr });
  const outDir = opts.savePath;
  let run: TransferRun;
  if (/^magnet:/i.test(source)) {
    const magnet = magnetArgument(source);
    const base = await startRun(magnet.infoHashHex, { ...opts, peers: [...magnet.peers, ...opts.peers] });
    const stored = await storedMetainfo(stateDir, magnet);
    const torrent = stored ? (await addToRun(base, stored, opts)).torrent : await closingOnError(base, () => fetchMetadata(base, magnet, stateDir, outDir));
    if (torrent === undefined) return closeAndExit(base, 130);
    run = { ...base, torrent };
  } else {
    const meta = await loadTorrent(source);
    chooseStreamFile(meta, flags.file); // a bad --file fails before anything starts
    run = await addToRun(await startRun(meta.infoHashHex, opts), meta, opts);
  }
  await closingOnError(run, () => serve(run, chooseStreamFile(run.torrent.metainfo, flags.file), flags, report));
}

/** Only the chosen file, in order; the URL once the data is checked; then until a signal or idle. */
async function serve(run: TransferRun, fileIndex: number, flags: StreamFlags, report: (r: ChildReport) => void): Promise<never> {
  const t = run.torrent;
  await t.setFilePriorities(onlyFile(t.metainfo, fileIndex));
  await t.setSequential(true);
  const checked = await checkData(run);
  if (checked === undefined) return closeAndExit(run, 130);
  const server = new FileServer((h) => (h === t.infoHashHex ? t : undefined));
  const url = await server.urlFor(t.infoHashHex, fileIndex);
  if (process.send) report({ url, pid: process.pid });
  else process.stdout.write(`${url}\n`);
  dialPeers(run);
  const outcome = await Promise.race([run.interrupted, idle(server, flags.idleExit * 1000, () => !!process.send || !process.stdout.isTTY)]);
  run.view.line(outcome === 'idle' ? `no reader for ${flags.idleExit} s: stopping` : 'interrupted');
  return closeAndExit(run, outcome === 'idle' ? 0 : signalExitCode(outcome), () => server.close());
}

/** Resolves once the server has had no request for `ms` (only when `enabled()`: a terminal run stays until Ctrl-C). */
function idle(server: FileServer, ms: number, enabled: () => boolean): Promise<'idle'> {
  return new Promise((done) => {
    const timer = setInterval(() => {
      if (enabled() && Date.now() - server.lastActivity >= ms) {
        clearInterval(timer);
        done('idle');
      }
    }, Math.min(5000, Math.max(100, ms / 4)));
  });
}

function onlyFile(m: Metainfo, fileIndex: number): { index: number; priority: 'normal' | 'skip' }[] {
  return m.files.flatMap((f, index) => (f.padding ? [] : [{ index, priority: index === fileIndex ? ('normal' as const) : ('skip' as const) }]));
}

