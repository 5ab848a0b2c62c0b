/**
 * Debian's `transmission-daemon` for the benchmarks: a config folder whose settings.json keeps it on
 * 127.0.0.1 (DHT, LPD, uTP, PEX and port forwarding off, no blocklist), its HTTP RPC with the session id
 * handshake, start in the foreground and stop with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where and how one transmission-daemon runs. */
export interface TransmissionConfig {
  configDir: string;
  downloadDir: string;
  rpcPort: number;
  peerPort: number;
}

/** Writes settings.json into the config folder. */
export function writeTransmissionSettings(c: TransmissionConfig): void {
  mkdirSync(c.configDir, { recursive: true });
  const settings = {
    'bind-address-ipv4': '127.0.0.1',
    'bind-address-ipv6': '::1',
    'blocklist-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'utp-enabled': false,
    'pex-enabled': false,
    'port-forwarding-enabled': false,
    'peer-port': c.peerPort,
    'peer-port-random-on-start': false,
    'peer-limit-global': 500,
    'peer-limit-per-torrent': 50,
    encryption: 0,
    'download-dir': c.downloadDir,
    'incomplete-dir-enabled': false,
    'watch-dir-enabled': false,
    'start-added-torrents': true,
    'download-queue-enabled': false,
    'seed-queue-enabled': false,
    'queue-stalled-enabled': false,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'scrape-paused-torrents-enabled': false,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': c.rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': true,
    'rpc-whitelist': '127.0.0.1',
    'rpc-host-whitelist-enabled': false,
    'message-level': 1,
  };
  writeFileSync(join(c.configDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** A running transmission-daemon and its RPC. */
export class Transmission {
  private sessionId = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    private readonly c: TransmissionConfig,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Spawns `transmission-daemon -f -g <configDir>` (its log on our stderr only for errors). */
  static start(c: TransmissionConfig): Transmission {
    const child = spawn('transmission-daemon', ['-f', '-g', c.configDir, '--log-error'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', () => undefined);
    return new Transmission(child, c);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** One RPC call; answers the 409 session-id handshake; throws on a result other than "success". */
  async rpc<T = Record<string, unknown>>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`http://127.0.0.1:${this.c.rpcPort}/transmission/rpc`, {
        method: 'POST',
        headers: { 'X-Transmission-Session-Id': this.sessionId, 'content-type': 'application/json' },
        body: JSON.stringify({ method, arguments: args }),
      });
      if (res.status === 409) {
        this.sessionId = res.headers.get('x-transmission-session-id') ?? '';
        await res.arrayBuffer();
        continue;
      }
      const body = (await res.json()) as { result: string; arguments: T };
      if (body.result !== 'success') throw new Error(`transmission ${method}: ${body.result}`);
      return body.arguments;
    }
    throw new Error(`transmission ${method}: no session id`);
  }

  /** Resolves once the RPC answers (retrying while the port is not open yet), or rejects after `timeoutMs`. */
  async rpcUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.rpc('session-get', { fields: ['version'] });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`transmission RPC not up within ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** SIGTERM, then waits for the exit (it saves its resume files). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
