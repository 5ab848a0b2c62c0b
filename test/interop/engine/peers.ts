/** aria2c and transmission-daemon as swarm partners: loopback only, fresh ports, temp folders, stopped by pid. */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { startProcess, type BtdProcess } from '../../integration/cli/btd-process';

const run = promisify(execFile);

/** A port that was free a moment ago (for programs that cannot report the one they picked). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Flags that keep aria2c on loopback and off every discovery channel but the tracker (the DHT tests turn its DHT back on). */
export const ARIA2_LOCAL = [
  '--interface=127.0.0.1',
  '--disable-ipv6=true',
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--enable-peer-exchange=false',
  '--file-allocation=none',
  '--enable-color=false',
  '--console-log-level=notice',
  '--summary-interval=0',
  '--no-conf=true',
];

/** aria2c downloading `torrentPath` into `dir`; it exits 0 once the file is complete. */
export function aria2Download(torrentPath: string, dir: string, port: number): BtdProcess {
  return startProcess('aria2c', [...ARIA2_LOCAL, '--seed-time=0', `--listen-port=${port}`, `--dir=${dir}`, torrentPath], dir);
}

/** aria2c seeding the data already in `dir`; resolves once it listens on `port`. */
export async function aria2Seed(torrentPath: string, dir: string, port: number): Promise<BtdProcess> {
  const p = startProcess(
    'aria2c',
    // --seed-ratio=0.0: aria2 stops seeding at a share ratio of 1.0 by default, which endgame duplicates can reach early.
    [...ARIA2_LOCAL, '--check-integrity=false', '--bt-seed-unverified=true', '--seed-time=99999', '--seed-ratio=0.0', `--listen-port=${port}`, `--dir=${dir}`, torrentPath],
    dir,
  );
  await p.waitFor(new RegExp(`IPv4 BitTorrent: listening on TCP port ${port}`), 'both');
  return p;
}

/** A transmission-daemon in the foreground, its RPC and peer ports on 127.0.0.1. */
export interface Transmission {
  proc: BtdProcess;
  peerPort: number;
  /** Adds a torrent through transmission-remote. */
  add(torrentPath: string): Promise<void>;
  /** Resolves when its log says the named torrent's data check is done. */
  verified(name: string): Promise<unknown>;
  /** Resolves when its log says the named torrent became complete. */
  completed(name: string): Promise<unknown>;
  /** SIGTERM (so its cache is flushed to disk) and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts transmission-daemon with the settings INTEROP.md found to work; data goes to `downloadDir`. */
export async function startTransmission(root: string, downloadDir: string): Promise<Transmission> {
  const cfg = join(root, 'transmission-config');
  await mkdir(cfg, { recursive: true });
  const [rpcPort, peerPort] = [await freePort(), await freePort()];
  const settings = {
    'bind-address-ipv4': '127.0.0.1',
    'bind-address-ipv6': '::1',
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': false,
    'peer-port': peerPort,
    'peer-port-random-on-start': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': false,
    'utp-enabled': false,
    'port-forwarding-enabled': false,
    'blocklist-enabled': false,
    encryption: 0,
    'download-dir': downloadDir,
    'incomplete-dir-enabled': false,
    'speed-limit-up-enabled': false,
    'speed-limit-down-enabled': false,
  };
  await writeFile(join(cfg, 'settings.json'), JSON.stringify(settings));
  const proc = startProcess('transmission-daemon', ['-f', '-g', cfg, '--log-debug'], root);
  await proc.waitFor(new RegExp(`Started listening on 127\\.0\\.0\\.1:${rpcPort}`), 'both');
  const logLine = (re: string): Promise<unknown> => proc.waitFor(new RegExp(re), 'both');
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    proc,
    peerPort,
    add: async (torrentPath) => {
      await run('transmission-remote', [`127.0.0.1:${rpcPort}`, '-a', torrentPath]);
    },
    verified: (name) => logLine(`${escape(name)} Verification is done`),
    completed: (name) => logLine(`${escape(name)} State changed from "Incomplete" to "Complete"`),
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/**
 * A tracker on 127.0.0.1 that asks for an announce every second, for the describe block it is called in:
 * Transmission never dials loopback peers, so btd must hear of it on its next announce and dial it.
 */
export function useQuickTracker(): { readonly url: string } {
  let tracker: RunningTracker | undefined;
  before(async () => {
    tracker = await startTracker({ host: '127.0.0.1', port: 0, interval: 1, minInterval: 1 });
  });
  after(() => tracker?.close());
  return {
    get url(): string {
      if (!tracker) throw new Error('the quick tracker starts in the block\'s before hook');
      return tracker.url;
    },
  };
}
