/** `btd seed`: check a torrent's data, then serve it until SIGINT/SIGTERM, which ends cleanly (exit 0). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { addDhtOptions, dhtSessionOptions, parseIp, parsePeer, parsePort, parseRate, parseSeconds, type DhtFlags, type PeerAddress } from './download-options';
import { checkData, closeAndExit, closingOnError, dialPeers, openTransfer, seedUntilInterrupted } from './download-run';
import { loadTorrent } from './download-torrent';
import { CliError } from './errors';
import { resolveSeedLocation } from './seed-path';

/** Parsed flags of `btd seed`. */
interface SeedFlags extends DhtFlags {
  file?: string;
  port: number;
  ip?: string;
  bind: string;
  peer?: PeerAddress[];
  maxUploadRate: number;
  statusInterval: number;
  stateDir?: string;
  debug?: boolean;
}

/** Registers `btd seed` on the program. */
export function registerSeed(program: Command): void {
  const cmd = program
    .command('seed')
    .description('check the data of a torrent, then seed it until interrupted (Ctrl-C)')
    .argument('<torrent>', 'the .torrent file')
    .option('-f, --file <path>', "the data: the file (single-file torrent) or the folder (multi-file); default ./<name>")
    .option('-p, --port <port>', 'port to listen on for peers (0 = any free port)', parsePort, 6881)
    .option('--ip <ip>', 'IP address to announce to trackers', parseIp)
    .option('--bind <ip>', 'local address to listen on', parseIp, '0.0.0.0')
    .option('--peer <ip:port>', 'also connect to this peer (repeatable)', parsePeer)
    .option('--max-upload-rate <rate>', 'bytes per second, e.g. 500k or 2M (0 = unlimited)', parseRate, 0)
    .option('--status-interval <seconds>', 'seconds between status lines when output is not a terminal', parseSeconds, 10)
    .option('--state-dir <dir>', 'where resume data is kept (default: .btd next to the data)')
    .option('-d, --debug', 'print the session log');
  addDhtOptions(cmd).action((torrent: string, flags: SeedFlags) => runSeed(torrent, flags));
}

async function runSeed(torrentPath: string, flags: SeedFlags): Promise<void> {
  if (flags.debug) process.env.BTD_DEBUG = '1';
  const meta = await loadTorrent(torrentPath);
  const location = await resolveSeedLocation(meta, flags.file, process.cwd());
  try {
    // Added paused: data that does not match must never be "completed" by downloading into it.
    const run = await openTransfer(meta, {
      session: {
        downloadDir: location.savePath,
        stateDir: flags.stateDir === undefined ? undefined : resolve(flags.stateDir),
        listenHost: flags.bind,
        port: flags.port,
        announceIp: flags.ip,
        uploadRateLimit: flags.maxUploadRate,
        ...dhtSessionOptions(flags),
      },
      savePath: location.savePath,
      debug: flags.debug === true,
      statusIntervalMs: flags.statusInterval * 1000,
      peers: flags.peer ?? [],
      paused: true,
    });
    await closingOnError(run, async () => {
      const checked = await checkData(run);
      if (checked === undefined) return closeAndExit(run, 0, location.cleanup);
      if (checked.havePieces < checked.pieceCount) {
        throw new CliError(`data at ${location.dataPath} does not match ${meta.name}: ${checked.havePieces} of ${checked.pieceCount} pieces verified`);
      }
      await run.torrent.resume();
      dialPeers(run);
      await seedUntilInterrupted(run);
      return closeAndExit(run, 0, location.cleanup);
    });
  } finally {
    await location.cleanup();
  }
}
