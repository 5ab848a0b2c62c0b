/** `btd --rpc stdio` (the JSON-RPC API for a parent process) and `btd daemon --rpc socket[:PATH]`. */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { LogLevel, Settings } from '../../../protocol/src';
import { realEngine } from '../rpc/real-engine';
import { defaultSettings, defaultStateDir } from '../rpc/settings';
import { runSocketDaemon } from '../rpc/socket';
import { runStdio } from '../rpc/stdio';
import { parseBootstrap } from './download-options';
import { CliError } from './errors';

interface ServeOptions {
  rpc?: string;
  stateDir?: string;
  downloadDir?: string;
  port?: number;
  listenHost?: string;
  logLevel: LogLevel;
  parentPid?: number;
  dht?: boolean;
  dhtBootstrap?: string[];
  maxConnectionsPerIp?: number;
}

/** Registers `--rpc stdio` on the program itself and the `daemon` subcommand. */
export function registerRpc(program: Command): void {
  // Program options are read only before a subcommand, so `btd seed --port` stays the subcommand's.
  program.enablePositionalOptions();
  addServeOptions(program.option('--rpc <transport>', 'serve the JSON-RPC API to the parent process: stdio'));
  program.action(async (opts: ServeOptions, cmd: Command) => {
    if (cmd.args.length > 0) throw new CliError(`unknown command '${cmd.args[0]}' (run btd --help for usage)`);
    if (opts.rpc === undefined) program.help();
    if (opts.rpc !== 'stdio') throw new CliError(`--rpc must be 'stdio' here (for a socket, run: btd daemon --rpc socket[:PATH])`);
    process.exit(await runStdio({ engine: realEngine, ...common(opts) }));
  });
  addServeOptions(
    program
      .command('daemon')
      .description('run the daemon on a private Unix socket that clients attach to with a token; keeps seeding until stopped')
      .option('--rpc <transport>', 'socket or socket:PATH (default PATH: <state-dir>/run/btd.sock)', 'socket'),
  ).action(async (opts: ServeOptions) => {
    const transport = opts.rpc ?? 'socket';
    if (transport !== 'socket' && !transport.startsWith('socket:')) throw new CliError(`--rpc must be socket or socket:PATH, got '${transport}'`);
    const path = transport.startsWith('socket:') ? resolve(transport.slice('socket:'.length)) : undefined;
    const stop = new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    const code = await runSocketDaemon({
      engine: realEngine,
      ...common(opts),
      ...(path && { socketPath: path }),
      stop,
      onListening: (socketPath, tokenPath) => process.stdout.write(`btd daemon listening on ${socketPath}\ntoken file: ${tokenPath}\n`),
    });
    process.exit(code);
  });
}

function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'catalog and resume data (default $XDG_STATE_HOME/btd or ~/.local/state/btd)')
    .option('--download-dir <dir>', 'default folder for downloads (default ~/Downloads)')
    .option('--port <port>', 'peer listening port, 0 = any free port (default 6881)', parsePort)
    .option('--listen-host <ip>', 'address to accept peers on (default all)')
    .option('--max-connections-per-ip <n>', 'connections a torrent takes from one IP address, loopback exempt (default 3)', parsePerIp)
    .option('--dht', 'find peers through the DHT (the default)')
    .option('--no-dht', 'do not use the DHT')
    .option('--dht-bootstrap <host:port>', 'DHT node to join through (repeatable; default the well-known routers)', parseBootstrap)
    .addOption(new Option('--log-level <level>', 'stderr and log-notification verbosity').choices(['error', 'warn', 'info', 'debug']).default('info'))
    .option('--parent-pid <pid>', 'exit when this process is gone', parsePid);
}

interface Common {
  stateDir: string;
  settings: Settings;
  /** The settings the command line named. */
  explicit: Partial<Settings>;
  logLevel: LogLevel;
  listenHost?: string;
  parentPid?: number;
}

function common(opts: ServeOptions): Common {
  const explicit: Partial<Settings> = {};
  if (opts.downloadDir) explicit.downloadDir = resolve(opts.downloadDir);
  if (opts.port !== undefined) explicit.port = opts.port;
  if (opts.dht !== undefined) explicit.dht = opts.dht;
  if (opts.maxConnectionsPerIp !== undefined) explicit.maxConnectionsPerIp = opts.maxConnectionsPerIp;
  if (opts.dhtBootstrap !== undefined) explicit.dhtBootstrap = opts.dhtBootstrap;
  return {
    stateDir: resolve(opts.stateDir ?? defaultStateDir()),
    settings: { ...defaultSettings(), ...explicit },
    explicit,
    logLevel: opts.logLevel,
    ...(opts.listenHost && { listenHost: opts.listenHost }),
    ...(opts.parentPid !== undefined && { parentPid: opts.parentPid }),
  };
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new CliError(`--port must be 0..65535, got '${text}'`);
  return n;
}

function parsePerIp(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) throw new CliError(`--max-connections-per-ip must be 1..1000, got '${text}'`);
  return n;
}

function parsePid(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 2 ** 31 - 1) throw new CliError(`--parent-pid must be a process id, got '${text}'`);
  return n;
}
