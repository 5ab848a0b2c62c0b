/** The `btd` command line: one module per subcommand, each registering itself on the program. */
import { Command, CommanderError } from 'commander';
import { registerCreate } from './create';
import { registerInfo } from './info';
import { registerTracker } from './tracker';
import { registerSeed } from './seed';
import { registerDownload } from './download';
import { registerDemo } from './demo';
import { registerRpc } from './rpc';
import { reportAndExit } from './errors';
import { VERSION } from '../version';

/** Builds the program; exported so tests can parse without touching the process. */
export function buildProgram(): Command {
  const program = new Command('btd')
    .description('BitTorrent daemon and tools: create, inspect, seed and download torrents, run a tracker')
    .version(VERSION)
    .showHelpAfterError('(run btd --help for usage)')
    .exitOverride();
  registerRpc(program);
  registerCreate(program);
  registerInfo(program);
  registerTracker(program);
  registerSeed(program);
  registerDownload(program);
  registerDemo(program);
  return program;
}

/** Runs the command line; errors become one line on stderr and a non-zero exit. */
export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv, { from: 'user' })
    .catch((err: unknown) => {
      if (err instanceof CommanderError) process.exit(err.exitCode);
      reportAndExit(err);
    });
}
