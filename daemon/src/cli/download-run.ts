/**
 * The life of one torrent in a CLI process, shared by `btd download` and `btd seed`:
 * open a session and add the torrent, wait for the data check, download, seed, and stop cleanly.
 */
import type { Writable } from 'node:stream';
import { SessionError, type AddTorrentOptions, type AnyTorrent, type Session, type SessionOptions, type Torrent, type TorrentSummary } from '../session';
import type { Metainfo } from '../metainfo/types';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dhtSessionOptions, type DhtFlags, type PeerAddress } from './download-options';
import { attachLog, onInterrupt, startCliSession, waitChecked, waitComplete } from './download-session';
import { CliError } from './errors';
import { createTransferView, formatBytes, type TransferView } from './transfer-view';

/** A session of the CLI with its display and the first interrupting signal, before its torrent is added. */
export interface RunBase {
  session: Session;
  view: TransferView;
  out: Writable;
  /** Settles with the first SIGINT/SIGTERM. */
  interrupted: Promise<NodeJS.Signals>;
  /** Peers given with `--peer`, dialled once the data check is over. */
  peers: PeerAddress[];
}

/** One torrent in its own session, with its display and the first interrupting signal. */
export interface TransferRun extends RunBase {
  torrent: Torrent;
}

/** What openTransfer needs beyond the metainfo. */
export interface OpenOptions {
  session: SessionOptions;
  savePath: string;
  debug: boolean;
  statusIntervalMs: number;
  peers: PeerAddress[];
  /** Add the torrent paused: its data is checked but nothing is transferred until resume(). */
  paused?: boolean;
  /** Where the status goes (default stdout; `btd stream` keeps stdout for its URL). */
  out?: Writable;
}

/** The flags `btd download` and `btd stream` share that make a transfer's options. */
export interface TransferFlags extends DhtFlags {
  output: string;
  port: number;
  ip?: string;
  bind: string;
  peer?: PeerAddress[];
  maxDownloadRate: number;
  maxUploadRate: number;
  debug?: boolean;
}

/**
 * Creates the output folder (a CliError naming it when that fails) and makes the options of a transfer
 * into it: the session on the flags' address, port, rates and DHT, saving into that folder.
 */
export async function transferOptions(flags: TransferFlags, stateDir: string | undefined, extra: Pick<OpenOptions, 'statusIntervalMs' | 'out'>): Promise<OpenOptions> {
  const outDir = resolve(flags.output);
  await mkdir(outDir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot create ${flags.output}: ${err.code ?? err.message}`);
  });
  return {
    session: {
      downloadDir: outDir,
      stateDir,
      listenHost: flags.bind,
      port: flags.port,
      ...(flags.ip !== undefined && { announceIp: flags.ip }),
      downloadRateLimit: flags.maxDownloadRate,
      uploadRateLimit: flags.maxUploadRate,
      ...dhtSessionOptions(flags),
    },
    savePath: outDir,
    debug: flags.debug === true,
    peers: flags.peer ?? [],
    ...extra,
  };
}

/** Starts the session, prints the port, adds the torrent; signals from here on end the run cleanly. */
export async function openTransfer(meta: Metainfo, opts: OpenOptions): Promise<TransferRun> {
  return addToRun(await startRun(meta.infoHashHex, opts), meta, opts);
}

/** Starts the session and prints its port; the view shows the torrent of `infoHashHex` once added. */
export async function startRun(infoHashHex: string, opts: OpenOptions): Promise<RunBase> {
  const out = opts.out ?? process.stdout;
  let resolveSignal!: (s: NodeJS.Signals) => void;
  const interrupted = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  onInterrupt(resolveSignal);
  const session = await startCliSession(opts.session);
  attachLog(session, process.stderr, opts.debug);
  out.write(`listening on port ${session.port}\n`);
  const view = createTransferView({ stream: out, tty: (out as { isTTY?: boolean }).isTTY === true, intervalMs: opts.statusIntervalMs });
  const show = (t: AnyTorrent): void => {
    if (t.infoHashHex !== infoHashHex || t.summary().metadataPending) return;
    const s = t.summary();
    // `btd seed` checks its data paused; that pause is a step of start-up, not news.
    if (s.state !== 'paused') view.update(s);
  };
  session.on('progress', show);
  session.on('state', show);
  return { session, view, out, interrupted, peers: opts.peers };
}

/** Adds the torrent to a started run; a failure closes the session. */
export async function addToRun(base: RunBase, meta: Metainfo, opts: Pick<OpenOptions, 'savePath' | 'paused'> & Pick<AddTorrentOptions, 'filePriorities'>): Promise<TransferRun> {
  let torrent: Torrent;
  try {
    torrent = await base.session.addTorrent(meta, { savePath: opts.savePath, paused: opts.paused, ...(opts.filePriorities ? { filePriorities: opts.filePriorities } : {}) });
  } catch (err) {
    await base.session.close();
    if (err instanceof SessionError) throw new CliError(`cannot add ${meta.name}: ${err.message}`);
    throw err;
  }
  return { ...base, torrent };
}

/** Waits for the data check; undefined if a signal came first. Prints how much was already there. */
export async function checkData(run: TransferRun): Promise<TorrentSummary | undefined> {
  const checked = await Promise.race([waitChecked(run.session, run.torrent), run.interrupted.then(() => undefined)]);
  if (checked === undefined) return undefined;
  if (checked.state === 'error') throw new CliError(`${checked.name}: ${checked.error ?? 'failed'}`);
  run.view.line(`checked ${checked.name}: ${checked.havePieces} of ${checked.pieceCount} pieces verified (${formatBytes(checked.verifiedBytes)})`);
  return checked;
}

/** Dials the peers given with `--peer`. */
export function dialPeers(run: TransferRun): void {
  for (const p of run.peers) run.torrent.addPeer(p.ip, p.port);
}

/** Settles with 'completed' once every piece is verified, or with the interrupting signal; rejects on error. */
export function waitCompleted(run: TransferRun): Promise<'completed' | NodeJS.Signals> {
  return Promise.race([waitComplete(run.session, run.torrent).then(() => 'completed' as const), run.interrupted]);
}

/** Prints the line scripts wait for, then seeds until a signal. */
export function seedUntilInterrupted(run: TransferRun): Promise<NodeJS.Signals> {
  run.view.line(`seeding ${run.torrent.metainfo.name} on port ${run.session.port}`);
  return run.interrupted;
}

/** Runs `body`; if it throws, closes the session first (so trackers hear 'stopped') and rethrows. */
export async function closingOnError<T>(run: RunBase, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    run.view.stop();
    await run.session.close().catch(() => undefined);
    throw err;
  }
}

/** Stops the display, closes the session ('stopped' to trackers, resume data saved), cleans up, and exits. */
export async function closeAndExit(run: RunBase, code: number, cleanup?: () => Promise<void>): Promise<never> {
  run.view.stop();
  await run.session.close();
  await cleanup?.();
  process.exit(code);
}
