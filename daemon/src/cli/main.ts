/** The `btd` command line: one module per subcommand, each registering itself on the program. */
import { Command, CommanderError } from 'commander';
import { reportAndExit } from './errors';
import { VERSION } from '../version';

type Register = (program: Command) => void;

/**
 * Each subcommand's module in help order, keyed by the subcommand it serves. A run loads only
 * the module of its subcommand (all of them for help or an unknown word), so `btd seed` and
 * `btd download` never load the tracker server, Koa or the RPC layer.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain require keeps the load lazy and CommonJS */
const COMMANDS: [name: string, load: () => Register][] = [
  ['daemon', () => (require('./rpc') as typeof import('./rpc')).registerRpc],
  ['create', () => (require('./create') as typeof import('./create')).registerCreate],
  ['info', () => (require('./info') as typeof import('./info')).registerInfo],
  ['tracker', () => (require('./tracker') as typeof import('./tracker')).registerTracker],
  ['seed', () => (require('./seed') as typeof import('./seed')).registerSeed],
  ['download', () => (require('./download') as typeof import('./download')).registerDownload],
  ['stream', () => (require('./stream') as typeof import('./stream')).registerStream],
  ['demo', () => (require('./demo') as typeof import('./demo')).registerDemo],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** Words that ask only for the version: commander answers them before any subcommand is needed. */
const VERSION_FLAGS = ['-V', '--version'];

/** The subcommands to load for a run whose first word is `first`. */
function commandsFor(first: string | undefined): [name: string, load: () => Register][] {
  if (first !== undefined && VERSION_FLAGS.includes(first)) return [];
  const chosen = COMMANDS.filter(([name]) => name === first);
  return chosen.length > 0 ? chosen : COMMANDS;
}

/**
 * Builds the program with the subcommand `only` (every subcommand when undefined or unknown, none
 * for `--version`);
 * exported so tests can parse without touching the process.
 */
export function buildProgram(only?: string): Command {
  const program = new Command('btd')
    .description('BitTorrent daemon and tools: create, inspect, seed and download torrents, run a tracker')
    .version(VERSION)
    .showHelpAfterError('(run btd --help for usage)')
    .exitOverride();
  for (const [, load] of commandsFor(only)) load()(program);
  // The program's own action (from the rpc module) reports a word that names no subcommand;
  // set after the subcommands are added, so they still refuse extra arguments.
  program.allowExcessArguments();
  return program;
}

/** Runs the command line; errors become one line on stderr and a non-zero exit. */
export function main(argv: string[]): void {
  buildProgram(argv[0])
    .parseAsync(argv, { from: 'user' })
    .catch((err: unknown) => {
      if (err instanceof CommanderError) process.exit(err.exitCode);
      reportAndExit(err);
    });
}
