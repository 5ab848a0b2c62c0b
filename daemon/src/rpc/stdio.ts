/** `btd --rpc stdio`: one client, the parent process, speaking over stdin/stdout. */
import type * as P from '../../../protocol/src';
import { serveConnection } from './connection';
import { Daemon } from './daemon';
import type { Engine } from './engine';
import { consoleToStderr, stderrLog, surviveStrayErrors } from './log-sink';
import { watchParent } from './parent-watch';

/** Options of the stdio daemon. */
export interface StdioOptions {
  engine: Engine;
  stateDir: string;
  /** Command line settings; the client's initializationOptions override them. */
  settings: P.Settings;
  listenHost?: string;
  logLevel: P.LogLevel;
  parentPid?: number;
}

/**
 * Serves until `exit`, stdin closing, or the parent dying; then closes the session (trackers get
 * 'stopped', resume data is saved) and resolves with the exit code: 0 after `shutdown`, else 1.
 */
export async function runStdio(opts: StdioOptions): Promise<number> {
  consoleToStderr();
  const daemon = new Daemon(opts.engine, { stateDir: opts.stateDir, settings: opts.settings, ...(opts.listenHost && { listenHost: opts.listenHost }) });
  daemon.on('log', stderrLog(opts.logLevel));
  surviveStrayErrors((m) => daemon.log('error', m));
  let parentGone!: () => void;
  const orphaned = new Promise<number>((resolve) => (parentGone = () => resolve(1)));
  const stops: (() => void)[] = [];
  const watch = (pid: number): void => {
    stops.push(
      watchParent(pid, () => {
        daemon.log('warn', `parent process ${pid} is gone; stopping`);
        parentGone();
      }),
    );
  };
  if (opts.parentPid !== undefined) watch(opts.parentPid);
  const conn = serveConnection(process.stdin, process.stdout, { mode: 'stdio', daemon, logLevel: opts.logLevel, onParentPid: watch });
  const code = await Promise.race([conn.ended.then((e) => e.exitCode), orphaned]);
  for (const stop of stops) stop();
  await daemon.close();
  conn.dispose();
  return code;
}
