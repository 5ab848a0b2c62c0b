/** `btd download`: fetch one torrent into a folder, resuming what is already there; exit 0 once complete. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { addDhtOptions, parseIp, parsePeer, parsePort, parseRate, parseSeconds, type DhtFlags, type PeerAddress } from './download-options';
import { join } from 'node:path';
import { checkData, closeAndExit, closingOnError, dialPeers, openTransfer, seedUntilInterrupted, startRun, addToRun, transferOptions, waitCompleted, type OpenOptions, type TransferRun } from './download-run';
import { fetchMetadata, magnetArgument, storedMetainfo } from './download-magnet';
import { signalExitCode } from './download-session';
import { loadTorrent } from './download-torrent';
import { CliError } from './errors';
import { preexistingFiles, unverifiedFiles } from './foreign-files';
import { collect, selectFiles } from './file-select';
import { formatBytes } from './transfer-view';
import { magnetPriorities } from '../session/magnet-choices';
import type { TorrentSummary } from '../session';
import type { Magnet } from '../metainfo';

/** Parsed flags of `btd download`. */
interface DownloadFlags extends DhtFlags {
  file?: string;
  output: string;
  port: number;
  ip?: string;
  bind: string;
  peer?: PeerAddress[];
  seedAfter?: boolean;
  maxDownloadRate: number;
  maxUploadRate: number;
  statusInterval: number;
  stateDir?: string;
  debug?: boolean;
  force?: boolean;
  only?: string[];
  skip?: string[];
  sequential?: boolean;
}

/** Registers `btd download` on the program. */
export function registerDownload(program: Command): void {
  const cmd = program
    .command('download')
    .description('download a torrent into a folder; exits 0 once every piece is verified')
    .argument('[torrent]', "the .torrent file, or a magnet link (quote it: 'magnet:?xt=...')")
    .option('-f, --file <torrent>', 'the .torrent file (instead of the argument)')
    .option('-o, --output <dir>', 'folder to save into; a partial download there is resumed', '.')
    .option('-p, --port <port>', 'port to listen on for peers (0 = any free port)', parsePort, 6881)
    .option('--ip <ip>', 'IP address to announce to trackers', parseIp)
    .option('--bind <ip>', 'local address to listen on', parseIp, '0.0.0.0')
    .option('--peer <ip:port>', 'also connect to this peer (repeatable)', parsePeer)
    .option('--seed-after', 'keep seeding once complete, until interrupted')
    .option('--max-download-rate <rate>', 'bytes per second, e.g. 500k or 2M (0 = unlimited)', parseRate, 0)
    .option('--max-upload-rate <rate>', 'bytes per second (0 = unlimited)', parseRate, 0)
    .option('--status-interval <seconds>', 'seconds between status lines when output is not a terminal', parseSeconds, 2)
    .option('--state-dir <dir>', 'where resume data is kept (default: <output>/.btd)')
    .option('--force', 'overwrite files standing under the torrent\'s names that hold none of its data')
    .option('--only <glob>', 'download only the files matching this glob, e.g. "*.mkv" or "season1/**" (repeatable)', collect)
    .option('--skip <glob>', 'do not download the files matching this glob (repeatable)', collect)
    .option('--sequential', 'download pieces in order, front to back')
    .option('-d, --debug', 'print the session log');
  addDhtOptions(cmd).action((torrent: string | undefined, flags: DownloadFlags) => runDownload(torrent, flags));
}

async function runDownload(torrentArg: string | undefined, flags: DownloadFlags): Promise<void> {
  if (flags.debug) process.env.BTD_DEBUG = '1';
  const source = pickTorrentPath(torrentArg, flags.file);
  const magnet = /^magnet:/i.test(source) ? magnetArgument(source) : undefined; // a bad link fails before any folder is made
  const stateDir = flags.stateDir === undefined ? undefined : resolve(flags.stateDir);
  const opts = await transferOptions(flags, stateDir, { statusIntervalMs: flags.statusInterval * 1000 });
  const outDir = opts.savePath;
  const choose: Choose = { only: flags.only ?? [], skip: flags.skip ?? [], sequential: flags.sequential === true };
  if (magnet) return downloadMagnet(magnet, stateDir ?? join(outDir, '.btd'), opts, flags.seedAfter === true, choose);
  const meta = await loadTorrent(source);
  if (meta.name === '.btd' && stateDir === undefined) {
    throw new CliError("this torrent is named .btd, like the folder where btd keeps its state; give --state-dir DIR to keep the state elsewhere");
  }
  selectFiles(meta, choose.only, choose.skip); // a glob matching nothing fails before anything starts
  // Files already there on a first run are checked before anything is written (the torrent starts paused).
  const before = flags.force ? [] : await preexistingFiles(meta, outDir, stateDir ?? join(outDir, '.btd'));
  const run = await openTransfer(meta, { ...opts, paused: before.length > 0 });
  await closingOnError(run, () => fetchAll(run, flags.seedAfter === true, choose, before));
}

/** A magnet link: the metadata kept by an earlier run, or fetched from peers now; then as a .torrent. */
async function downloadMagnet(magnet: Magnet, stateDir: string, opts: OpenOptions, seedAfter: boolean, choose: Choose): Promise<void> {
  const base = await startRun(magnet.infoHashHex, { ...opts, peers: [...magnet.peers, ...opts.peers] });
  const stored = await storedMetainfo(stateDir, magnet);
  if (stored) {
    // The magnet's `so` applies on every run, as --only does (on the first it applies when the metadata comes).
    const warn = (message: string): void => void process.stderr.write(`warn: ${stored.name}: ${message}\n`);
    const filePriorities = magnetPriorities(stored, magnet.selectOnly ? { selectOnly: magnet.selectOnly } : {}, warn);
    const run = await addToRun(base, stored, { ...opts, ...(filePriorities ? { filePriorities } : {}) });
    return closingOnError(run, () => fetchAll(run, seedAfter, choose));
  }
  const torrent = await closingOnError(base, () => fetchMetadata(base, magnet, stateDir, opts.savePath));
  if (torrent === undefined) {
    base.view.line('interrupted before the metadata came; run again to go on');
    return closeAndExit(base, 130);
  }
  const run: TransferRun = { ...base, torrent };
  await closingOnError(run, () => fetchAll(run, seedAfter, choose));
}

/** `--only`, `--skip` and `--sequential`. */
interface Choose {
  only: string[];
  skip: string[];
  sequential: boolean;
}

/** Applies the file selection before any peer is dialled (skipped files are never created). */
async function applyChoose(run: TransferRun, choose: Choose): Promise<void> {
  const priorities = selectFiles(run.torrent.metainfo, choose.only, choose.skip);
  if (priorities) await run.torrent.setFilePriorities(priorities.map((priority, index) => ({ index, priority })).filter((e) => !run.torrent.metainfo.files[e.index].padding));
  if (choose.sequential) await run.torrent.setSequential(true);
}

/** Waits for the check, downloads the rest, reports, and exits (or seeds on with --seed-after). */
async function fetchAll(run: TransferRun, seedAfter: boolean, choose: Choose, preexisting: readonly number[] = []): Promise<never> {
  const startedAt = Date.now();
  await applyChoose(run, choose);
  const checked = await checkData(run);
  if (checked === undefined) return closeAndExit(run, 130);
  if (preexisting.length > 0) {
    // A skipped file is never written, so it needs no check.
    const priorities = selectFiles(run.torrent.metainfo, choose.only, choose.skip);
    const written = preexisting.filter((i) => priorities?.[i] !== 'skip');
    const foreign = unverifiedFiles(run.torrent.metainfo, run.torrent.savePath, written, run.torrent.verifiedPieces);
    if (foreign.length > 0) {
      const names = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
      throw new CliError(`${names} already exist${foreign.length === 1 ? 's' : ''} and hold${foreign.length === 1 ? 's' : ''} none of this torrent's data; move ${foreign.length === 1 ? 'it' : 'them'} away, or run again with --force to overwrite`);
    }
    await run.torrent.resume();
  }
  dialPeers(run);
  const outcome = await waitCompleted(run);
  if (outcome !== 'completed') {
    run.view.line(`interrupted: ${run.torrent.summary().havePieces} of ${checked.pieceCount} pieces verified; run again to resume`);
    return closeAndExit(run, signalExitCode(outcome));
  }
  const done = run.torrent.summary();
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const thisRun = done.downloaded - checked.downloaded;
  run.view.stop();
  run.view.line(
    `completed ${done.name}${done.partial ? ` (the ${formatBytes(done.wantedLength)} of files chosen)` : ''}: ${formatBytes(done.totalLength)} in ${seconds} s; this run downloaded ${thisRun} bytes (${formatBytes(thisRun)}), ` +
      `${checked.havePieces} of ${done.pieceCount} pieces were already verified`,
  );
  run.view.line(`peers: ${describePeersMet(done.peersMet)}; ${formatBytes(done.duplicateBytes ?? 0)} received twice; ${fromOthers(done.downloadedFromSeeds ?? 0, thisRun)}`);
  if (seedAfter) await seedUntilInterrupted(run);
  return closeAndExit(run, 0);
}

/** `received 192 MiB from seeds, 64 MiB from other downloaders` (block bytes, duplicates included). */
export function fromOthers(fromSeeds: number, downloaded: number): string {
  return `received ${formatBytes(fromSeeds)} from seeds, ${formatBytes(Math.max(0, downloaded - fromSeeds))} from other downloaders`;
}

/** `3 (tracker 1, pex 2)`: the peers this run connected to, by how they were found. */
export function describePeersMet(met: TorrentSummary['peersMet']): string {
  const parts = Object.entries(met ?? {}).filter(([, n]) => n > 0);
  const total = parts.reduce((sum, [, n]) => sum + n, 0);
  return parts.length === 0 ? '0' : `${total} (${parts.map(([source, n]) => `${source} ${n}`).join(', ')})`;
}

function pickTorrentPath(arg: string | undefined, file: string | undefined): string {
  if (arg !== undefined && file !== undefined && arg !== file) throw new CliError('give the torrent either as the argument or with -f, not both');
  const path = arg ?? file;
  if (path === undefined) throw new CliError("no torrent given (usage: btd download <file.torrent | 'magnet:?...'> [-o DIR])");
  return path;
}
