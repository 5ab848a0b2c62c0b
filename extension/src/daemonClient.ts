/**
 * The daemon connection: vscode-languageclient drives `btd --rpc stdio` (LSP lifecycle), restarts it within
 * a budget when it crashes, and sends its stderr and `log` notifications to the "BitTorrent" output.
 */
import type { LogOutputChannel } from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, RevealOutputChannelOn, State, WorkDoneProgress,
  type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions,
} from 'vscode-languageclient/node';
import type { CancellationToken, NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { LogNotification, type InitializationOptions, type TorrentCreateProgress } from '../../protocol/src';
import type { Daemon, Registration } from './daemon';
import { daemonCommand } from './daemonCommand';
import { RestartBudget } from './restartBudget';

/** At most this many restarts within RESTART_WINDOW_MS before giving up. */
export const MAX_RESTARTS = 4;
/** The sliding window of the restart budget. */
export const RESTART_WINDOW_MS = 3 * 60_000;

/** Options of DaemonClient. */
export interface DaemonClientOptions {
  extensionPath: string;
  daemonPath: string;
  output: LogOutputChannel;
  initializationOptions: () => InitializationOptions;
  /** Called with a message when the daemon crashed too often to restart. */
  onGaveUp: (message: string) => void;
}

/** Wraps one LanguageClient at a time; implements the Daemon interface the commands use. */
export class DaemonClient implements Daemon {
  private client: LanguageClient;
  private starting: Promise<void> | undefined;
  /** Subscriptions re-applied to each new LanguageClient (after a change of btd.daemonPath). */
  private readonly binders: ((c: LanguageClient) => void)[] = [];
  private readonly budget = new RestartBudget(MAX_RESTARTS, RESTART_WINDOW_MS);
  private failure: string | undefined;

  private daemonPath: string;

  constructor(private readonly opts: DaemonClientOptions) {
    this.daemonPath = opts.daemonPath;
    this.client = this.makeClient(opts.daemonPath);
  }

  /** Starts the daemon (once; later calls wait for the same start). */
  start(): Promise<void> {
    this.starting ??= this.client.start().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Sends shutdown + exit and waits for the process to end; nothing to do when it is not running. */
  async stop(): Promise<void> {
    this.starting = undefined;
    if (this.client.state === State.Stopped) return;
    try {
      await this.client.stop(5000);
    } catch {
      // The client gave up starting (a daemon that crashed on start): there is no process to stop.
    }
  }

  /**
   * Stops and starts a fresh client, with a new executable when `daemonPath` is given; the crash budget
   * starts afresh, so "Restart Daemon" works after the client gave up.
   */
  restart(daemonPath?: string): Promise<void> {
    // One at a time: a settings change and the Restart command together must not start two daemons
    // (the second would wait for the first's lock on the state folder, and one client would be lost).
    const run = this.restarting.catch(() => undefined).then(() => this.restartNow(daemonPath));
    this.restarting = run;
    return run;
  }

  private restarting: Promise<void> = Promise.resolve();

  private async restartNow(daemonPath?: string): Promise<void> {
    await this.stop();
    this.budget.reset();
    this.failure = undefined;
    if (daemonPath !== undefined) this.daemonPath = daemonPath;
    await this.client.dispose().catch(() => undefined);
    this.client = this.makeClient(this.daemonPath);
    await this.start();
  }

  /** True while the daemon runs. */
  get running(): boolean {
    return this.client.state === State.Running;
  }

  /** Why the daemon is no longer restarted, after it crashed too often; cleared by restart(). */
  get gaveUp(): string | undefined {
    return this.failure;
  }

  /** The daemon's process id, while it runs. */
  get pid(): number | undefined {
    return this.client.serverProcess?.pid;
  }

  /** Calls the listener whenever a daemon starts or stops running; used to reload state after a restart. */
  onRunning(listener: (running: boolean) => void): void {
    this.bind((c) => c.onDidChangeState((e) => listener(e.newState === State.Running)));
  }

  /** Subscribes to a daemon notification by its protocol handle, for this and every later client. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.bind((c) => c.onNotification(type, handler));
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R> {
    await this.start();
    // RequestParam<P> is a conditional type the generic P cannot be proven to satisfy.
    return this.client.sendRequest(type, params as never, token);
  }

  async request0<R>(type: RequestType0<R, void>, token?: CancellationToken): Promise<R> {
    await this.start();
    return this.client.sendRequest(type, token);
  }

  onProgress(token: string, handler: (value: TorrentCreateProgress) => void): Registration {
    return this.client.onProgress(WorkDoneProgress.type, token, (v) => handler(v as TorrentCreateProgress));
  }

  private bind(binder: (c: LanguageClient) => void): void {
    this.binders.push(binder);
    binder(this.client);
  }

  private makeClient(daemonPath: string): LanguageClient {
    const { output } = this.opts;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [],
      outputChannel: output,
      initializationOptions: this.opts.initializationOptions,
      errorHandler: budgetErrorHandler(this.budget, (message) => {
        this.failure = message;
        this.opts.onGaveUp(message);
      }),
      // Failures are shown by the commands with advice; the client must not open the output by itself.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    const client = new LanguageClient('btd', 'BitTorrent', daemonCommand(this.opts.extensionPath, daemonPath, process.execPath, process.env), clientOptions);
    client.onNotification(LogNotification.type, (p) => {
      const line = p.infoHash ? `[${p.infoHash.slice(0, 8)}] ${p.message}` : p.message;
      output[p.level](line);
    });
    for (const bind of this.binders) bind(client);
    return client;
  }
}

/** Restarts a crashed daemon while the budget allows, then stops and reports what to do. */
export function budgetErrorHandler(budget: RestartBudget, onGaveUp: (message: string) => void): ErrorHandler {
  return {
    error(): ErrorHandlerResult {
      return { action: ErrorAction.Continue, handled: true };
    },
    closed(): CloseHandlerResult {
      if (budget.recordCrash()) return { action: CloseAction.Restart, handled: true };
      const message = `The BitTorrent daemon stopped ${budget.recentCrashes} times in ${RESTART_WINDOW_MS / 60_000} minutes and was not ` +
        'restarted. See the "BitTorrent" output for the cause, then run "BitTorrent: Restart Daemon".';
      onGaveUp(message);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}
